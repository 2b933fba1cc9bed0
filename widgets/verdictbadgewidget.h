#pragma once
// The panel's verdict line: a badge with the canary's health verdict against stable (healthy /
// watch / failing / no data; the numbers behind it in the tooltip) and the "roll back
// automatically" checkbox, which is saved into targets.json by the controller.

#include <QPointer>
#include <QWidget>

class QCheckBox;
class QLabel;

namespace Switchboard {

class ElidedLabel;

class TargetController;

class VerdictBadgeWidget final : public QWidget
{
    Q_OBJECT
public:
    explicit VerdictBadgeWidget(QWidget *parent = nullptr);

    void setController(TargetController *controller);
    // Where the checkbox's setting is saved; empty (the demo): for this run only.
    void setTargetsPath(const QString &path) { m_targetsPath = path; }
    // "healthy", "watch", "failing", "no data" or "none" (no canary traffic): for tests.
    QString shownState() const { return m_shownState; }

private:
    void sync();
    void onToggled(bool on);
    void onAutoRollbackChanged(bool on, bool saved, const QString &error);

    QPointer<TargetController> m_controller;
    QString m_targetsPath;
    QLabel *m_badge;
    ElidedLabel *m_reason;
    QCheckBox *m_autoRollback;
    QString m_shownState;
};

} // namespace Switchboard
