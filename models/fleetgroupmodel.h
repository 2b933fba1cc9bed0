#pragma once
// The fleet table grouped by targets.json's "group" (a team, an environment): a two-level tree
// of group rows and their targets over the filtered, sorted flat model, or the flat list when
// grouping is off. Groups come in the order of their first target in the flat model, so the
// group holding a target that needs someone comes first when those do.

#include <QAbstractItemModel>
#include <QPersistentModelIndex>

namespace Switchboard {

class FleetGroupModel final : public QAbstractItemModel
{
    Q_OBJECT
public:
    explicit FleetGroupModel(QObject *parent = nullptr);

    // A flat model carrying FleetTableModel's roles (the FleetFilterProxy); not owned.
    void setSourceModel(QAbstractItemModel *source);
    QAbstractItemModel *sourceModel() const { return m_source; }
    bool isGrouped() const { return m_grouped; }
    void setGrouped(bool on);

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

    // Invalid for a group row.
    QModelIndex mapToSource(const QModelIndex &index) const;
    QModelIndex mapFromSource(const QModelIndex &sourceIndex) const;
    bool isGroupRow(const QModelIndex &index) const;

private:
    struct Group
    {
        QString name;
        QList<int> sourceRows;
    };
    // Where a source row sits: its group (-1 when flat) and its row there.
    struct Place
    {
        int group = -1;
        int row = -1;
    };

    void rebuild();
    void endSourceChange();
    void onDataChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight, const QList<int> &roles);
    void onLayoutAboutToBeChanged();
    void onLayoutChanged();

    QAbstractItemModel *m_source = nullptr;
    bool m_grouped = false;
    QList<Group> m_groups;
    QList<Place> m_places; // by source row
    // Across a source layout change: the persistent indexes and what they pointed at.
    QModelIndexList m_layoutOld;
    QList<QPersistentModelIndex> m_layoutSource; // invalid for group rows
    QStringList m_layoutGroup;                   // the group's name for group rows
};

} // namespace Switchboard
