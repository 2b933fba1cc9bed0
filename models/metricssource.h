#pragma once
// The seam to a metrics layer (Prometheus, HAProxy's own counters, the simulator): per-version
// health now and over a time range. Lives on its own thread like TrafficBackend.

#include "domain.h"

#include <QJsonObject>
#include <QObject>

#include <atomic>

namespace Switchboard {

class MetricsSource : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    ~MetricsSource() override = default;

    // Any thread (the GUI thread when a target closes or the app quits): the call under way
    // ends soon, failed, and later ones fail at once. Backends whose calls block check
    // isStopRequested() in their waits or abort them in onStopRequested().
    void requestStop();
    bool isStopRequested() const { return m_stop.load(std::memory_order_relaxed); }

public Q_SLOTS:
    // Health of both versions now: answers instantReady or queryFailed.
    virtual void queryInstant() = 0;
    // History for charts; `token` comes back with the answer so a caller can drop stale ones.
    virtual void queryRange(qint64 fromMs, qint64 toMs, int stepMs, quint64 token) = 0;
    // Runs one query in the source's own language (PromQL) for the settings dialog's "test
    // query" button: answers testQueryFinished. Sources without a query language say so.
    virtual void runTestQuery(const QString &query, quint64 token)
    {
        Q_UNUSED(query);
        Q_EMIT testQueryFinished(token, false, QStringLiteral("this metrics source takes no queries"));
    }

    // New settings from the target's whole settings object (after the settings dialog saved
    // them), so they apply without reopening the target: answers reconfigured. A source keeps
    // its old settings when the new ones are unusable. Sources without settings of their own
    // accept and change nothing.
    virtual void reconfigure(const QJsonObject &targetSettings)
    {
        Q_UNUSED(targetSettings);
        Q_EMIT reconfigured(true, {});
    }

Q_SIGNALS:
    void reconfigured(bool ok, const QString &error);
    void instantReady(const Switchboard::HealthSnapshot &health);
    void rangeReady(const Switchboard::HealthSeries &series, quint64 token);
    void queryFailed(const QString &error);
    void testQueryFinished(quint64 token, bool ok, const QString &text);

protected:
    // Called by requestStop() on the caller's thread, so it must be thread-safe; by default
    // nothing (the flag alone is enough for backends that check it).
    virtual void onStopRequested() {}

private:
    std::atomic<bool> m_stop{false};
};

} // namespace Switchboard
