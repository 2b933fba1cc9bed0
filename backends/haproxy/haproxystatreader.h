#pragma once
// One `show stat` round trip per HAProxy for every target that reads its counters on one
// thread. The fast signals of the targets on one HAProxy share a worker thread (BackendHost);
// with a reader each, 50 targets sent 50 `show stat`s on 50 connections every 250 ms. They now
// share one reader per endpoint list and thread: one connection per endpoint, and a reading
// younger than the caller's maxAgeMs serves every target (targets started together poll in
// step, so one read serves the fleet; one started later reads at most twice per interval).
// A reading covers every backend asked for so far, one `show stat <backend> 4 -1` each, all in
// one batch. Like the sessions it holds, a reader is used on one thread only (forThread()).

#include "haproxyruntime.h"
#include "haproxysessionset.h"

#include <QHash>

#include <memory>

namespace Switchboard {

class HaproxyStatReader final
{
public:
    struct Reading
    {
        QString endpoint;  // the endpoint that answered (the first one that did)
        qint64 atNs = 0;   // monotonic (steadyNowNs()), for rates
        qint64 timeMs = 0; // wall clock, for the samples
        QHash<QString, QList<HaproxyServerStat>> servers; // backend -> its servers' rows
        QHash<QString, QString> errors; // backend -> why its answer could not be read
    };

    // The reader of these endpoints for the calling thread, made on first use; kept while a
    // caller holds it.
    static std::shared_ptr<HaproxyStatReader> forThread(const HaproxyTargetSettings &settings);
    explicit HaproxyStatReader(const HaproxyTargetSettings &settings);

    // A reading with `backend`'s servers (or its own error: one target's unknown backend does not
    // cost the others their reading) no older than maxAgeMs (0: read now). Endpoints are tried
    // in order; null with *error (each endpoint's failure) when none answers.
    std::shared_ptr<const Reading> read(const QString &backend, int maxAgeMs, QString *error);

    // Round trips made so far by this reader, and by every reader of the process (for the
    // tests and the benchmark).
    int roundTrips() const { return m_roundTrips; }
    static qint64 allRoundTrips();

private:
    HaproxySessionSet m_sessions; // the thread's sessions: one connection per endpoint
    QStringList m_backends; // every backend asked for, in order
    std::shared_ptr<const Reading> m_last;
    int m_roundTrips = 0;
};

} // namespace Switchboard
