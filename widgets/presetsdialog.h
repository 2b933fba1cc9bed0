#pragma once
// Rollout presets: list (broken files shown with their error), view and edit a plan as JSON
// (validated before it is saved), new, duplicate, delete, import and export. Plans are text
// files people keep in their config repos, so the editor shows exactly what the file holds.
// The files are read and written off the GUI thread (PresetLibrary); the list follows the folder.

#include <QDialog>

class QLabel;
class QListWidget;
class QPlainTextEdit;
class QPushButton;

namespace Switchboard {

class PresetLibrary;

class PresetsDialog final : public QDialog
{
    Q_OBJECT
public:
    explicit PresetsDialog(PresetLibrary *library, QWidget *parent = nullptr);

    QStringList names() const;
    void select(const QString &name);
    QString editorText() const;
    void setEditorText(const QString &text);
    QString message() const;

public Q_SLOTS:
    // The file operations: false when refused at once (message() says why, nothing is written);
    // true when under way, and operationFinished() tells how it ended.
    bool saveCurrent();
    bool duplicateCurrent(const QString &newName);
    bool removeCurrent();
    bool importFile(const QString &path);
    bool exportCurrent(const QString &path);

Q_SIGNALS:
    void operationFinished(bool ok);

private:
    // Fills the list from the library's last listing; `show` (or a changed selection) puts the
    // selected preset in the editor, which otherwise keeps what the operator is typing.
    void refill(const QString &select = {}, bool show = false);
    void finish(bool ok, const QString &error, const QString &success, const QString &select = {});
    void createPreset(const QString &name); // from the first built-in plan
    void showCurrent();
    QString currentName() const;
    void say(const QString &text, bool error);

    PresetLibrary *m_library;
    QListWidget *m_list;
    QPlainTextEdit *m_editor;
    QLabel *m_message;
    QPushButton *m_remove;
};

} // namespace Switchboard
