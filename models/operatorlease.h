#pragma once
// Operator leases: who drives a target right now. A running rollout, and an operator who takes
// a target for a release, hold a lease on it; everyone else sees who holds it and since when,
// and may act on the target only after taking the lease over explicitly. Rollback never looks
// at a lease (the way back is never refused).
//
// The lease lives where every Switchboard that reaches the traffic layer can see it (a
// Kubernetes Lease, an HAProxy map entry, a file next to nginx's upstream file): a LeaseStore
// reads and writes it there, on the backend's thread. LeaseKeeper holds the rules (take, renew,
// release, take over, expiry) on top of any store, so each store only moves bytes.

#include <QDateTime>
#include <QMetaType>
#include <QString>

namespace Switchboard {

struct OperatorLease
{
    QString holder;       // "alice@laptop"; empty: nobody holds it
    QString purpose;      // "rollout canary-10-50-100", "release", ...
    qint64 acquiredMs = 0; // when the holder took it (wall clock, ms since the epoch)
    qint64 renewedMs = 0;  // its last renewal
    int durationS = 0;     // it expires durationS after the last renewal
    int transitions = 0;   // how many times it changed hands (Kubernetes' leaseTransitions)

    qint64 expiresMs() const { return renewedMs + qint64(durationS) * 1000; }
    // Held by someone, not expired at `nowMs`.
    bool isLive(qint64 nowMs) const { return !holder.isEmpty() && durationS > 0 && expiresMs() > nowMs; }
    bool isHeldBy(const QString &who, qint64 nowMs) const { return isLive(nowMs) && holder == who; }
    // One line for the log, the panel and the CLI: "held by bob@ci since 10:02:11 UTC (release),
    // expires in 25 s", "free", "free (alice@laptop's lease expired at 10:02:11 UTC)".
    QString describe(qint64 nowMs) const;

    bool operator==(const OperatorLease &) const = default;

    // A compact, space- and semicolon-free text (percent-encoded fields joined by ','), for
    // stores that hold a single string value (an HAProxy map entry). fromText is false on junk.
    QString toText() const;
    static bool fromText(const QString &text, OperatorLease *out);
};

// The process' operator identity: $SWITCHBOARD_OPERATOR if set, else user@host (the audit's user).
QString currentOperator();

// Where a lease is kept. Blocking; called on the backend's thread only.
class LeaseStore
{
public:
    virtual ~LeaseStore() = default;
    // Where the lease lives, for messages and the docs ("HAProxy map /x/leases.map, key shop").
    virtual QString where() const = 0;
    // The stored lease (holder empty when there is none) and a version token for write(); false
    // with *error when the store cannot be read.
    virtual bool read(OperatorLease *out, QString *version, QString *error) = 0;
    enum class Write { Ok, Conflict, Failed };
    // Stores `lease` if the stored one is still at `version` (compare and swap where the store
    // can; see each store for how close it comes). Conflict: someone wrote in between.
    virtual Write write(const OperatorLease &lease, const QString &version, QString *error) = 0;
};

struct LeaseRequest
{
    enum class Op { Read, Take, Renew, Release };
    Op op = Op::Read;
    QString holder;       // who asks (currentOperator())
    QString purpose;
    int durationS = 30;
    bool takeOver = false; // Take: also when someone else holds it (confirmed by the operator)
};

struct LeaseResult
{
    enum class Outcome {
        Read,        // op Read: `lease` is what is stored
        Taken,       // the holder now holds it (it was free, expired, or already its own)
        TakenOver,   // taken from a live holder (`previous`)
        Renewed,
        Released,
        NotHeld,     // Release or Renew of a lease the holder does not hold (nothing written)
        HeldByOther, // Take without takeOver, or Renew after someone took it over
        NoStore,     // this target's layer keeps no lease (said in `message`)
        Failed,      // the store could not be read or written (`message`)
    };
    LeaseRequest::Op op = LeaseRequest::Op::Read;
    Outcome outcome = Outcome::Failed;
    OperatorLease lease;    // what is stored after the call (valid unless Failed / NoStore)
    OperatorLease previous; // what was stored before it
    QString message;        // one line
    QString where;          // LeaseStore::where()

    bool ok() const { return outcome != Outcome::Failed && outcome != Outcome::HeldByOther && outcome != Outcome::NoStore; }
};

// The rules on top of a store; pure apart from the store's I/O.
class LeaseKeeper
{
public:
    // `store` may be null: every request is answered NoStore.
    static LeaseResult handle(LeaseStore *store, const LeaseRequest &request, qint64 nowMs);
};

} // namespace Switchboard

Q_DECLARE_METATYPE(Switchboard::LeaseRequest)
Q_DECLARE_METATYPE(Switchboard::LeaseResult)
