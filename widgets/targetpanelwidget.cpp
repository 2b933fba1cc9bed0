#include "targetpanelwidget.h"

#include "chartwidget.h"
#include "csvexport.h"
#include "palette.h"
#include "rolloutbarwidget.h"
#include "splitbarwidget.h"
#include "targetcontroller.h"
#include "targetsettingsdialog.h"
#include "timeseriesmodel.h"

#include <QComboBox>
#include <QDateTime>
#include <QFileDialog>
#include <QSaveFile>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace Switchboard {

namespace {

QString num(double v, int decimals, const QString &unit)
{
    return std::isfinite(v) ? QString::number(v, 'f', decimals) + unit : QStringLiteral("—");
}

QString age(qint64 ms)
{
    if (ms < 0)
        return QStringLiteral("no data yet");
    if (ms < 60000)
        return QStringLiteral("data %1 s old").arg(double(ms) / 1000.0, 0, 'f', 1);
    return QStringLiteral("data %1 min old").arg(ms / 60000);
}

struct WindowChoice
{
    const char *label;
    qint64 ms;
};
constexpr WindowChoice kWindows[] = {{"5 min", 5 * 60 * 1000LL},
                                     {"15 min", 15 * 60 * 1000LL},
                                     {"1 h", 3600 * 1000LL},
                                     {"6 h", 6 * 3600 * 1000LL},
                                     {"24 h", 24 * 3600 * 1000LL}};

} // namespace

