#include "fleetfilterproxy.h"

#include "fleettablemodel.h"

namespace Switchboard {

FleetFilterProxy::FleetFilterProxy(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(FleetTableModel::SortRole);
    // Rows move as their state changes (a target that starts failing comes up at once).
    setDynamicSortFilter(true);
    // Names tie-break within equal keys, so the order never depends on the source's.
    setSortCaseSensitivity(Qt::CaseInsensitive);
}

void FleetFilterProxy::setSearchText(const QString &text)
{
    if (text == m_search)
        return;
    m_search = text;
    m_words = text.simplified().toLower().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    invalidateRowsFilter();
}

void FleetFilterProxy::setStateFilter(const QString &state)
{
    if (state == m_state)
        return;
    m_state = state;
    invalidateRowsFilter();
}

void FleetFilterProxy::setKindFilter(const QString &kind)
{
    if (kind == m_kind)
        return;
    m_kind = kind;
    invalidateRowsFilter();
}

void FleetFilterProxy::setAttentionFirst(bool on)
{
    if (on == m_attentionFirst)
        return;
    m_attentionFirst = on;
    invalidate();
}

bool FleetFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex i = sourceModel()->index(sourceRow, 0, sourceParent);
    if (!m_kind.isEmpty() && i.data(FleetTableModel::KindRole).toString() != m_kind)
        return false;
    if (m_state == attentionFilter()) {
        if (!i.data(FleetTableModel::AttentionRole).toBool())
            return false;
    } else if (!m_state.isEmpty() && i.data(FleetTableModel::StateRole).toString() != m_state) {
        return false;
    }
    if (m_words.isEmpty())
        return true;
    const QString text = i.data(FleetTableModel::SearchTextRole).toString().toLower();
    for (const QString &w : m_words)
        if (!text.contains(w))
            return false;
    return true;
}

bool FleetFilterProxy::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    if (m_attentionFirst) {
        const bool a = left.data(FleetTableModel::AttentionRole).toBool();
        const bool b = right.data(FleetTableModel::AttentionRole).toBool();
        if (a != b) // first in either sort order: Qt reverses lessThan for descending
            return sortOrder() == Qt::AscendingOrder ? a : b;
    }
    const QVariant l = left.data(FleetTableModel::SortRole);
    const QVariant r = right.data(FleetTableModel::SortRole);
    const auto order = QVariant::compare(l, r);
    if (order != QPartialOrdering::Equivalent && order != QPartialOrdering::Unordered)
        return order == QPartialOrdering::Less;
    // Equal keys: by name, so the order is stable and never the source's accident.
    const QString ln = left.sibling(left.row(), FleetTableModel::Name).data().toString();
    const QString rn = right.sibling(right.row(), FleetTableModel::Name).data().toString();
    return QString::compare(ln, rn, Qt::CaseInsensitive) < 0;
}

} // namespace Switchboard
