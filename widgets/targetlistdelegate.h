#pragma once
// Paints a target row: state dot, name, a mini split bar and the canary percent.

#include <QStyledItemDelegate>

namespace Switchboard {

class TargetListDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    static QColor stateColour(const QString &state);
};

} // namespace Switchboard
