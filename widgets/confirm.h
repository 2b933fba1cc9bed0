#pragma once
// How views ask the operator to confirm a risky action. Injected so tests can answer for the
// operator; the app passes a QMessageBox-based one.

#include <functional>

#include <QString>

class QWidget;

namespace Switchboard {

using ConfirmFn = std::function<bool(const QString &title, const QString &text)>;

ConfirmFn messageBoxConfirm(QWidget *parent);

} // namespace Switchboard
