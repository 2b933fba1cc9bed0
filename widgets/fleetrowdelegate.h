#pragma once
// Paints the fleet table's cells: the state in its colour (the target list's), rows that need
// someone with a bold name, group rows bold.

#include <QStyledItemDelegate>

namespace Switchboard {

class FleetRowDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override;
};

} // namespace Switchboard
