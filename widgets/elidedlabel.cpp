#include "elidedlabel.h"

#include <QEvent>
#include <QPainter>

namespace Switchboard {

ElidedLabel::ElidedLabel(QWidget *parent)
    : QWidget(parent)
{
    // Takes what the row leaves it; its text's width is a wish, never a minimum.
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
}

void ElidedLabel::setText(const QString &text)
{
    if (text == m_text)
        return;
    m_text = text;
    setAccessibleName(text);
    updateGeometry();
    updateToolTip();
    update();
}

void ElidedLabel::setTextColor(const QColor &colour)
{
    m_colour = colour;
    update();
}

QColor ElidedLabel::textColor() const
{
    return m_colour.isValid() ? m_colour : palette().color(isEnabled() ? QPalette::Active : QPalette::Disabled, QPalette::WindowText);
}

bool ElidedLabel::isElided() const
{
    return fontMetrics().horizontalAdvance(m_text) > contentsRect().width();
}

QSize ElidedLabel::sizeHint() const
{
    const QFontMetrics fm = fontMetrics();
    return {fm.horizontalAdvance(m_text) + 2, fm.height()};
}

QSize ElidedLabel::minimumSizeHint() const
{
    const QFontMetrics fm = fontMetrics();
    return {fm.horizontalAdvance(QStringLiteral("M…")), fm.height()};
}

void ElidedLabel::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    const QRect r = contentsRect();
    p.setPen(textColor());
    p.drawText(r, Qt::AlignLeft | Qt::AlignVCenter, fontMetrics().elidedText(m_text, Qt::ElideRight, r.width()));
}

void ElidedLabel::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    updateToolTip();
}

void ElidedLabel::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange) {
        updateGeometry();
        updateToolTip();
    }
}

void ElidedLabel::setFixedToolTip(const QString &tip)
{
    m_fixedToolTip = tip;
    updateToolTip();
}

void ElidedLabel::updateToolTip()
{
    setToolTip(!m_fixedToolTip.isEmpty() ? m_fixedToolTip : (isElided() ? m_text : QString()));
}

} // namespace Switchboard