TargetPanelWidget::TargetPanelWidget(PresetStore *presets, ConfirmFn confirm, QWidget *parent)
    : QWidget(parent)
    , m_confirm(confirm)
    , m_header(new QLabel(this))
    , m_bar(new SplitBarWidget(this))
    , m_measured(new QLabel(this))
    , m_note(new QLabel(this))
    , m_servers(new QLabel(this))
    , m_slider(new QSlider(Qt::Horizontal, this))
    , m_spin(new QSpinBox(this))
    , m_apply(new QPushButton(tr("Apply"), this))
    , m_promoteFull(new QPushButton(tr("Promote full ▸▸"), this))
    , m_rollback(new QPushButton(tr("ROLLBACK"), this))
    , m_progress(new QLabel(this))
    , m_window(new QComboBox(this))
    , m_rollout(new RolloutBarWidget(presets, confirm, this))
    , m_charts(new QWidget(this))
    , m_exportPng(new QPushButton(tr("Export PNG…"), this))
    , m_exportCsv(new QPushButton(tr("Export CSV…"), this))
    , m_settings(new QPushButton(tr("Metrics settings…"), this))
{
    m_header->setObjectName(QStringLiteral("headerLabel"));
    QFont hf = m_header->font();
    hf.setPointSizeF(hf.pointSizeF() * 1.25);
    hf.setBold(true);
    m_header->setFont(hf);
    m_bar->setObjectName(QStringLiteral("splitBar"));
    m_measured->setObjectName(QStringLiteral("measuredLabel"));
    m_note->setObjectName(QStringLiteral("noteLabel"));
    m_note->setWordWrap(true);
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
    health->setColumnStretch(6, 1);
    // Next to the health: who serves, server by server (what a rolling update moves).
    m_servers->setObjectName(QStringLiteral("serversLabel"));
    m_servers->setTextFormat(Qt::RichText);
    m_servers->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    health->addWidget(m_servers, 0, 7, 3, 1);

    // Dragging the slider moves nothing: only Apply (or Enter in the box) does.
    m_slider->setObjectName(QStringLiteral("canarySlider"));
    m_slider->setRange(0, 100);
    m_slider->setPageStep(5);
    m_slider->setTickInterval(10);
    m_slider->setTickPosition(QSlider::TicksBelow);
    m_spin->setObjectName(QStringLiteral("canarySpin"));
    m_spin->setRange(0, 100);
    m_spin->setSuffix(QStringLiteral(" %"));
    m_apply->setObjectName(QStringLiteral("applyButton"));
    m_promoteFull->setObjectName(QStringLiteral("promoteFullButton"));
    m_rollback->setObjectName(QStringLiteral("rollbackButton"));
    m_rollback->setToolTip(tr("100% to stable at once (Ctrl+Shift+R)"));
    m_rollback->setMinimumWidth(160);
    m_rollback->setStyleSheet(QStringLiteral(
        "QPushButton { background: %1; color: white; font-weight: bold; padding: 8px 18px; border-radius: 4px; }"
        "QPushButton:disabled { background: #d8b4b4; }").arg(Palette::danger().name()));
    m_progress->setObjectName(QStringLiteral("progressLabel"));
    m_rollout->setObjectName(QStringLiteral("rolloutBar"));

    auto *sliderRow = new QHBoxLayout;
    sliderRow->addWidget(new QLabel(tr("canary %:"), this));
    sliderRow->addWidget(m_slider, 1);
    sliderRow->addWidget(m_spin);
    sliderRow->addWidget(m_apply);
    auto *actionRow = new QHBoxLayout;
    actionRow->addWidget(m_promoteFull);
    actionRow->addStretch(1);
    actionRow->addWidget(m_progress);
    actionRow->addWidget(m_rollback);

    m_window->setObjectName(QStringLiteral("windowCombo"));
    for (const WindowChoice &w : kWindows)
        m_window->addItem(QString::fromLatin1(w.label), w.ms);
    m_window->setCurrentIndex(1);
    auto *windowRow = new QHBoxLayout;
    m_exportPng->setObjectName(QStringLiteral("exportPngButton"));
    m_exportCsv->setObjectName(QStringLiteral("exportCsvButton"));
    windowRow->addWidget(m_exportPng);
    windowRow->addWidget(m_exportCsv);
    m_settings->setObjectName(QStringLiteral("settingsButton"));
    windowRow->addWidget(m_settings);
    windowRow->addStretch(1);
    windowRow->addWidget(new QLabel(tr("window:"), this));
    windowRow->addWidget(m_window);

    const QColor st = Palette::stable();
    const QColor ca = Palette::canary();
    m_errorChart = new ChartWidget(tr("error ratio (%)"), tr("%"),
                                   {{QStringLiteral("stableErrorPct"), tr("stable"), st},
                                    {QStringLiteral("canaryErrorPct"), tr("canary"), ca}}, m_charts);
    m_latencyChart = new ChartWidget(tr("p99 latency (ms)"), tr("ms"),
                                     {{QStringLiteral("stableP99Ms"), tr("stable"), st},
                                      {QStringLiteral("canaryP99Ms"), tr("canary"), ca}}, m_charts);
    m_rpsChart = new ChartWidget(tr("requests/s"), tr("req/s"),
                                 {{QStringLiteral("stableRps"), tr("stable"), st},
                                  {QStringLiteral("canaryRps"), tr("canary"), ca}}, m_charts);
    m_weightChart = new ChartWidget(tr("canary weight (%)"), tr("%"),
                                    {{QStringLiteral("setCanaryPct"), tr("set"), ca},
                                     {QStringLiteral("measuredCanaryPct"), tr("measured"), Palette::muted(), true}}, m_charts);
    m_weightChart->setFixedYRange(0, 100);
    m_errorChart->setObjectName(QStringLiteral("errorChart"));
    m_latencyChart->setObjectName(QStringLiteral("latencyChart"));
    m_rpsChart->setObjectName(QStringLiteral("rpsChart"));
    m_weightChart->setObjectName(QStringLiteral("weightChart"));
    auto *charts = new QGridLayout(m_charts);
    charts->setContentsMargins(0, 0, 0, 0);
    charts->addWidget(m_errorChart, 0, 0);
    charts->addWidget(m_latencyChart, 0, 1);
    charts->addWidget(m_rpsChart, 1, 0);
    charts->addWidget(m_weightChart, 1, 1);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_header);
    layout->addWidget(m_bar);
    layout->addWidget(m_measured);
    layout->addWidget(m_note);
    layout->addLayout(health);
    layout->addLayout(sliderRow);
    layout->addLayout(actionRow);
    layout->addWidget(m_rollout);
    layout->addLayout(windowRow);
    layout->addWidget(m_charts, 1);

    connect(m_slider, &QSlider::valueChanged, this, [this](int v) {
        if (m_syncing)
            return;
        m_sliderDirty = true;
        const QSignalBlocker block(m_spin);
        m_spin->setValue(v);
    });
    connect(m_spin, &QSpinBox::valueChanged, this, [this](int v) {
        if (m_syncing)
            return;
        m_sliderDirty = true;
        const QSignalBlocker block(m_slider);
        m_slider->setValue(v);
    });
    connect(m_spin, &QAbstractSpinBox::editingFinished, this, [this] {
        if (m_spin->hasFocus())
            apply(); // Enter in the box applies, like the Apply button
    });
    connect(m_apply, &QPushButton::clicked, this, &TargetPanelWidget::apply);
    connect(m_promoteFull, &QPushButton::clicked, this, &TargetPanelWidget::promoteFull);
    connect(m_rollback, &QPushButton::clicked, this, &TargetPanelWidget::rollback);
    connect(m_window, &QComboBox::currentIndexChanged, this, &TargetPanelWidget::onWindowChanged);
    connect(m_exportPng, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export charts"), m_controller ? m_controller->name() + QStringLiteral(".png") : QString(),
                                                          tr("PNG images (*.png)"));
        QString error;
        if (!path.isEmpty())
            Q_EMIT message(exportPng(path, &error) ? tr("charts saved to %1").arg(path) : error, 8000);
    });
    connect(m_settings, &QPushButton::clicked, this, [this] {
        if (!m_controller)
            return;
        auto *dialog = new TargetSettingsDialog(m_controller, m_targetsPath, this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->open();
    });
    connect(m_exportCsv, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export series"), m_controller ? m_controller->name() + QStringLiteral(".csv") : QString(),
                                                          tr("CSV files (*.csv)"));
        QString error;
        if (!path.isEmpty())
            Q_EMIT message(exportCsv(path, &error) ? tr("series saved to %1").arg(path) : error, 8000);
    });
    setController(nullptr);
}

