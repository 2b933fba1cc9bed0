#include "targetpanelwidget.h"

#include "confirmbarwidget.h"
#include "deployactionwidget.h"
#include "leaserowwidget.h"
#include "resultbannerwidget.h"
#include "rolloutbarwidget.h"
#include "targetchartswidget.h"
#include "targetstatuswidget.h"
#include "verdictbadgewidget.h"
#include "testersrowwidget.h"
#include "weightcontrolswidget.h"

#include <QFrame>
#include <QScrollArea>
#include <QVBoxLayout>

namespace Switchboard {

TargetPanelWidget::TargetPanelWidget(PresetLibrary *presets, QWidget *parent)
    : QWidget(parent)
    , m_confirmBar(new ConfirmBarWidget(this))
    , m_controls(new WeightControlsWidget(m_confirmBar->confirmFn(), this))
    , m_banner(new ResultBannerWidget(this))
    , m_scroll(new QScrollArea(this))
    , m_status(new TargetStatusWidget)
    , m_verdict(new VerdictBadgeWidget)
    , m_testers(new TestersRowWidget(m_confirmBar->confirmFn()))
    , m_rollout(new RolloutBarWidget(presets, m_confirmBar->confirmFn()))
    , m_charts(new TargetChartsWidget)
    , m_deploy(new DeployActionWidget(m_confirmBar->confirmFn()))
    , m_lease(new LeaseRowWidget(m_confirmBar->confirmFn()))
{
    m_lease->setObjectName(QStringLiteral("leaseRow"));
    m_confirmBar->setObjectName(QStringLiteral("confirmBar"));
    m_controls->setObjectName(QStringLiteral("actionStrip"));
    m_banner->setObjectName(QStringLiteral("resultBanner"));
    m_scroll->setObjectName(QStringLiteral("panelScroll"));
    m_status->setObjectName(QStringLiteral("statusView"));
    m_verdict->setObjectName(QStringLiteral("verdictView"));
    m_rollout->setObjectName(QStringLiteral("rolloutBar"));
    m_testers->setObjectName(QStringLiteral("testersRow"));
    m_charts->setObjectName(QStringLiteral("chartsView"));
    m_deploy->setObjectName(QStringLiteral("deployAction"));

    auto *content = new QWidget;
    auto *contentLayout = new QVBoxLayout(content);
    contentLayout->setContentsMargins(0, 0, 0, 0);
    contentLayout->addWidget(m_lease);
    contentLayout->addWidget(m_verdict);
    contentLayout->addWidget(m_status);
    contentLayout->addWidget(m_testers);
    contentLayout->addWidget(m_rollout);
    contentLayout->addWidget(m_deploy);
    contentLayout->addWidget(m_charts, 1);
    m_scroll->setWidget(content);
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);

    // The strip, the question and the result stay put above what scrolls.
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_controls);
    layout->addWidget(m_confirmBar);
    layout->addWidget(m_banner);
    layout->addWidget(m_scroll, 1);

    connect(m_controls, &WeightControlsWidget::message, this, &TargetPanelWidget::message);
    connect(m_banner, &ResultBannerWidget::message, this, &TargetPanelWidget::message);
    connect(m_charts, &TargetChartsWidget::message, this, &TargetPanelWidget::message);
    connect(m_charts, &TargetChartsWidget::exported, this, &TargetPanelWidget::exported);
    connect(m_deploy, &DeployActionWidget::message, this, &TargetPanelWidget::message);
    connect(m_lease, &LeaseRowWidget::message, this, &TargetPanelWidget::message);
    setController(nullptr);
}

void TargetPanelWidget::setController(TargetController *controller)
{
    m_controller = controller;
    m_confirmBar->withdraw(); // a question about another target must not be answered for this one
    m_controls->setController(controller);
    m_banner->setController(controller);
    m_status->setController(controller);
    m_verdict->setController(controller);
    m_testers->setController(controller);
    m_rollout->setController(controller);
    m_charts->setController(controller);
    m_deploy->setController(controller);
    m_lease->setController(controller);
}

void TargetPanelWidget::setTargetsPath(const QString &path)
{
    m_charts->setTargetsPath(path);
    m_verdict->setTargetsPath(path);
}

void TargetPanelWidget::rollback()
{
    m_controls->rollback();
}

void TargetPanelWidget::refreshAge()
{
    m_status->refresh();
    m_lease->refresh();
}

void TargetPanelWidget::exportPng(const QString &path)
{
    m_charts->exportPng(path);
}

void TargetPanelWidget::exportCsv(const QString &path)
{
    m_charts->exportCsv(path);
}

} // namespace Switchboard
