#include "testersrowwidget.h"

#include "elidedlabel.h"
#include "targetcontroller.h"

#include <QComboBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace Switchboard {

TestersRowWidget::TestersRowWidget(ConfirmFn confirm, QWidget *parent)
    : QWidget(parent)
    , m_confirm(std::move(confirm))
    , m_routes(new ElidedLabel(this))
    , m_kind(new QComboBox(this))
    , m_name(new QLineEdit(this))
    , m_value(new QLineEdit(this))
    , m_add(new QPushButton(tr("Add"), this))
    , m_inForce(new QComboBox(this))
    , m_remove(new QPushButton(tr("Remove"), this))
    , m_progress(new ElidedLabel(this))
{
    m_routes->setObjectName(QStringLiteral("testersRoutes"));
    m_kind->setObjectName(QStringLiteral("testersKind"));
    m_name->setObjectName(QStringLiteral("testersName"));
    m_value->setObjectName(QStringLiteral("testersValue"));
    m_add->setObjectName(QStringLiteral("testersAdd"));
    m_inForce->setObjectName(QStringLiteral("testersInForce"));
    m_remove->setObjectName(QStringLiteral("testersRemove"));
    m_progress->setObjectName(QStringLiteral("testersProgress"));
    m_kind->addItem(tr("Header"), int(TrafficRoute::Match::Header));
    m_kind->addItem(tr("Cookie"), int(TrafficRoute::Match::Cookie));
    m_name->setPlaceholderText(tr("name, e.g. X-Canary"));
    m_value->setPlaceholderText(tr("value, e.g. always"));
    // Narrow by design: the row must never widen the panel.
    for (QWidget *w : {static_cast<QWidget *>(m_name), static_cast<QWidget *>(m_value), static_cast<QWidget *>(m_inForce)}) {
        w->setMinimumWidth(60);
        w->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
    }

    auto *top = new QHBoxLayout;
    top->setContentsMargins(0, 0, 0, 0);
    auto *title = new QLabel(tr("Testers:"), this);
    top->addWidget(title);
    top->addWidget(m_routes, 1);
    auto *edit = new QHBoxLayout;
    edit->setContentsMargins(0, 0, 0, 0);
    edit->addWidget(m_kind);
    edit->addWidget(m_name, 2);
    edit->addWidget(m_value, 2);
    edit->addWidget(m_add);
    edit->addSpacing(12);
    edit->addWidget(m_inForce, 3);
    edit->addWidget(m_remove);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addLayout(edit);
    layout->addWidget(m_progress);

    connect(m_add, &QPushButton::clicked, this, &TestersRowWidget::add);
    connect(m_value, &QLineEdit::returnPressed, this, &TestersRowWidget::add);
    connect(m_remove, &QPushButton::clicked, this, &TestersRowWidget::removeSelected);
    connect(m_name, &QLineEdit::textChanged, this, &TestersRowWidget::sync);
    connect(m_value, &QLineEdit::textChanged, this, &TestersRowWidget::sync);
    setController(nullptr);
}

void TestersRowWidget::setController(TargetController *controller)
{
    if (m_controller)
        disconnect(m_controller, nullptr, this, nullptr);
    m_controller = controller;
    m_awaitId = 0;
    m_progress->clear();
    if (controller) {
        connect(controller, &TargetController::snapshotChanged, this, &TestersRowWidget::sync);
        connect(controller, &TargetController::leaseChanged, this, &TestersRowWidget::sync);
        connect(controller, &TargetController::actionStarted, this, &TestersRowWidget::onActionStarted);
        connect(controller, &TargetController::actionFinished, this, &TestersRowWidget::onActionFinished);
    }
    sync();
}

QString TestersRowWidget::routeText(const TrafficRoute &r) const
{
    return r.match == TrafficRoute::Match::Header ? tr("%1: %2 → canary").arg(r.name, r.value)
                                                  : tr("cookie %1=%2 → canary").arg(r.name, r.value);
}

QString TestersRowWidget::routesText(const QList<TrafficRoute> &routes) const
{
    if (routes.isEmpty())
        return tr("none");
    QStringList parts;
    for (const TrafficRoute &r : routes)
        parts.append(routeText(r));
    return parts.join(QStringLiteral(", "));
}

