#pragma once
// "Deploy new version…" for the targets that run images (the Kubernetes Deployment kinds): the
// image the new version runs now, and the action that asks for another (a window that blocks
// nothing), confirms it inline showing the image before → after, and hands it to the
// controller, which deploys, follows the pods to Ready and audits it. Hidden elsewhere.

#include "confirm.h"
#include "domain.h"

#include <QPointer>
#include <QWidget>

class QLabel;
class QPushButton;

namespace Switchboard {

class TargetController;

class DeployActionWidget final : public QWidget
{
    Q_OBJECT
public:
    explicit DeployActionWidget(ConfirmFn confirm, QWidget *parent = nullptr);

    void setController(TargetController *controller);

public Q_SLOTS:
    // Asks for the image (then confirms inline): what the button does.
    void askImage();
    // Confirms `image` inline, showing before → after, and deploys it when confirmed.
    void deploy(const QString &image);

Q_SIGNALS:
    void message(const QString &text, int timeoutMs);

private:
    void sync();
    void onFinished(const DeployResult &result);

    ConfirmFn m_confirm;
    QPointer<TargetController> m_controller;
    QLabel *m_image;
    QPushButton *m_deploy;
};

} // namespace Switchboard
