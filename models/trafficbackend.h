#pragma once
// The seam to a traffic layer (HAProxy, nginx, Kubernetes, the simulator): reads who serves a
// target with which weight, and changes the weights.
//
// A backend lives on its own thread (see BackendHost) and may block there; callers reach its
// slots only through queued connections or QMetaObject::invokeMethod, and get finished value
// structs back through its signals.

#include "domain.h"
#include "operatorlease.h"

#include <QObject>

#include <atomic>
#include <memory>

namespace Switchboard {

class TrafficBackend : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    ~TrafficBackend() override = default;

    // Any thread (the GUI thread when a target closes or the app quits): the call under way
    // ends soon, failed, and later ones fail at once. Backends whose calls block check
    // isStopRequested() in their waits or abort them in onStopRequested().
    void requestStop();
    bool isStopRequested() const { return m_stop.load(std::memory_order_relaxed); }
    // Where this target's operator lease is kept (null: the layer keeps none). Set by the
    // factory before the backend moves to its thread.
    void setLeaseStore(std::unique_ptr<LeaseStore> store);
    bool hasLeaseStore() const { return m_leaseStore != nullptr; }

    // Any thread: apply(change) ahead of every call still waiting for any backend of its
    // thread. The way back: on a thread the targets of one server share, a rollback must not
    // wait behind their reads, only for the call under way.
    static void postWayBack(TrafficBackend *backend, const Switchboard::WeightChange &change);

public Q_SLOTS:
    // Reads the current members and weights: answers snapshotReady or refreshFailed.
    virtual void refresh() = 0;
    // Moves traffic: answers changeFinished, always exactly once per call.
    virtual void apply(const Switchboard::WeightChange &change) = 0;
    // Moves a rollout that the traffic layer runs itself (Argo Rollouts) on to its next step:
    // answers stepPromoted, always exactly once per call. A separate answer, so changeFinished
    // keeps meaning "the apply you sent". By default the layer has no such steps and says so,
    // changing nothing.
    virtual void promoteStep();
    // Edits tester routes (change.routeEdit is set): answers changeFinished exactly once, with
    // routesBefore/routesAfter read back; weights stay as they are. By default the layer has no
    // routes and refuses, changing nothing.
    virtual void editRoutes(const Switchboard::WeightChange &change);
    // Sets the new version's image (the Kubernetes Deployment kinds) on `container` (empty: the
    // first) and follows its pods to Ready: answers imageDeployed, always exactly once per call.
    // By default the layer runs no images and says so, changing nothing.
    virtual void deployImage(const QString &image, const QString &container);
    // Reads, takes, renews or releases the operator lease (LeaseKeeper's rules on the store):
    // answers leaseAnswered, always exactly once per call.
    void handleLease(const Switchboard::LeaseRequest &request);

Q_SIGNALS:
    void snapshotReady(const Switchboard::TrafficSnapshot &snapshot);
    void refreshFailed(const QString &error);
    void changeFinished(const Switchboard::ChangeResult &result);
    void stepPromoted(const Switchboard::ChangeResult &result);
    void imageDeployed(const Switchboard::DeployResult &result);
    void leaseAnswered(const Switchboard::LeaseResult &result);

protected:
    // Called by requestStop() on the caller's thread, so it must be thread-safe; by default
    // nothing (the flag alone is enough for backends that check it).
    virtual void onStopRequested() {}
    bool event(QEvent *event) override;

private:
    std::atomic<bool> m_stop{false};
    std::unique_ptr<LeaseStore> m_leaseStore;
};

} // namespace Switchboard
