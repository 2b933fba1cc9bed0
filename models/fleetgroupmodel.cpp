#include "fleetgroupmodel.h"

#include "fleettablemodel.h"

namespace Switchboard {

FleetGroupModel::FleetGroupModel(QObject *parent)
    : QAbstractItemModel(parent)
{
}

void FleetGroupModel::setSourceModel(QAbstractItemModel *source)
{
    beginResetModel();
    if (m_source)
        disconnect(m_source, nullptr, this, nullptr);
    m_source = source;
    if (m_source) {
        connect(m_source, &QAbstractItemModel::dataChanged, this, &FleetGroupModel::onDataChanged);
        connect(m_source, &QAbstractItemModel::headerDataChanged, this, &FleetGroupModel::headerDataChanged);
        connect(m_source, &QAbstractItemModel::layoutAboutToBeChanged, this, &FleetGroupModel::onLayoutAboutToBeChanged);
        connect(m_source, &QAbstractItemModel::layoutChanged, this, &FleetGroupModel::onLayoutChanged);
        // Rows coming and going (a filter, a new targets list) rebuild the tree; the view keeps
        // its current target by name across it.
        connect(m_source, &QAbstractItemModel::rowsAboutToBeInserted, this, &FleetGroupModel::beginResetModel);
        connect(m_source, &QAbstractItemModel::rowsAboutToBeRemoved, this, &FleetGroupModel::beginResetModel);
        connect(m_source, &QAbstractItemModel::rowsAboutToBeMoved, this, &FleetGroupModel::beginResetModel);
        connect(m_source, &QAbstractItemModel::modelAboutToBeReset, this, &FleetGroupModel::beginResetModel);
        connect(m_source, &QAbstractItemModel::columnsAboutToBeInserted, this, &FleetGroupModel::beginResetModel);
        connect(m_source, &QAbstractItemModel::columnsAboutToBeRemoved, this, &FleetGroupModel::beginResetModel);
        connect(m_source, &QAbstractItemModel::rowsInserted, this, &FleetGroupModel::endSourceChange);
        connect(m_source, &QAbstractItemModel::rowsRemoved, this, &FleetGroupModel::endSourceChange);
        connect(m_source, &QAbstractItemModel::rowsMoved, this, &FleetGroupModel::endSourceChange);
        connect(m_source, &QAbstractItemModel::columnsInserted, this, &FleetGroupModel::endSourceChange);
        connect(m_source, &QAbstractItemModel::columnsRemoved, this, &FleetGroupModel::endSourceChange);
        connect(m_source, &QAbstractItemModel::modelReset, this, &FleetGroupModel::endSourceChange);
    }
    rebuild();
    endResetModel();
}

void FleetGroupModel::endSourceChange()
{
    rebuild();
    endResetModel();
}

void FleetGroupModel::setGrouped(bool on)
{
    if (on == m_grouped)
        return;
    beginResetModel();
    m_grouped = on;
    rebuild();
    endResetModel();
}

void FleetGroupModel::rebuild()
{
    m_groups.clear();
    m_places.clear();
    if (!m_source)
        return;
    const int n = m_source->rowCount();
    m_places.resize(n);
    QHash<QString, int> byName;
    for (int row = 0; row < n; ++row) {
        if (!m_grouped) {
            m_places[row] = {-1, row};
            continue;
        }
        const QString name = m_source->index(row, 0).data(FleetTableModel::GroupRole).toString();
        auto it = byName.find(name);
        if (it == byName.end()) {
            it = byName.insert(name, int(m_groups.size()));
            m_groups.append(Group{name, {}});
        }
        Group &g = m_groups[*it];
        m_places[row] = {*it, int(g.sourceRows.size())};
        g.sourceRows.append(row);
    }
}

QModelIndex FleetGroupModel::index(int row, int column, const QModelIndex &parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    if (!parent.isValid())
        return createIndex(row, column, quintptr(0));
    return createIndex(row, column, quintptr(parent.row() + 1));
}

QModelIndex FleetGroupModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == 0)
        return {};
    return createIndex(int(child.internalId() - 1), 0, quintptr(0));
}

int FleetGroupModel::rowCount(const QModelIndex &parent) const
{
    if (!m_source)
        return 0;
    if (!parent.isValid())
        return m_grouped ? int(m_groups.size()) : int(m_places.size());
    if (!m_grouped || parent.internalId() != 0 || parent.column() != 0)
        return 0;
    return int(m_groups.value(parent.row()).sourceRows.size());
}

int FleetGroupModel::columnCount(const QModelIndex &parent) const
{
    Q_UNUSED(parent)
    return m_source ? m_source->columnCount() : 0;
}

