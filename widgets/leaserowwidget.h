#pragma once
// The target's operator lease in one line: free, yours, or someone else's (who, what for, since
// when, when it lapses), with the one action that fits: take it, give it back, or take it over
// (confirmed inline, audited). Someone else's lease leaves every action but Rollback off, and
// this line says why before anyone clicks. Hidden for layers that keep no lease.

#include "confirm.h"

#include <QPointer>
#include <QWidget>

class QLabel;
class QPushButton;

namespace Switchboard {

class TargetController;
struct LeaseResult;

class LeaseRowWidget final : public QWidget
{
    Q_OBJECT
public:
    explicit LeaseRowWidget(ConfirmFn confirm, QWidget *parent = nullptr);

    void setController(TargetController *controller);
    // Re-reads the clock (the countdown); the panel calls it every second.
    void refresh();

public Q_SLOTS:
    // What the button does: take, release, or (confirmed) take over.
    void act();

Q_SIGNALS:
    void message(const QString &text, int timeoutMs);

private:
    void onAnswered(const LeaseResult &result);

    ConfirmFn m_confirm;
    QPointer<TargetController> m_controller;
    QLabel *m_text;
    QPushButton *m_action;
};

} // namespace Switchboard
