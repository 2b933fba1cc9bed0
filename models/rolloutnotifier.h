#pragma once
// Turns one target's rollout and controller events into Notifications: a rollout that rolled
// back, paused waiting for the operator (missing data, a refused step, a plan step "until
// resumed", traffic moved by someone else), failed or was promoted, and a rollback or promote
// to 100% made by hand outside a rollout. A pause the operator asked for tells nobody.
// QtCore only: the senders live in backends/notify, the wiring in app/.

#include "notification.h"
#include "rolloutengine.h"

#include <QObject>
#include <QPointer>

namespace Switchboard {

class TargetController;
struct ChangeResult;

class RolloutNotifier final : public QObject
{
    Q_OBJECT
public:
    // `controller` must outlive this object; `user` is who acts here (AuditLog::currentUser()).
    RolloutNotifier(TargetController *controller, const QString &user, QObject *parent = nullptr);

    // Follows `engine` (the controller's own rollouts are followed without this; tests and
    // tools that make their own engine call it). Only one engine is followed at a time.
    void watch(RolloutEngine *engine);

Q_SIGNALS:
    void raised(const Switchboard::Notification &notification);

private:
    void onStateChanged(RolloutEngine::State state);
    void onFinished(RolloutEngine::Outcome outcome);
    void onChangeAnswered(const QString &action, const QString &reason, const ChangeResult &result);
    // `ofRollout`: the followed rollout's plan and gate results belong in it.
    Notification make(Notification::Kind kind, const QString &what, const QString &reason, const QString &who,
                      bool ofRollout = true) const;
    QStringList figures(bool ofRollout) const;
    QString automatic() const;

    TargetController *m_controller;
    QString m_user;
    QPointer<RolloutEngine> m_engine;
    RolloutEngine::State m_lastState = RolloutEngine::State::Idle;
};

} // namespace Switchboard
