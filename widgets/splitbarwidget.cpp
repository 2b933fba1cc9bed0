#include "splitbarwidget.h"

#include "palette.h"

#include <QLocale>
#include <QPainter>
#include <QPainterPath>

#include <cmath>

namespace Switchboard {

namespace {

QString pct(double v)
{
    // 25 → "25%", 12.5 → "12.5%": whole numbers are the common case and read faster.
    return QLocale().toString(std::round(v * 10) / 10, 'g', 4) + QLatin1Char('%');
}

} // namespace

SplitBarWidget::SplitBarWidget(QWidget *parent)
    : QWidget(parent)
    , m_canary(std::nan(""))
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void SplitBarWidget::setSplit(double canaryPercent, bool stale)
{
    m_canary = canaryPercent;
    m_stale = stale;
    setAccessibleName(text());
    update();
}

QString SplitBarWidget::text() const
{
    if (std::isnan(m_canary))
        return tr("no split: no data");
    return tr("stable %1 · canary %2").arg(pct(100 - m_canary), pct(m_canary)) + (m_stale ? tr(" (stale)") : QString());
}

QSize SplitBarWidget::sizeHint() const
{
    return {600, 44};
}

QSize SplitBarWidget::minimumSizeHint() const
{
    return {200, 44};
}

void SplitBarWidget::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QRectF r = QRectF(rect()).adjusted(1, 1, -1, -1);
    QFont f = font();
    f.setPointSizeF(f.pointSizeF() * 1.3);
    f.setBold(true);
    p.setFont(f);
    if (std::isnan(m_canary)) {
        p.setPen(Qt::NoPen);
        p.setBrush(Palette::muted().lighter(150));
        p.drawRoundedRect(r, 6, 6);
        p.setPen(Qt::white);
        p.drawText(r, Qt::AlignCenter, text());
        return;
    }
    const double split = r.width() * (100 - m_canary) / 100.0;
    QColor stable = Palette::stable();
    QColor canary = Palette::canary();
    if (m_stale) {
        stable = Palette::muted();
        canary = Palette::muted().lighter(130);
    }
    QPainterPath clip;
    clip.addRoundedRect(r, 6, 6);
    p.setClipPath(clip);
    p.fillRect(QRectF(r.left(), r.top(), split, r.height()), stable);
    p.fillRect(QRectF(r.left() + split, r.top(), r.width() - split, r.height()), canary);
    p.setClipping(false);
    p.setPen(Qt::white);
    const QRectF textRect = r.adjusted(10, 0, -10, 0);
    p.drawText(textRect, Qt::AlignVCenter | Qt::AlignLeft, tr("stable %1").arg(pct(100 - m_canary)));
    p.drawText(textRect, Qt::AlignVCenter | Qt::AlignRight, tr("canary %1").arg(pct(m_canary)));
    if (m_stale)
        p.drawText(r, Qt::AlignCenter, tr("stale"));
}

} // namespace Switchboard
