#include "fleetrowdelegate.h"

#include "fleettablemodel.h"
#include "targetlistdelegate.h"

namespace Switchboard {

void FleetRowDelegate::initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const
{
    QStyledItemDelegate::initStyleOption(option, index);
    const bool attention = index.data(FleetTableModel::AttentionRole).toBool();
    const bool groupRow = !index.data(FleetTableModel::ControllerRole).isValid();
    if (groupRow || (attention && index.column() == FleetTableModel::Name))
        option->font.setBold(true);
    if (!groupRow && index.column() == FleetTableModel::State)
        option->palette.setColor(QPalette::Text, TargetListDelegate::stateColour(index.data(FleetTableModel::StateRole).toString()));
}

} // namespace Switchboard