bool FleetGroupModel::isGroupRow(const QModelIndex &index) const
{
    return m_grouped && index.isValid() && index.internalId() == 0;
}

QModelIndex FleetGroupModel::mapToSource(const QModelIndex &index) const
{
    if (!m_source || !index.isValid() || isGroupRow(index))
        return {};
    if (!m_grouped)
        return m_source->index(index.row(), index.column());
    const int g = int(index.internalId() - 1);
    return m_source->index(m_groups.at(g).sourceRows.at(index.row()), index.column());
}

QModelIndex FleetGroupModel::mapFromSource(const QModelIndex &sourceIndex) const
{
    if (!sourceIndex.isValid() || sourceIndex.row() >= m_places.size())
        return {};
    const Place p = m_places.at(sourceIndex.row());
    if (p.group < 0)
        return createIndex(p.row, sourceIndex.column(), quintptr(0));
    return createIndex(p.row, sourceIndex.column(), quintptr(p.group + 1));
}

QVariant FleetGroupModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    if (!isGroupRow(index))
        return mapToSource(index).data(role);
    const Group &g = m_groups.at(index.row());
    int needing = 0;
    for (int row : g.sourceRows)
        needing += m_source->index(row, 0).data(FleetTableModel::AttentionRole).toBool() ? 1 : 0;
    switch (role) {
    case Qt::DisplayRole:
        if (index.column() != 0)
            return {};
        {
            const QString name = g.name.isEmpty() ? tr("(no group)") : g.name;
            const QString count = g.sourceRows.size() == 1 ? tr("1 target") : tr("%1 targets").arg(g.sourceRows.size());
            return needing ? tr("%1 · %2, %3 need someone").arg(name, count).arg(needing) : tr("%1 · %2").arg(name, count);
        }
    case FleetTableModel::GroupRole:
        return g.name;
    case FleetTableModel::AttentionRole:
        return needing > 0;
    default:
        return {};
    }
}

QVariant FleetGroupModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    return m_source ? m_source->headerData(section, orientation, role) : QVariant();
}

Qt::ItemFlags FleetGroupModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    if (isGroupRow(index))
        return Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    return mapToSource(index).flags();
}

void FleetGroupModel::sort(int column, Qt::SortOrder order)
{
    if (m_source)
        m_source->sort(column, order);
}

void FleetGroupModel::onDataChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight, const QList<int> &roles)
{
    QList<int> groupsTouched;
    for (int row = topLeft.row(); row <= bottomRight.row() && row < m_places.size(); ++row) {
        const QModelIndex first = mapFromSource(m_source->index(row, topLeft.column()));
        const QModelIndex last = mapFromSource(m_source->index(row, bottomRight.column()));
        Q_EMIT dataChanged(first, last, roles);
        if (m_places.at(row).group >= 0 && !groupsTouched.contains(m_places.at(row).group))
            groupsTouched.append(m_places.at(row).group);
    }
    // A group's header counts its targets that need someone.
    for (int g : std::as_const(groupsTouched))
        Q_EMIT dataChanged(index(g, 0), index(g, columnCount() - 1));
}

void FleetGroupModel::onLayoutAboutToBeChanged()
{
    Q_EMIT layoutAboutToBeChanged();
    m_layoutOld = persistentIndexList();
    m_layoutSource.clear();
    m_layoutGroup.clear();
    for (const QModelIndex &i : std::as_const(m_layoutOld)) {
        if (isGroupRow(i)) {
            m_layoutSource.append(QPersistentModelIndex());
            m_layoutGroup.append(m_groups.at(i.row()).name);
        } else {
            m_layoutSource.append(QPersistentModelIndex(mapToSource(i)));
            m_layoutGroup.append(QString());
        }
    }
}

void FleetGroupModel::onLayoutChanged()
{
    rebuild();
    QModelIndexList now;
    for (int k = 0; k < m_layoutOld.size(); ++k) {
        const QModelIndex &old = m_layoutOld.at(k);
        if (m_layoutSource.at(k).isValid()) {
            now.append(mapFromSource(m_layoutSource.at(k)));
            continue;
        }
        QModelIndex found;
        for (int g = 0; g < m_groups.size(); ++g)
            if (m_groups.at(g).name == m_layoutGroup.at(k))
                found = index(g, old.column());
        now.append(found);
    }
    changePersistentIndexList(m_layoutOld, now);
    m_layoutOld.clear();
    m_layoutSource.clear();
    m_layoutGroup.clear();
    Q_EMIT layoutChanged();
}

} // namespace Switchboard
