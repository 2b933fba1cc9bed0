#pragma once
// A one-line plain-text label that never sets its window's width: too long a text is elided
// at the end and shown whole in the tooltip. For names, errors and states that can grow.

#include <QColor>
#include <QWidget>

namespace Switchboard {

class ElidedLabel final : public QWidget
{
    Q_OBJECT
    Q_PROPERTY(QString text READ text WRITE setText)
public:
    explicit ElidedLabel(QWidget *parent = nullptr);

    QString text() const { return m_text; }
    void setText(const QString &text);
    void clear() { setText({}); }
    // Invalid: the palette's text colour (greyed when disabled).
    void setTextColor(const QColor &colour);
    // A tooltip of its own (details behind a one-line text): shown whether or not the text is
    // elided. Empty: the whole text, when elided (the default).
    void setFixedToolTip(const QString &tip);
    // The colour the text is drawn in now.
    QColor textColor() const;
    bool isElided() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void updateToolTip();

    QString m_text;
    QColor m_colour;
    QString m_fixedToolTip;
};

} // namespace Switchboard