void TargetPanelWidget::setController(TargetController *controller)
{
    if (m_controller)
        disconnect(m_controller, nullptr, this, nullptr);
    m_controller = controller;
    m_sliderDirty = false;
    m_rollout->setController(controller);
    const qint64 window = m_window->currentData().toLongLong();
    for (ChartWidget *c : {m_errorChart, m_latencyChart, m_rpsChart})
        c->setModel(controller ? controller->healthHistory() : nullptr);
    m_weightChart->setModel(controller ? controller->splitHistory() : nullptr);
    for (ChartWidget *c : {m_errorChart, m_latencyChart, m_rpsChart, m_weightChart}) {
        c->setMarkers(controller ? controller->chartMarkers() : nullptr);
        c->setWindowMs(window);
    }
    if (controller) {
        connect(controller, &TargetController::snapshotChanged, this, &TargetPanelWidget::updateSplit);
        connect(controller, &TargetController::healthChanged, this, &TargetPanelWidget::updateHealth);
        connect(controller, &TargetController::connectionStateChanged, this, &TargetPanelWidget::updateHeader);
        connect(controller, &TargetController::actionStarted, this, &TargetPanelWidget::onActionStarted);
        connect(controller, &TargetController::actionFinished, this, &TargetPanelWidget::onActionFinished);
    }
    m_progress->clear();
    updateSplit();
    updateHealth();
}

QString TargetPanelWidget::splitText(double canary) const
{
    if (!std::isfinite(canary))
        return tr("unknown");
    return tr("stable %1% → canary %2%").arg(100 - canary, 0, 'g', 4).arg(canary, 0, 'g', 4);
}

