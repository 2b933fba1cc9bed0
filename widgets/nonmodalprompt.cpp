#include "nonmodalprompt.h"

#include "windowplacement.h"

#include <QFileDialog>
#include <QInputDialog>

namespace Switchboard {

namespace {

void fileDialog(QWidget *parent, const QString &caption, const QString &suggested, const QString &filter, bool save,
                const QObject *context, NonModalPrompt::Answer answered)
{
    auto *dialog = new QFileDialog(parent, caption, suggested, filter);
    dialog->setAcceptMode(save ? QFileDialog::AcceptSave : QFileDialog::AcceptOpen);
    dialog->setFileMode(save ? QFileDialog::AnyFile : QFileDialog::ExistingFile);
    dialog->setOption(QFileDialog::DontUseNativeDialog); // a native one may be modal whatever we ask
    QObject::connect(dialog, &QFileDialog::fileSelected, context, [answered = std::move(answered)](const QString &path) {
        if (!path.isEmpty())
            answered(path);
    });
    WindowPlacement::showClearOfActionStrip(dialog);
}

} // namespace

void NonModalPrompt::saveFile(QWidget *parent, const QString &caption, const QString &suggested, const QString &filter,
                              const QObject *context, Answer answered)
{
    fileDialog(parent, caption, suggested, filter, true, context, std::move(answered));
}

void NonModalPrompt::openFile(QWidget *parent, const QString &caption, const QString &filter, const QObject *context,
                              Answer answered)
{
    fileDialog(parent, caption, QString(), filter, false, context, std::move(answered));
}

void NonModalPrompt::text(QWidget *parent, const QString &title, const QString &label, const QString &initial,
                          const QObject *context, Answer answered)
{
    auto *dialog = new QInputDialog(parent);
    dialog->setWindowTitle(title);
    dialog->setLabelText(label);
    dialog->setTextValue(initial);
    QObject::connect(dialog, &QInputDialog::textValueSelected, context, [answered = std::move(answered)](const QString &text) {
        if (!text.isEmpty())
            answered(text);
    });
    WindowPlacement::showClearOfActionStrip(dialog);
}

} // namespace Switchboard
