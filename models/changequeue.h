#pragma once
// One target's weight changes, one at a time: the change on the wire, at most one waiting
// behind it, the audit entry of each, and each answer matched to the change it answers.
//
// Every change gets an id (WeightChange::id) when it is submitted. Backends answer without it,
// but only one change is ever on the wire, so the answer to arrive is the in-flight change's:
// finish() stamps that id on the result (ChangeResult::id), and callers recognise their own
// changes by it rather than by the percent they asked for.
//
// Queue rules: the newest change replaces the one waiting, except that a waiting rollback is
// never replaced by anything but another rollback (the way back is never refused or dropped).
// A replaced change is never sent and gets no result.

#include "domain.h"

#include <QObject>

#include <optional>

namespace Switchboard {

class AuditLog;

class ChangeQueue final : public QObject
{
    Q_OBJECT
public:
    struct Change
    {
        WeightChange change; // change.id is the change's id
        QString action;      // set-weight, rolling-move, promote, rollback
        bool step = false;   // promoteStep: the layer's next step; `change` only carries the reason
    };

    // `target` names the audit entries; `audit` (may be null) must outlive the queue.
    ChangeQueue(const QString &target, AuditLog *audit, QObject *parent = nullptr);

    // Takes a change and gives it its id: sent at once (sendRequested) when nothing is on the
    // wire, else queued by the rules above. Returns the id.
    quint64 submit(Change c);
    // The id the next submitted (or refused) change will get: a caller whose change may be
    // answered before submit returns (a refusal) knows its id beforehand.
    quint64 nextId() const { return m_nextId; }
    // Uses up an id for a change refused before it reached the queue (a read-only target), so
    // that its result still carries one.
    quint64 takeId() { return m_nextId++; }

    // The answer to the change on the wire: stamps its id on `result`, writes the audit entry,
    // announces finished(), then sends the queued change, if any. An answer with nothing on the
    // wire (it cannot happen with one backend) is passed on with id 0 and not audited.
    void finish(const ChangeResult &result);

    bool isBusy() const { return m_inFlight.has_value(); }
    std::optional<Change> inFlight() const { return m_inFlight; }
    std::optional<Change> queued() const { return m_queued; }

Q_SIGNALS:
    // Put `change` on the wire now (the controller forwards it to the traffic layer).
    void sendRequested(const Switchboard::ChangeQueue::Change &change);
    // `change` was answered with `result` (its id stamped) and audited; `auditError` is empty
    // unless the audit entry could not be made durable. Emitted before the next change is sent.
    void finished(const Switchboard::ChangeQueue::Change &change, const Switchboard::ChangeResult &result,
                  const QString &auditError);

private:
    void send(Change c);
    QString writeAudit(const Change &c, const ChangeResult &r);

    QString m_target;
    AuditLog *m_audit;
    quint64 m_nextId = 1; // 0 means "no change"
    std::optional<Change> m_inFlight;
    std::optional<Change> m_queued;
    bool m_finishing = false; // finished() is being emitted
};

} // namespace Switchboard

Q_DECLARE_METATYPE(Switchboard::ChangeQueue::Change)