void TargetPanelWidget::apply()
{
    if (!m_controller)
        return;
    const double want = m_spin->value();
    const double now = m_controller->snapshot().split.canary;
    // Above 50% the canary carries most users: make the operator look twice.
    if (want > 50 && want != now
        && !m_confirm(tr("Move traffic"), tr("Send %1% of traffic to the canary?\n\nbefore: %2\nafter: %3")
                                              .arg(want).arg(splitText(now), splitText(want)))) {
        Q_EMIT message(tr("not applied"), 3000);
        return;
    }
    m_sliderDirty = false;
    m_controller->setCanaryPercent(want, tr("operator"));
}

void TargetPanelWidget::promoteFull()
{
    if (!m_controller)
        return;
    const double now = m_controller->snapshot().split.canary;
    if (!m_confirm(tr("Promote full"), tr("Send all traffic to the canary?\n\nbefore: %1\nafter: %2")
                                           .arg(splitText(now), splitText(100))))
        return;
    m_sliderDirty = false;
    m_controller->operatorPromoteFull(tr("operator"));
}

void TargetPanelWidget::rollback()
{
    // Never a dialog: this is the way back when production is on fire.
    if (!m_controller || !m_rollback->isEnabled())
        return;
    m_sliderDirty = false;
    m_controller->operatorRollback(tr("operator"));
}

QString TargetPanelWidget::serversText(const QList<Member> &members)
{
    // One line per version: "web-v1-1 0 ✓" — the weight (grey when it gets no traffic) and a
    // mark for the traffic layer's health check (red ✗ DOWN, amber … undecided, the grey state when taken
    // out, nothing when the layer checks nothing). Long lists are summed up instead.
    constexpr int maxListed = 8;
    QStringList lines;
    for (Version v : {Version::Stable, Version::Canary}) {
        QStringList parts;
        int total = 0;
        int serving = 0;
        int down = 0;
        for (const Member &m : members) {
            if (m.version != v)
                continue;
            ++total;
            serving += m.weight > 0;
            const MemberHealth h = memberHealth(m);
            down += h == MemberHealth::Down;
            QString mark;
            switch (h) {
            case MemberHealth::Healthy: mark = QStringLiteral(" <span style='color:%1'>✓</span>").arg(Palette::ok().name()); break;
            case MemberHealth::Down: mark = QStringLiteral(" <span style='color:%1'><b>✗ DOWN</b></span>").arg(Palette::danger().name()); break;
            case MemberHealth::Pending: mark = QStringLiteral(" <span style='color:%1'>… %2</span>").arg(Palette::warning().name(), m.state.toHtmlEscaped()); break;
            case MemberHealth::Maintenance: mark = QStringLiteral(" <span style='color:%1'>%2</span>").arg(Palette::muted().name(), m.state.toHtmlEscaped()); break;
            case MemberHealth::Unchecked: break;
            }
            const QString weight = m.weight > 0 ? QString::number(m.weight)
                                                : QStringLiteral("<span style='color:%1'>0</span>").arg(Palette::muted().name());
            parts.append(QStringLiteral("%1 %2%3").arg(m.name.toHtmlEscaped(), weight, mark));
        }
        if (total == 0)
            continue;
        const QColor colour = v == Version::Stable ? Palette::stable() : Palette::canary();
        const QString body = total <= maxListed
            ? parts.join(QStringLiteral(" · "))
            : tr("%1 servers, %2 with traffic%3").arg(total).arg(serving)
                  .arg(down ? QStringLiteral(", <span style='color:%1'><b>%2 DOWN</b></span>").arg(Palette::danger().name()).arg(down) : QString());
        lines.append(QStringLiteral("<span style='color:%1'>■</span> %2").arg(colour.name(), body));
    }
    return lines.join(QStringLiteral("<br>"));
}

