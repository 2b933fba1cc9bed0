#pragma once
// The status view of the selected target: header line (name · kind · state · data age), split
// bar with the measured split and the traffic layer's note, the health table of both versions
// and the servers line. Staleness and texts come from TargetStatus; this only draws them.

#include "targetstatus.h"

#include <QPointer>
#include <QWidget>

class QLabel;

namespace Switchboard {

class ElidedLabel;
class SplitBarWidget;
class TargetController;

class TargetStatusWidget final : public QWidget
{
    Q_OBJECT
public:
    explicit TargetStatusWidget(QWidget *parent = nullptr);

    void setController(TargetController *controller);
    // The servers line as rich text: weights (grey 0: no traffic) and health-check marks in colour.
    static QString serversHtml(const QList<ServersLine> &lines);

public Q_SLOTS:
    void refresh(); // also called periodically: ages and staleness move with the clock

private:
    void updateHealthValues();

    QPointer<TargetController> m_controller;
    ElidedLabel *m_header;
    QLabel *m_readOnlyBadge; // shown while the target refuses every action; the reason in its tooltip
    SplitBarWidget *m_bar;
    QLabel *m_measured;
    QLabel *m_note; // what the traffic layer says beyond weights
    QLabel *m_servers; // each server's weight and health check, per version
    QLabel *m_health[2][5]; // [stable|canary][rps, error, p50, p99, age of the newest sample]
};

} // namespace Switchboard
