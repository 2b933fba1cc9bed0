#pragma once
// The stable/canary split as one bar with both percentages, readable from across the room.
// Unknown or stale splits are drawn grey and say so.

#include <QWidget>

namespace Switchboard {

class SplitBarWidget final : public QWidget
{
    Q_OBJECT
public:
    explicit SplitBarWidget(QWidget *parent = nullptr);

    // NaN canary = unknown.
    void setSplit(double canaryPercent, bool stale);
    double canaryPercent() const { return m_canary; }
    bool isStale() const { return m_stale; }
    // What the bar says, e.g. "stable 75% · canary 25%", for tests and accessibility.
    QString text() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    double m_canary;
    bool m_stale = false;
};

} // namespace Switchboard
