#pragma once
// A small read-only window of text (keyboard shortcuts, where the audit log lives, About). Like
// every window of the app it is non-modal, so Rollback stays one click away with it open.

#include <QDialog>

class QTextBrowser;

namespace Switchboard {

class HelpDialog final : public QDialog
{
    Q_OBJECT
public:
    HelpDialog(const QString &title, const QString &html, QWidget *parent);

    QString text() const;

private:
    QTextBrowser *m_text;
};

} // namespace Switchboard
