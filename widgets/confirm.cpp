#include "confirm.h"

#include <QMessageBox>
#include <QPointer>

namespace Switchboard {

ConfirmFn messageBoxConfirm(QWidget *parent)
{
    QPointer<QWidget> owner(parent);
    return [owner](const QString &title, const QString &text) {
        // Default is "No": a stray Enter must not move traffic.
        return QMessageBox::question(owner, title, text, QMessageBox::Yes | QMessageBox::No, QMessageBox::No)
            == QMessageBox::Yes;
    };
}

} // namespace Switchboard