void TargetPanelWidget::updateSplit()
{
    updateHeader();
    if (!m_controller) {
        m_bar->setSplit(NAN, false);
        m_measured->clear();
        m_note->hide();
        updateActions();
        return;
    }
    const qint64 ageMs = m_controller->dataAgeMs(QDateTime::currentMSecsSinceEpoch());
    const bool stale = m_controller->connectionState() != ConnectionState::Connected
        || ageMs < 0 || ageMs > m_controller->staleAfterMs();
    const double set = m_controller->hasSnapshot() ? m_controller->snapshot().split.canary : NAN;
    m_bar->setSplit(set, stale && m_controller->hasSnapshot());
    const QString note = m_controller->snapshot().note;
    m_note->setText(note);
    m_note->setVisible(!note.isEmpty());
    m_servers->setText(serversText(m_controller->snapshot().members));
    const double measured = m_controller->measuredCanaryPercent();
    m_measured->setText(tr("set %1 · measured %2")
                            .arg(num(set, 1, QStringLiteral("%")),
                                 std::isfinite(measured) ? num(measured, 1, QStringLiteral("%")) : tr("— (no request rate)")));
    if (!m_sliderDirty && std::isfinite(set)) {
        m_syncing = true;
        m_slider->setValue(int(std::lround(set)));
        m_spin->setValue(int(std::lround(set)));
        m_syncing = false;
    }
    updateActions();
}

void TargetPanelWidget::updateHealth()
{
    if (!m_controller || !m_controller->hasMetrics()) {
        for (auto &row : m_health)
            for (QLabel *l : row)
                l->setText(QStringLiteral("—"));
        const QString why = m_controller ? tr("no metrics source configured for this target") : QString();
        for (ChartWidget *c : {m_errorChart, m_latencyChart, m_rpsChart})
            c->setEmptyReason(why);
        return;
    }
    const HealthSnapshot h = m_controller->health();
    const HealthSample *s[2] = {&h.stable, &h.canary};
    for (int v = 0; v < 2; ++v) {
        m_health[v][0]->setText(num(s[v]->rps, 1, QString()));
        m_health[v][1]->setText(num(s[v]->errorRatio * 100, 2, QStringLiteral(" %")));
        m_health[v][2]->setText(num(s[v]->p50Ms, 1, QStringLiteral(" ms")));
        m_health[v][3]->setText(num(s[v]->p99Ms, 1, QStringLiteral(" ms")));
    }
    const QString err = m_controller->metricsError();
    const QString why = err.isEmpty() ? QString() : tr("no data from metrics: %1").arg(err);
    for (ChartWidget *c : {m_errorChart, m_latencyChart, m_rpsChart})
        c->setEmptyReason(why);
    updateSplit(); // the measured split comes from the request rates
}

void TargetPanelWidget::refreshAge()
{
    updateHeader();
    if (m_controller)
        updateSplit();
}

void TargetPanelWidget::updateHeader()
{
    if (!m_controller) {
        m_header->setText(tr("no target selected"));
        return;
    }
    const qint64 ageMs = m_controller->dataAgeMs(QDateTime::currentMSecsSinceEpoch());
    QString state = connectionStateName(m_controller->connectionState());
    if (m_controller->connectionState() == ConnectionState::Disconnected && !m_controller->lastError().isEmpty())
        state += QStringLiteral(" (") + m_controller->lastError() + QLatin1Char(')');
    const bool stale = ageMs < 0 || ageMs > m_controller->staleAfterMs();
    const QString colour = m_controller->connectionState() == ConnectionState::Disconnected ? Palette::danger().name()
        : stale ? Palette::muted().name() : QStringLiteral("palette(text)");
    m_header->setText(QStringLiteral("<span style='color:%1'>%2 · %3 · %4 · %5</span>")
                          .arg(colour, m_controller->name().toHtmlEscaped(), m_controller->config().kind,
                               state.toHtmlEscaped(), age(ageMs) + (stale && ageMs >= 0 ? tr(" (stale)") : QString())));
    const bool healthStale = m_controller->isHealthStale(QDateTime::currentMSecsSinceEpoch());
    for (auto &row : m_health)
        for (QLabel *l : row)
            l->setEnabled(!healthStale); // disabled labels draw grey: stale is never shown as current
    // Each version's own age: one version's scrape can stop while the other's goes on.
    const HealthSnapshot h = m_controller->health();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const HealthSample *s[2] = {&h.stable, &h.canary};
    for (int v = 0; v < 2; ++v) {
        const qint64 a = m_controller->hasHealth() && s[v]->timeMs > 0 ? now - s[v]->timeMs : -1;
        m_health[v][4]->setText(a < 0 ? tr("no data") : QStringLiteral("%1 s").arg(double(a) / 1000.0, 0, 'f', 1));
        m_health[v][4]->setStyleSheet(a < 0 || a > m_controller->staleAfterMs() ? QStringLiteral("color: #c62828;") : QString());
    }
}

