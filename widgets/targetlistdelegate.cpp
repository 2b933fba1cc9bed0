#include "targetlistdelegate.h"

#include "displaynames.h"
#include "palette.h"
#include "targetlistmodel.h"

#include <QApplication>
#include <QLocale>
#include <QPainter>

#include <cmath>

namespace Switchboard {

QColor TargetListDelegate::stateColour(const QString &state)
{
    if (state == QStringLiteral("healthy"))
        return Palette::ok();
    if (state == QStringLiteral("disconnected") || state == QStringLiteral("degraded") || state == QStringLiteral("failing"))
        return Palette::danger();
    if (state == QStringLiteral("paused") || state == QStringLiteral("progressing") || state == QStringLiteral("watch"))
        return Palette::warning();
    return Palette::muted();
}

QSize TargetListDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &) const
{
    return {120, option.fontMetrics.height() * 2 + 6};
}

void TargetListDelegate::paint(QPainter *p, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    QApplication::style()->drawControl(QStyle::CE_ItemViewItem, &opt, p, opt.widget);

    const QString state = index.data(TargetListModel::StateRole).toString();
    const double canary = index.data(TargetListModel::CanaryPercentRole).toDouble();
    const QRect r = option.rect.adjusted(6, 3, -6, -3);
    const int h = option.fontMetrics.height();
    p->save();
    p->setRenderHint(QPainter::Antialiasing);
    // State dot: filled when connected, hollow when not. With canary traffic and nothing more
    // pressing (a rollout, a lost connection) it shows the verdict of canary against stable.
    const QString verdict = index.data(TargetListModel::VerdictRole).toString();
    const bool showVerdict = !verdict.isEmpty() && (state == QStringLiteral("healthy") || state == verdict);
    const QString shown = showVerdict ? verdict : state;
    const QColor dot = stateColour(shown);
    p->setPen(QPen(dot, 2));
    p->setBrush(shown == QStringLiteral("disconnected") || shown == QStringLiteral("no data") ? Qt::NoBrush : QBrush(dot));
    p->drawEllipse(QRectF(r.left(), r.top() + h / 2.0 - 5, 10, 10));
    p->setPen(option.state & QStyle::State_Selected ? option.palette.highlightedText().color() : option.palette.text().color());
    QFont bold = option.font;
    bold.setBold(true);
    p->setFont(bold);
    p->drawText(QRect(r.left() + 16, r.top(), r.width() - 16, h), Qt::AlignVCenter | Qt::AlignLeft,
                index.data(TargetListModel::NameRole).toString());
    p->setFont(option.font);
    const QString right = std::isfinite(canary) ? QLocale().toString(canary, 'g', 3) + QLatin1Char('%') : QStringLiteral("(%1)").arg(DisplayNames::targetState(state));
    p->drawText(QRect(r.left() + 16, r.top(), r.width() - 16, h), Qt::AlignVCenter | Qt::AlignRight, right);
    // Mini split bar.
    const QRectF bar(r.left() + 16, r.top() + h + 2, r.width() - 16, std::max(4, h / 2));
    if (std::isfinite(canary)) {
        const double w = bar.width() * (100 - canary) / 100.0;
        p->fillRect(QRectF(bar.left(), bar.top(), w, bar.height()), Palette::stable());
        p->fillRect(QRectF(bar.left() + w, bar.top(), bar.width() - w, bar.height()), Palette::canary());
    } else {
        p->fillRect(bar, Palette::muted().lighter(150));
    }
    p->restore();
}

} // namespace Switchboard
