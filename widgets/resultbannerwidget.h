#pragma once
// The panel's non-modal banner for results that need the operator: a change that reached only
// some load balancers (Retry) or was refused on a conflict (Apply anyway). Retrying while a
// rollout runs goes through the rollout, never around it.

#include "domain.h"

#include <QPointer>
#include <QWidget>

class QLabel;
class QPushButton;

namespace Switchboard {

class TargetController;

class ResultBannerWidget final : public QWidget
{
    Q_OBJECT
public:
    explicit ResultBannerWidget(QWidget *parent = nullptr);

    void setController(TargetController *controller);
    QString text() const;

public Q_SLOTS:
    void showResult(const Switchboard::ChangeResult &result);
    void retry();
    void dismiss();

Q_SIGNALS:
    void message(const QString &text, int timeoutMs);

private:
    QPointer<TargetController> m_controller;
    ChangeResult m_result;
    QLabel *m_text;
    QPushButton *m_retry;
    QPushButton *m_dismiss;
};

} // namespace Switchboard
