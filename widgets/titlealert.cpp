#include "titlealert.h"

#include <QEvent>
#include <QWidget>

namespace Switchboard {

TitleAlert::TitleAlert(QWidget *window)
    : QObject(window)
    , m_window(window)
{
    window->installEventFilter(this);
}

void TitleAlert::alert(const QString &text)
{
    if (m_window->isActiveWindow())
        return; // in front of the operator: the panel and the log already say it
    if (m_base.isNull())
        m_base = m_window->windowTitle();
    //: The window title while a notification waits to be seen: "(!) shop: rolled back — Switchboard"
    m_window->setWindowTitle(tr("(!) %1 — %2").arg(text, m_base));
}

void TitleAlert::clear()
{
    if (m_base.isNull())
        return;
    m_window->setWindowTitle(m_base);
    m_base = QString();
}

bool TitleAlert::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_window && event->type() == QEvent::ActivationChange && m_window->isActiveWindow())
        clear();
    return QObject::eventFilter(watched, event);
}

} // namespace Switchboard
