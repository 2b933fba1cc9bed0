#pragma once
// The panel's Testers row: the tester routes in force (header or cookie → canary, whatever the
// weights), Add (header or cookie, name, value) and Remove, each confirmed inline with
// before → after and showing its progress and result. Off, with the reason in the tooltip,
// when the target's layer takes no route edits (none configured, Argo Rollouts owns them) or
// the target is read-only.

#include "confirm.h"
#include "domain.h"

#include <QPointer>
#include <QWidget>

class QComboBox;
class QLineEdit;
class QPushButton;

namespace Switchboard {

class ElidedLabel;
class TargetController;

class TestersRowWidget final : public QWidget
{
    Q_OBJECT
public:
    explicit TestersRowWidget(ConfirmFn confirm, QWidget *parent = nullptr);

    void setController(TargetController *controller);

public Q_SLOTS:
    void add();
    void removeSelected();

private:
    void sync();
    void onActionStarted(const QString &description);
    void onActionFinished(const ChangeResult &result);
    QString routeText(const TrafficRoute &route) const;
    QString routesText(const QList<TrafficRoute> &routes) const;

    ConfirmFn m_confirm;
    QPointer<TargetController> m_controller;
    ElidedLabel *m_routes;
    QComboBox *m_kind;
    QLineEdit *m_name;
    QLineEdit *m_value;
    QPushButton *m_add;
    QComboBox *m_inForce;
    QPushButton *m_remove;
    ElidedLabel *m_progress;
    quint64 m_awaitId = 0; // our change's id, so other actions' results are not shown here
};

} // namespace Switchboard
