#pragma once
// An operator lease kept in HAProxy itself, as one entry of a map file (key: the backend's
// name, value: OperatorLease::toText()), so every Switchboard that reaches the runtime API sees
// it, wherever it runs. The configuration must load the map, e.g.
//     http-request set-var(txn.sb_lease) str(),map(/etc/haproxy/switchboard-leases.map) if FALSE
// and targets.json names the same file in haproxy.leaseMap.
//
// The runtime API has no compare and swap: write() reads the entry, compares it with the
// version the caller decided on, writes it (`set map`, or `add map` when absent) and reads it
// back in one round trip. Two operators taking a free lease within the same millisecond could
// both believe they hold it; the next renewal tells the
// loser (LeaseGuard renews every 5 s). Entries live in HAProxy's memory: a reload or restart empties them, and the holder's
// next renewal writes its lease again. Written to every endpoint; read from the first that answers.

#include "haproxyruntime.h"
#include "haproxysessionset.h"
#include "operatorlease.h"

#include <memory>
#include <vector>

namespace Switchboard {

class HaproxyLeaseStore final : public LeaseStore
{
public:
    HaproxyLeaseStore(const QList<HaproxyEndpoint> &endpoints, const HaproxyTimeouts &timeouts, QString mapFile,
                      QString key);
    QString where() const override;
    bool read(OperatorLease *out, QString *version, QString *error) override;
    Write write(const OperatorLease &lease, const QString &version, QString *error) override;

    // The value of `key` in a `show map` answer ("0x55d0 KEY VALUE" lines); false when absent.
    static bool findEntry(const QString &showMap, const QString &key, QString *value);

private:
    HaproxySessionSet m_sessions; // shared with the thread's targets on these endpoints
    QString m_map;
    QString m_key;
};

} // namespace Switchboard
