#include "deployactionwidget.h"

#include "nonmodalprompt.h"
#include "targetcontroller.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

namespace Switchboard {

DeployActionWidget::DeployActionWidget(ConfirmFn confirm, QWidget *parent)
    : QWidget(parent)
    , m_confirm(std::move(confirm))
    , m_image(new QLabel(this))
    , m_deploy(new QPushButton(tr("Deploy new version…"), this))
{
    m_image->setObjectName(QStringLiteral("deployImageLabel"));
    m_image->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_deploy->setObjectName(QStringLiteral("deployButton"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_image, 1);
    layout->addWidget(m_deploy);
    connect(m_deploy, &QPushButton::clicked, this, &DeployActionWidget::askImage);
    setController(nullptr);
}

void DeployActionWidget::setController(TargetController *controller)
{
    if (m_controller)
        disconnect(m_controller, nullptr, this, nullptr);
    m_controller = controller;
    if (controller) {
        connect(controller, &TargetController::snapshotChanged, this, &DeployActionWidget::sync);
        connect(controller, &TargetController::deployFinished, this, &DeployActionWidget::onFinished);
    }
    sync();
}

void DeployActionWidget::sync()
{
    const TrafficSnapshot s = m_controller ? m_controller->snapshot() : TrafficSnapshot{};
    setVisible(!s.image.isEmpty());
    m_image->setText(tr("new version runs %1 (container %2)").arg(s.image, s.imageContainer));
    const bool readOnly = m_controller && m_controller->isReadOnly();
    const bool busy = m_controller && m_controller->isDeployInFlight();
    m_deploy->setEnabled(m_controller && !readOnly && !busy);
    m_deploy->setToolTip(readOnly ? m_controller->readOnlyReason()
                         : busy   ? tr("a deploy is under way")
                                  : tr("Set the new version's image and follow its pods to Ready"));
}

void DeployActionWidget::askImage()
{
    if (!m_controller)
        return;
    const TrafficSnapshot s = m_controller->snapshot();
    NonModalPrompt::text(this, tr("Deploy new version"), tr("Image for container %1:").arg(s.imageContainer), s.image, this,
                         [this](const QString &image) { deploy(image.trimmed()); });
}

void DeployActionWidget::deploy(const QString &image)
{
    if (!m_controller || image.isEmpty())
        return;
    const TrafficSnapshot s = m_controller->snapshot();
    const QString container = s.imageContainer;
    m_confirm(tr("Deploy new version?"), tr("%1: %2 → %3").arg(container, s.image, image),
              [this, target = m_controller, image, container](bool yes) {
                  if (!yes || !m_controller || m_controller.data() != target.data())
                      return;
                  m_controller->deployImage(image, container, tr("operator"));
                  sync();
              });
}

void DeployActionWidget::onFinished(const DeployResult &result)
{
    sync();
    Q_EMIT message(result.ok() ? tr("deployed: %1").arg(result.message) : tr("deploy %1: %2").arg(statusName(result.status), result.message),
                   8000);
}

} // namespace Switchboard
