#include "fleetviewwidget.h"

#include "confirmbarwidget.h"
#include "fleetfilterproxy.h"
#include "fleetgroupmodel.h"
#include "fleetrowdelegate.h"
#include "fleettablemodel.h"
#include "targetcontroller.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QShortcut>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

#include <algorithm>

namespace Switchboard {

FleetViewWidget::FleetViewWidget(FleetTableModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_proxy(new FleetFilterProxy(this))
    , m_groups(new FleetGroupModel(this))
    , m_search(new QLineEdit(this))
    , m_state(new QComboBox(this))
    , m_kind(new QComboBox(this))
    , m_grouped(new QCheckBox(tr("Group"), this))
    , m_attentionFirst(new QCheckBox(tr("Urgent first"), this))
    , m_count(new QLabel(this))
    , m_view(new QTreeView(this))
    , m_confirm(new ConfirmBarWidget(this))
{
    m_proxy->setSourceModel(m_model);
    m_proxy->sort(FleetTableModel::Name, Qt::AscendingOrder);
    m_groups->setSourceModel(m_proxy);

    m_search->setObjectName(QStringLiteral("fleetSearch"));
    m_search->setPlaceholderText(tr("Find a target (Ctrl+F)"));
    m_search->setClearButtonEnabled(true);
    m_state->setObjectName(QStringLiteral("fleetState"));
    m_state->setToolTip(tr("Show only targets in this state"));
    // The pane is narrow at 1024×640: the filters must not set its minimum width.
    for (QComboBox *box : {m_state, m_kind}) {
        box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        box->setMinimumContentsLength(6);
    }
    m_kind->setObjectName(QStringLiteral("fleetKind"));
    m_kind->setToolTip(tr("Show only targets of this kind"));
    m_grouped->setObjectName(QStringLiteral("fleetGroup"));
    m_grouped->setToolTip(tr("Group by targets.json \"group\" (a team, an environment)"));
    m_attentionFirst->setObjectName(QStringLiteral("fleetAttentionFirst"));
    m_attentionFirst->setChecked(true);
    m_attentionFirst->setToolTip(tr("Failing, paused, disconnected and stale targets come first"));
    m_count->setObjectName(QStringLiteral("fleetCount"));
    auto *rollback = new QToolButton(this);
    rollback->setObjectName(QStringLiteral("fleetRollback"));
    rollback->setText(tr("Roll back…"));
    rollback->setToolTip(tr("Roll the selected target back to 100% stable, after confirming (Ctrl+Alt+R)"));

    m_view->setObjectName(QStringLiteral("fleetTable"));
    m_view->setModel(m_groups);
    m_view->setItemDelegate(new FleetRowDelegate(m_view));
    m_view->setSortingEnabled(true);
    m_view->header()->setSortIndicator(FleetTableModel::Name, Qt::AscendingOrder);
    m_view->setRootIsDecorated(false);
    m_view->setUniformRowHeights(true); // hundreds of rows: no per-row size computation
    m_view->setAlternatingRowColors(true);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setAllColumnsShowFocus(true);
    m_view->header()->setStretchLastSection(false);
    const int widths[FleetTableModel::ColumnCount] = {130, 90, 190, 110, 110, 50, 70, 190, 90, 80, 90};
    for (int c = 0; c < FleetTableModel::ColumnCount; ++c)
        m_view->setColumnWidth(c, widths[c]);
    m_view->setMinimumWidth(190);
    m_confirm->setObjectName(QStringLiteral("fleetConfirm"));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *findRow = new QHBoxLayout;
    findRow->addWidget(m_search, 1);
    findRow->addWidget(m_count);
    layout->addLayout(findRow);
    auto *filterRow = new QHBoxLayout;
    filterRow->addWidget(m_state, 1);
    filterRow->addWidget(m_kind, 1);
    layout->addLayout(filterRow);
    auto *optionRow = new QHBoxLayout;
    optionRow->addWidget(m_grouped);
    optionRow->addWidget(m_attentionFirst);
    optionRow->addStretch(1);
    optionRow->addWidget(rollback);
    layout->addLayout(optionRow);
    layout->addWidget(m_confirm);
    layout->addWidget(m_view, 1);

    auto *find = new QShortcut(QKeySequence::Find, this);
    find->setContext(Qt::WindowShortcut);
    connect(find, &QShortcut::activated, this, &FleetViewWidget::focusSearch);
    auto *rollbackKey = new QShortcut(QKeySequence(QStringLiteral("Ctrl+Alt+R")), this);
    rollbackKey->setContext(Qt::WidgetWithChildrenShortcut);
    connect(rollbackKey, &QShortcut::activated, this, &FleetViewWidget::rollbackCurrent);
    connect(rollback, &QToolButton::clicked, this, &FleetViewWidget::rollbackCurrent);

    connect(m_search, &QLineEdit::textChanged, m_proxy, &FleetFilterProxy::setSearchText);
    // Down from the search box goes to the rows, Enter there opens the first one shown.
    connect(m_search, &QLineEdit::returnPressed, this, [this] {
        QModelIndex first = m_groups->index(0, 0);
        if (m_groups->isGroupRow(first))
            first = m_groups->index(0, 0, first);
        if (first.isValid()) {
            m_view->setCurrentIndex(first);
            onActivated(first);
        }
    });
    m_search->installEventFilter(this);
    connect(m_state, &QComboBox::currentIndexChanged, this, [this] { m_proxy->setStateFilter(m_state->currentData().toString()); });
    connect(m_kind, &QComboBox::currentIndexChanged, this, [this] { m_proxy->setKindFilter(m_kind->currentData().toString()); });
    connect(m_grouped, &QCheckBox::toggled, this, [this](bool on) {
        m_groups->setGrouped(on);
        m_view->setRootIsDecorated(on);
    });
    connect(m_attentionFirst, &QCheckBox::toggled, m_proxy, &FleetFilterProxy::setAttentionFirst);
    connect(m_view, &QTreeView::activated, this, &FleetViewWidget::onActivated);
    connect(m_view, &QTreeView::clicked, this, &FleetViewWidget::onActivated);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this, &FleetViewWidget::onCurrentChanged);
    connect(m_groups, &QAbstractItemModel::modelReset, this, &FleetViewWidget::onReset);
    connect(m_groups, &QAbstractItemModel::layoutChanged, this, &FleetViewWidget::updateCount);
    connect(m_model, &QAbstractItemModel::modelReset, this, &FleetViewWidget::refillFilters);
    refillFilters();
    onReset();
}

void FleetViewWidget::refillFilters()
{
    const QString state = m_state->currentData().toString();
    const QString kind = m_kind->currentData().toString();
    const QSignalBlocker stateBlock(m_state);
    const QSignalBlocker kindBlock(m_kind);
    m_state->clear();
    m_state->addItem(tr("All states"), QString());
    m_state->addItem(tr("Needing someone"), FleetFilterProxy::attentionFilter());
    for (const char *s : {"healthy", "progressing", "paused", "degraded", "disconnected", "no data", "connecting"})
        m_state->addItem(QString::fromLatin1(s), QString::fromLatin1(s));
    m_state->setCurrentIndex(std::max(0, m_state->findData(state)));
    m_kind->clear();
    m_kind->addItem(tr("All kinds"), QString());
    for (const QString &k : m_model->kinds())
        m_kind->addItem(k, k);
    m_kind->setCurrentIndex(std::max(0, m_kind->findData(kind)));
}

TargetController *FleetViewWidget::currentTarget() const
{
    return m_view->currentIndex().data(FleetTableModel::ControllerRole).value<TargetController *>();
}

QStringList FleetViewWidget::shownNames() const
{
    QStringList out;
    for (int row = 0; row < m_groups->rowCount(); ++row) {
        const QModelIndex top = m_groups->index(row, 0);
        if (!m_groups->isGroupRow(top)) {
            out << top.data(Qt::DisplayRole).toString();
            continue;
        }
        for (int child = 0; child < m_groups->rowCount(top); ++child)
            out << m_groups->index(child, 0, top).data(Qt::DisplayRole).toString();
    }
    return out;
}

void FleetViewWidget::selectTarget(const QString &name)
{
    const int sourceRow = m_model->rowOf(name);
    if (sourceRow < 0)
        return;
    QModelIndex at = m_proxy->mapFromSource(m_model->index(sourceRow, 0));
    if (!at.isValid()) { // filtered out: the operator asked for this one, show it
        m_search->clear();
        m_state->setCurrentIndex(0);
        m_kind->setCurrentIndex(0);
        at = m_proxy->mapFromSource(m_model->index(sourceRow, 0));
    }
    m_currentName = name;
    m_view->setCurrentIndex(m_groups->mapFromSource(at));
    m_view->scrollTo(m_view->currentIndex());
}

void FleetViewWidget::focusSearch()
{
    m_search->setFocus(Qt::ShortcutFocusReason);
    m_search->selectAll();
}

void FleetViewWidget::rollbackCurrent()
{
    QPointer<TargetController> c = currentTarget();
    if (!c) {
        Q_EMIT message(tr("Select a target to roll back"), 4000);
        return;
    }
    if (c->isReadOnly()) {
        Q_EMIT message(tr("%1 is read-only: %2").arg(c->name(), c->readOnlyReason()), 6000);
        return;
    }
    const double canary = c->snapshot().split.canary;
    const QString before = isKnown(canary) ? tr("canary %1%").arg(canary, 0, 'g', 4) : tr("canary unknown");
    m_confirm->ask(tr("Roll back %1?").arg(c->name()), tr("%1 → canary 0% (100% stable)").arg(before), [this, c](bool yes) {
        if (yes && c) {
            c->operatorRollback(QStringLiteral("rolled back from the fleet view")); // audit reason: English
            Q_EMIT message(tr("Rolling back %1…").arg(c->name()), 4000);
        }
        m_view->setFocus(Qt::OtherFocusReason);
    });
}

void FleetViewWidget::onActivated(const QModelIndex &index)
{
    if (m_groups->isGroupRow(index)) {
        m_view->setExpanded(index.siblingAtColumn(0), !m_view->isExpanded(index.siblingAtColumn(0)));
        return;
    }
    if (TargetController *c = index.data(FleetTableModel::ControllerRole).value<TargetController *>())
        Q_EMIT openRequested(c);
}

void FleetViewWidget::onCurrentChanged(const QModelIndex &current)
{
    if (TargetController *c = current.data(FleetTableModel::ControllerRole).value<TargetController *>())
        m_currentName = c->name();
    // A question about another target would now be answered for the wrong row.
    if (m_confirm->isAsking())
        m_confirm->withdraw();
}

void FleetViewWidget::onReset()
{
    if (m_groups->isGrouped())
        m_view->expandAll();
    if (!m_currentName.isEmpty()) {
        const int sourceRow = m_model->rowOf(m_currentName);
        const QModelIndex at = sourceRow < 0 ? QModelIndex() : m_proxy->mapFromSource(m_model->index(sourceRow, 0));
        if (at.isValid())
            m_view->setCurrentIndex(m_groups->mapFromSource(at));
    }
    updateCount();
}

bool FleetViewWidget::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_search && event->type() == QEvent::KeyPress
        && static_cast<QKeyEvent *>(event)->key() == Qt::Key_Down) {
        m_view->setFocus(Qt::OtherFocusReason);
        if (!m_view->currentIndex().isValid()) {
            QModelIndex first = m_groups->index(0, 0);
            if (m_groups->isGroupRow(first))
                first = m_groups->index(0, 0, first);
            m_view->setCurrentIndex(first);
        }
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

void FleetViewWidget::updateCount()
{
    m_count->setText(tr("%1 of %2").arg(m_proxy->rowCount()).arg(m_model->rowCount()));
}

} // namespace Switchboard
