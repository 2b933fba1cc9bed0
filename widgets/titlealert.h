#pragma once
// Marks a window's title while it is in the background ("(!) shop: rolled back — Switchboard"),
// so a rollback shows in the task bar and the window switcher, and clears the mark when the
// window is activated again. Views only: what to say comes from the caller.

#include <QObject>
#include <QPointer>
#include <QString>

class QWidget;

namespace Switchboard {

class TitleAlert final : public QObject
{
    Q_OBJECT
public:
    // Watches `window` (its child: goes with it).
    explicit TitleAlert(QWidget *window);

    // Shows `text` in the title unless the window is active now; the newest alert wins.
    void alert(const QString &text);
    bool isShowing() const { return !m_base.isNull(); }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void clear();

    QWidget *m_window;
    QString m_base; // the title before the first alert; null when none is shown
};

} // namespace Switchboard
