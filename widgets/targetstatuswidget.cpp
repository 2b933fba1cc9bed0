#include "targetstatuswidget.h"

#include "elidedlabel.h"
#include "palette.h"
#include "splitbarwidget.h"
#include "targetcontroller.h"

#include <QDateTime>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QVBoxLayout>

#include <cmath>

namespace Switchboard {

namespace {

QString num(double v, int decimals, const QString &unit)
{
    return std::isfinite(v) ? QLocale().toString(v, 'f', decimals) + unit : QStringLiteral("—"); // the user's digits
}

// Labels whose text can grow (notes, server lists) wrap, and their width is never a minimum.
void wrapWithoutWidening(QLabel *label)
{
    label->setWordWrap(true);
    label->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
}

} // namespace

TargetStatusWidget::TargetStatusWidget(QWidget *parent)
    : QWidget(parent)
    , m_header(new ElidedLabel(this))
    , m_readOnlyBadge(new QLabel(tr("READ-ONLY"), this))
    , m_bar(new SplitBarWidget(this))
    , m_measured(new QLabel(this))
    , m_note(new QLabel(this))
    , m_servers(new QLabel(this))
{
    m_header->setObjectName(QStringLiteral("headerLabel"));
    m_header->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
    QFont hf = m_header->font();
    hf.setPointSizeF(hf.pointSizeF() * 1.25);
    hf.setBold(true);
    m_header->setFont(hf);
    m_readOnlyBadge->setObjectName(QStringLiteral("readOnlyBadge"));
    m_readOnlyBadge->setStyleSheet(QStringLiteral("QLabel { color: white; background: %1; border-radius: 3px; padding: 1px 6px; font-weight: bold; }")
                                       .arg(Palette::muted().name()));
    m_readOnlyBadge->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
    m_readOnlyBadge->hide();
    m_bar->setObjectName(QStringLiteral("splitBar"));
    m_measured->setObjectName(QStringLiteral("measuredLabel"));
    wrapWithoutWidening(m_measured);
    m_note->setObjectName(QStringLiteral("noteLabel"));
    wrapWithoutWidening(m_note);
    m_note->setStyleSheet(QStringLiteral("color: %1;").arg(Palette::warning().name()));

    // Health of both versions side by side, in their colours.
    auto *health = new QGridLayout;
    const QStringList heads{tr("req/s"), tr("errors"), tr("p50"), tr("p99"), tr("sample age")};
    for (int c = 0; c < heads.size(); ++c) {
        auto *h = new QLabel(QStringLiteral("<b>%1</b>").arg(heads.at(c)), this);
        h->setAlignment(Qt::AlignRight);
        health->addWidget(h, 0, c + 1);
    }
    const QColor colours[2] = {Palette::stable(), Palette::canary()};
    const QString names[2] = {tr("stable"), tr("canary")};
    for (int v = 0; v < 2; ++v) {
        auto *name = new QLabel(QStringLiteral("<b style='color:%1'>■ %2</b>").arg(colours[v].name(), names[v]), this);
        health->addWidget(name, v + 1, 0);
        for (int c = 0; c < 5; ++c) {
            m_health[v][c] = new QLabel(QStringLiteral("—"), this);
            m_health[v][c]->setAlignment(Qt::AlignRight);
            m_health[v][c]->setObjectName(QStringLiteral("health_%1_%2").arg(v).arg(c));
            health->addWidget(m_health[v][c], v + 1, c + 1);
        }
    }
    health->setColumnMinimumWidth(6, 12);
    // Next to the health: who serves, server by server (what a rolling update moves). It takes
    // the rest of the row and wraps there.
    m_servers->setObjectName(QStringLiteral("serversLabel"));
    m_servers->setTextFormat(Qt::RichText);
    m_servers->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    wrapWithoutWidening(m_servers);
    health->addWidget(m_servers, 0, 7, 3, 1);
    health->setColumnStretch(7, 1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *headerRow = new QHBoxLayout;
    headerRow->addWidget(m_header, 1);
    headerRow->addWidget(m_readOnlyBadge);
    layout->addLayout(headerRow);
    layout->addWidget(m_bar);
    layout->addWidget(m_measured);
    layout->addWidget(m_note);
    layout->addLayout(health);
    setController(nullptr);
}

void TargetStatusWidget::setController(TargetController *controller)
{
    if (m_controller)
        disconnect(m_controller, nullptr, this, nullptr);
    m_controller = controller;
    if (controller) {
        connect(controller, &TargetController::snapshotChanged, this, &TargetStatusWidget::refresh);
        connect(controller, &TargetController::healthChanged, this, &TargetStatusWidget::updateHealthValues);
        connect(controller, &TargetController::connectionStateChanged, this, &TargetStatusWidget::refresh);
    }
    updateHealthValues();
}

QString TargetStatusWidget::serversHtml(const QList<ServersLine> &lines)
{
    // One line per version: "web-v1-1 0 ✓" — the weight (grey when it gets no traffic) and a
    // mark for the traffic layer's health check (red ✗ DOWN, amber … undecided, the grey state
    // when taken out, nothing when the layer checks nothing).
    QStringList out;
    for (const ServersLine &line : lines) {
        QString body;
        if (line.summedUp()) {
            body = tr("%1 servers, %2 with traffic%3").arg(line.total).arg(line.serving)
                       .arg(line.down ? QStringLiteral(", <span style='color:%1'><b>%2 DOWN</b></span>").arg(Palette::danger().name()).arg(line.down)
                                      : QString());
        } else {
            QStringList parts;
            for (const ServerEntry &s : line.servers) {
                QString mark;
                switch (s.health) {
                case MemberHealth::Healthy: mark = QStringLiteral(" <span style='color:%1'>✓</span>").arg(Palette::ok().name()); break;
                case MemberHealth::Down: mark = QStringLiteral(" <span style='color:%1'><b>✗ %2</b></span>").arg(Palette::danger().name(), s.state.toHtmlEscaped()); break;
                case MemberHealth::Pending: mark = QStringLiteral(" <span style='color:%1'>… %2</span>").arg(Palette::warning().name(), s.state.toHtmlEscaped()); break;
                case MemberHealth::Maintenance: mark = QStringLiteral(" <span style='color:%1'>%2</span>").arg(Palette::muted().name(), s.state.toHtmlEscaped()); break;
                case MemberHealth::Unchecked: break;
                }
                const QString weight = s.weight > 0 ? QString::number(s.weight)
                                                    : QStringLiteral("<span style='color:%1'>0</span>").arg(Palette::muted().name());
                parts.append(QStringLiteral("%1 %2%3").arg(s.name.toHtmlEscaped(), weight, mark));
            }
            body = parts.join(QStringLiteral(" · "));
        }
        const QColor colour = line.version == Version::Stable ? Palette::stable() : Palette::canary();
        out.append(QStringLiteral("<span style='color:%1'>■</span> %2").arg(colour.name(), body));
    }
    return out.join(QStringLiteral("<br>"));
}

void TargetStatusWidget::refresh()
{
    const TargetStatus s = TargetStatus::of(m_controller, QDateTime::currentMSecsSinceEpoch());
    m_header->setText(s.header);
    const bool readOnly = m_controller && m_controller->isReadOnly();
    m_readOnlyBadge->setVisible(readOnly);
    m_readOnlyBadge->setToolTip(readOnly ? tr("Every action is off: %1").arg(m_controller->readOnlyReason()) : QString());
    m_header->setTextColor(s.headerTone == TargetStatus::Tone::Disconnected ? Palette::onWindow(Palette::danger(), palette())
                           : s.headerTone == TargetStatus::Tone::Stale    ? Palette::muted()
                                                                          : QColor());
    for (int v = 0; v < 2; ++v) {
        for (QLabel *l : m_health[v])
            l->setEnabled(!s.hasTarget || !s.healthStale); // disabled labels draw grey: stale is never shown as current
        m_health[v][4]->setText(s.hasTarget ? s.sampleAge[v].text : QStringLiteral("—"));
        m_health[v][4]->setStyleSheet(s.hasTarget && s.sampleAge[v].stale ? QStringLiteral("color: #c62828;") : QString());
    }
    if (!m_controller) {
        m_bar->setSplit(NAN, false);
        m_measured->clear();
        m_note->hide();
        m_servers->clear();
        return;
    }
    const double set = m_controller->hasSnapshot() ? m_controller->snapshot().split.canary : NAN;
    m_bar->setSplit(set, s.splitStale && m_controller->hasSnapshot());
    const QString note = m_controller->snapshot().note;
    m_note->setText(note);
    m_note->setVisible(!note.isEmpty());
    m_servers->setText(serversHtml(s.servers));
    const double measured = m_controller->measuredCanaryPercent();
    // The measured split comes from the request rates: when they are stale, so is it.
    const bool measuredStale = std::isfinite(measured) && s.healthStale;
    m_measured->setText(tr("set %1 · measured %2")
                            .arg(num(set, 1, QStringLiteral("%")),
                                 !std::isfinite(measured) ? tr("— (no request rate)")
                                 : measuredStale          ? num(measured, 1, QStringLiteral("%")) + tr(" (stale)")
                                                          : num(measured, 1, QStringLiteral("%"))));
    // Testers reach the canary whatever the split says: said right under the bar.
    const QList<TrafficRoute> routes = m_controller->snapshot().routes;
    if (!routes.isEmpty()) {
        QStringList parts;
        for (const TrafficRoute &r : routes)
            parts.append(r.match == TrafficRoute::Match::Header ? tr("%1: %2 → canary").arg(r.name, r.value)
                                                                : tr("cookie %1=%2 → canary").arg(r.name, r.value));
        m_measured->setText(m_measured->text() + QStringLiteral(" · ") + tr("+ testers: %1").arg(parts.join(QStringLiteral(", "))));
    }
    m_measured->setEnabled(!measuredStale); // disabled labels draw grey
}

void TargetStatusWidget::updateHealthValues()
{
    if (!m_controller || !m_controller->hasMetrics()) {
        for (auto &row : m_health)
            for (int c = 0; c < 4; ++c)
                row[c]->setText(QStringLiteral("—"));
    } else {
        const HealthSnapshot h = m_controller->health();
        const HealthSample *s[2] = {&h.stable, &h.canary};
        for (int v = 0; v < 2; ++v) {
            m_health[v][0]->setText(num(s[v]->rps, 1, QString()));
            m_health[v][1]->setText(num(s[v]->errorRatio * 100, 2, QStringLiteral(" %")));
            m_health[v][2]->setText(num(s[v]->p50Ms, 1, QStringLiteral(" ms")));
            m_health[v][3]->setText(num(s[v]->p99Ms, 1, QStringLiteral(" ms")));
        }
    }
    refresh(); // the measured split comes from the request rates
}

} // namespace Switchboard