void TargetPanelWidget::updateActions()
{
    const bool usable = m_controller && !m_controller->isReadOnly();
    const double canary = m_controller ? m_controller->snapshot().split.canary : NAN;
    m_slider->setEnabled(usable);
    m_spin->setEnabled(usable);
    m_apply->setEnabled(usable);
    m_promoteFull->setEnabled(usable && !(std::isfinite(canary) && canary >= 100));
    // Enabled whenever the canary may have traffic, including when we cannot tell.
    m_rollback->setEnabled(usable && !(std::isfinite(canary) && canary <= 0));
}

void TargetPanelWidget::onActionStarted(const QString &description)
{
    m_progress->setText(QStringLiteral("⏳ ") + description);
}

void TargetPanelWidget::onActionFinished(const ChangeResult &result)
{
    const QString text = statusName(result.status) + QStringLiteral(": ") + result.message;
    m_progress->setText(result.ok() ? QStringLiteral("✓ ") + statusName(result.status) : QStringLiteral("✗ ") + text);
    Q_EMIT message(text, 8000);
    // Some load balancers hold the new weights and some don't: say so, and offer to send it again.
    if (result.status == ChangeResult::Status::Partial && m_controller
        && m_confirm(tr("Partially applied"), tr("%1\n\nSend canary %2% again to every node?").arg(result.message).arg(result.requestedCanaryPercent))) {
        m_controller->setCanaryPercent(result.requestedCanaryPercent, tr("operator, retry after a partial change"), true);
        return;
    }
    if (result.status == ChangeResult::Status::Conflict && m_controller
        && m_confirm(tr("Conflict"), tr("%1\n\nApply canary %2% anyway?").arg(result.message).arg(result.requestedCanaryPercent))) {
        m_controller->setCanaryPercent(result.requestedCanaryPercent, tr("operator, over a conflict"), true);
    }
}

bool TargetPanelWidget::exportPng(const QString &path, QString *error)
{
    if (!m_controller) {
        *error = tr("no target selected");
        return false;
    }
    const QImage image = m_charts->grab().toImage();
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || !image.save(&f, "PNG") || !f.commit()) {
        *error = tr("cannot write %1: %2").arg(path, f.errorString());
        return false;
    }
    return true;
}

bool TargetPanelWidget::exportCsv(const QString &path, QString *error)
{
    if (!m_controller) {
        *error = tr("no target selected");
        return false;
    }
    return writeSeriesCsv(path, {m_controller->healthHistory(), m_controller->splitHistory()}, error);
}

void TargetPanelWidget::onWindowChanged(int index)
{
    const qint64 window = m_window->itemData(index).toLongLong();
    for (ChartWidget *c : {m_errorChart, m_latencyChart, m_rpsChart, m_weightChart})
        c->setWindowMs(window);
    if (m_controller)
        m_controller->backfill(window);
}

} // namespace Switchboard
