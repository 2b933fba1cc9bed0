#pragma once
// The inline "are you sure?" of the target panel: the question with its before → after, and
// Confirm / Cancel (Enter confirms, Esc cancels). It replaces modal boxes so that nothing ever
// stands between the operator and Rollback.

#include "confirm.h"

#include <QWidget>

class QLabel;
class QPushButton;

namespace Switchboard {

class ConfirmBarWidget final : public QWidget
{
    Q_OBJECT
public:
    explicit ConfirmBarWidget(QWidget *parent = nullptr);

    // Shows the question (replacing any open one, which stays unanswered) and takes the focus.
    void ask(const QString &title, const QString &text, std::function<void(bool)> decided);
    // The ConfirmFn the panel's views are given.
    ConfirmFn confirmFn();
    bool isAsking() const { return bool(m_decided); }
    QString question() const; // title and text, plain

public Q_SLOTS:
    void confirm();
    void cancel();
    // Takes the question away unanswered (the target changed under it).
    void withdraw();

Q_SIGNALS:
    void asked(const QString &title, const QString &text);

protected:
    void keyPressEvent(QKeyEvent *event) override;

private:
    void answer(bool yes);

    QLabel *m_title;
    QLabel *m_text;
    QPushButton *m_confirm;
    QPushButton *m_cancel;
    std::function<void(bool)> m_decided;
};

} // namespace Switchboard