void TestersRowWidget::sync()
{
    const TrafficSnapshot s = m_controller ? m_controller->snapshot() : TrafficSnapshot{};
    const bool known = m_controller && m_controller->hasSnapshot();
    m_routes->setText(known ? routesText(s.routes) : tr("unknown"));
    const QVariant selected = m_inForce->currentData();
    m_inForce->clear();
    for (const TrafficRoute &r : s.routes)
        m_inForce->addItem(routeText(r), QVariant::fromValue(r.toJson()));
    const int again = m_inForce->findData(selected);
    if (again >= 0)
        m_inForce->setCurrentIndex(again);

    // Why nothing can be edited, found out before the operator tries.
    QString off;
    if (!m_controller)
        off = tr("no target selected");
    else if (m_controller->isReadOnly())
        off = tr("read-only: %1").arg(m_controller->readOnlyReason());
    else if (!known)
        off = tr("the target has not answered yet");
    else if (!s.routesRefusal.isEmpty())
        off = s.routesRefusal;
    else if (const QString leased = m_controller->leaseRefusal(QDateTime::currentMSecsSinceEpoch()); !leased.isEmpty())
        off = tr("lease: %1").arg(leased);
    const bool busy = m_controller && m_controller->isActionInFlight();
    const bool usable = off.isEmpty();
    TrafficRoute candidate{TrafficRoute::Match(m_kind->currentData().toInt()), m_name->text().trimmed(), m_value->text().trimmed()};
    QString invalid;
    const bool valid = TrafficRoute::validate(candidate, &invalid);
    for (QWidget *w : {static_cast<QWidget *>(m_kind), static_cast<QWidget *>(m_name), static_cast<QWidget *>(m_value)}) {
        w->setEnabled(usable);
        w->setToolTip(off);
    }
    m_add->setEnabled(usable && valid && !busy);
    m_add->setToolTip(!usable ? off : (!valid && !candidate.name.isEmpty()) ? invalid : tr("Send requests carrying this to the canary"));
    m_inForce->setEnabled(usable && !s.routes.isEmpty());
    m_remove->setEnabled(usable && !s.routes.isEmpty() && !busy);
    m_remove->setToolTip(usable ? tr("Stop routing the selected testers to the canary") : off);
}

void TestersRowWidget::add()
{
    if (!m_controller || !m_add->isEnabled())
        return;
    const TrafficRoute route{TrafficRoute::Match(m_kind->currentData().toInt()), m_name->text().trimmed(), m_value->text().trimmed()};
    const QList<TrafficRoute> before = m_controller->snapshot().routes;
    RouteEdit edit;
    edit.op = RouteEdit::Op::Add;
    edit.route = route;
    edit.expected = before;
    QPointer<TargetController> c = m_controller;
    m_confirm(tr("Route testers to the canary?"),
              tr("%1 → %2").arg(routesText(before), routesText(edit.applyTo(before))), [self = QPointer<TestersRowWidget>(this), c, edit](bool yes) {
                  if (!yes || !self || !c || c != self->m_controller)
                      return;
                  self->m_awaitId = c->nextChangeId();
                  c->editRoutes(edit, QStringLiteral("gui"));
              });
}

void TestersRowWidget::removeSelected()
{
    if (!m_controller || m_inForce->currentIndex() < 0)
        return;
    TrafficRoute route;
    QString error;
    if (!TrafficRoute::fromJson(m_inForce->currentData().toJsonObject(), &route, &error))
        return;
    const QList<TrafficRoute> before = m_controller->snapshot().routes;
    RouteEdit edit;
    edit.op = RouteEdit::Op::Remove;
    edit.route = route;
    edit.expected = before;
    QPointer<TargetController> c = m_controller;
    m_confirm(tr("Stop routing these testers to the canary?"),
              tr("%1 → %2").arg(routesText(before), routesText(edit.applyTo(before))), [self = QPointer<TestersRowWidget>(this), c, edit](bool yes) {
                  if (!yes || !self || !c || c != self->m_controller)
                      return;
                  self->m_awaitId = c->nextChangeId();
                  c->editRoutes(edit, QStringLiteral("gui"));
              });
}

void TestersRowWidget::onActionStarted(const QString &description)
{
    if (m_awaitId != 0)
        m_progress->setText(QStringLiteral("⏳ ") + description);
    sync();
}

void TestersRowWidget::onActionFinished(const ChangeResult &result)
{
    if (m_awaitId != 0 && result.id == m_awaitId) {
        m_awaitId = 0;
        m_progress->setText(result.ok() ? QStringLiteral("✓ ") + result.message
                                        : QStringLiteral("✗ %1: %2").arg(statusName(result.status), result.message));
    }
    sync();
}

} // namespace Switchboard
