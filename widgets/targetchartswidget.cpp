#include "targetchartswidget.h"

#include "atomicfile.h"
#include "offthread.h"

#include "chartwidget.h"
#include "csvexport.h"
#include "nonmodalprompt.h"
#include "palette.h"
#include "targetcontroller.h"
#include "targetsettingsdialog.h"
#include "windowplacement.h"

#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QBuffer>
#include <QVBoxLayout>

namespace Switchboard {

namespace {

struct WindowChoice
{
    const char *label;
    qint64 ms;
};
constexpr WindowChoice kWindows[] = {{QT_TRANSLATE_NOOP("Switchboard::TargetChartsWidget", "5 min"), 5 * 60 * 1000LL},
                                     {QT_TRANSLATE_NOOP("Switchboard::TargetChartsWidget", "15 min"), 15 * 60 * 1000LL},
                                     {QT_TRANSLATE_NOOP("Switchboard::TargetChartsWidget", "1 h"), 3600 * 1000LL},
                                     {QT_TRANSLATE_NOOP("Switchboard::TargetChartsWidget", "6 h"), 6 * 3600 * 1000LL},
                                     {QT_TRANSLATE_NOOP("Switchboard::TargetChartsWidget", "24 h"), 24 * 3600 * 1000LL}};

} // namespace

TargetChartsWidget::TargetChartsWidget(QWidget *parent)
    : QWidget(parent)
    , m_window(new QComboBox(this))
    , m_exportPng(new QPushButton(tr("Export PNG…"), this))
    , m_exportCsv(new QPushButton(tr("Export CSV…"), this))
    , m_settings(new QPushButton(tr("Metrics settings…"), this))
    , m_charts(new QWidget(this))
{
    m_window->setObjectName(QStringLiteral("windowCombo"));
    for (const WindowChoice &w : kWindows)
        m_window->addItem(tr(w.label), w.ms);
    m_window->setCurrentIndex(1);
    m_exportPng->setObjectName(QStringLiteral("exportPngButton"));
    m_exportCsv->setObjectName(QStringLiteral("exportCsvButton"));
    m_settings->setObjectName(QStringLiteral("settingsButton"));
    auto *windowRow = new QHBoxLayout;
    windowRow->addWidget(m_exportPng);
    windowRow->addWidget(m_exportCsv);
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
    // In the panel's scroll area: below this the charts are scrolled to, not squeezed flat.
    m_charts->setMinimumHeight(320);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(windowRow);
    layout->addWidget(m_charts, 1);

    connect(m_window, &QComboBox::currentIndexChanged, this, &TargetChartsWidget::onWindowChanged);
    connect(m_settings, &QPushButton::clicked, this, &TargetChartsWidget::openSettings);
    connect(m_exportPng, &QPushButton::clicked, this, [this] {
        NonModalPrompt::saveFile(this, tr("Export charts"), m_controller ? m_controller->name() + QStringLiteral(".png") : QString(),
                    tr("PNG images (*.png)"), this, [this](const QString &path) { exportPng(path); });
    });
    connect(m_exportCsv, &QPushButton::clicked, this, [this] {
        NonModalPrompt::saveFile(this, tr("Export series"), m_controller ? m_controller->name() + QStringLiteral(".csv") : QString(),
                    tr("CSV files (*.csv)"), this, [this](const QString &path) { exportCsv(path); });
    });
    setController(nullptr);
}

void TargetChartsWidget::setController(TargetController *controller)
{
    if (m_controller)
        disconnect(m_controller, nullptr, this, nullptr);
    m_controller = controller;
    const qint64 window = m_window->currentData().toLongLong();
    for (ChartWidget *c : {m_errorChart, m_latencyChart, m_rpsChart})
        c->setModel(controller ? controller->healthHistory() : nullptr);
    m_weightChart->setModel(controller ? controller->splitHistory() : nullptr);
    for (ChartWidget *c : {m_errorChart, m_latencyChart, m_rpsChart, m_weightChart}) {
        c->setMarkers(controller ? controller->chartMarkers() : nullptr);
        c->setWindowMs(window);
    }
    if (controller)
        connect(controller, &TargetController::healthChanged, this, &TargetChartsWidget::updateEmptyReasons);
    updateEmptyReasons();
}

void TargetChartsWidget::updateEmptyReasons()
{
    QString why;
    if (m_controller && !m_controller->hasMetrics()) {
        why = tr("no metrics source configured for this target");
    } else if (m_controller) {
        const QString err = m_controller->metricsError();
        why = err.isEmpty() ? QString() : tr("no data from metrics: %1").arg(err);
    }
    for (ChartWidget *c : {m_errorChart, m_latencyChart, m_rpsChart})
        c->setEmptyReason(why);
}

void TargetChartsWidget::openSettings()
{
    if (!m_controller)
        return;
    // Non-modal: with the settings open, Rollback must still be one click (or Ctrl+Shift+R) away.
    auto *dialog = new TargetSettingsDialog(m_controller, m_targetsPath, this);
    WindowPlacement::showClearOfActionStrip(dialog);
}

void TargetChartsWidget::exportPng(const QString &path)
{
    if (!m_controller) {
        Q_EMIT exported(path, tr("no target selected"));
        return;
    }
    // Drawn here; encoded and written on a pool thread (a full-size PNG takes tens of ms).
    const QImage image = m_charts->grab().toImage();
    runOffThread(
        this,
        [path, image] {
            QByteArray png;
            QBuffer buffer(&png);
            QString reason;
            if (!buffer.open(QIODevice::WriteOnly) || !image.save(&buffer, "PNG"))
                reason = QStringLiteral("cannot encode the PNG");
            else if (writeFileAtomically(path, png, &reason))
                return QString();
            return tr("cannot write %1: %2").arg(path, reason); // tr(): thread-safe
        },
        [this, path](const QString &error) {
            Q_EMIT message(error.isEmpty() ? tr("charts saved to %1").arg(path) : error, 8000);
            Q_EMIT exported(path, error);
        });
}

void TargetChartsWidget::exportCsv(const QString &path)
{
    if (!m_controller) {
        Q_EMIT exported(path, tr("no target selected"));
        return;
    }
    runOffThread(
        this, [path, table = seriesTable({m_controller->healthHistory(), m_controller->splitHistory()})] { return writeSeriesCsv(path, table); },
        [this, path](const QString &error) {
            Q_EMIT message(error.isEmpty() ? tr("series saved to %1").arg(path) : error, 8000);
            Q_EMIT exported(path, error);
        });
}

void TargetChartsWidget::onWindowChanged(int index)
{
    const qint64 window = m_window->itemData(index).toLongLong();
    for (ChartWidget *c : {m_errorChart, m_latencyChart, m_rpsChart, m_weightChart})
        c->setWindowMs(window);
    if (m_controller)
        m_controller->backfill(window);
}

} // namespace Switchboard
