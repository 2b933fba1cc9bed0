#pragma once
// An operator lease kept as a Kubernetes Lease (coordination.k8s.io/v1) named
// "switchboard-<kind>-<resource>" in the target's namespace, the object Kubernetes' own leader
// election uses: spec.holderIdentity, acquireTime, renewTime (MicroTime), leaseDurationSeconds
// and leaseTransitions, plus the purpose in the annotation switchboard.dev/purpose. Every
// Switchboard (and kubectl get lease) sees it. Writes are a true compare and swap: POST when
// there is none (409 AlreadyExists if someone created it first), PUT with the resourceVersion
// read (409 Conflict if someone wrote in between). Needs get/create/update on leases.

#include "kubeclient.h"
#include "kubetargetsettings.h"
#include "operatorlease.h"

#include <memory>

namespace Switchboard {

class KubeLeaseStore final : public LeaseStore
{
public:
    // `resourceKind`: the targets.json kind, part of the Lease's name with the resource's name.
    KubeLeaseStore(const KubeTargetSettings &target, const QString &resourceKind);
    ~KubeLeaseStore() override;
    QString where() const override;
    bool read(OperatorLease *out, QString *version, QString *error) override;
    Write write(const OperatorLease &lease, const QString &version, QString *error) override;

    // The Lease's name: DNS-1123, at most 63 characters.
    static QString leaseName(const QString &resourceKind, const QString &resource);

private:
    QString collection() const;

    KubeTargetSettings m_target;
    QString m_name;
    std::unique_ptr<KubeClient> m_client;
};

} // namespace Switchboard
