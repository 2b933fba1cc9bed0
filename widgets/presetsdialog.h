#pragma once
// Rollout presets: list (broken files shown with their error), view and edit a plan as JSON
// (validated before it is saved), new, duplicate, delete, import and export. Plans are text
// files people keep in their config repos, so the editor shows exactly what the file holds.

#include <QDialog>

class QLabel;
class QListWidget;
class QPlainTextEdit;
class QPushButton;

namespace Switchboard {

class PresetStore;

class PresetsDialog final : public QDialog
{
    Q_OBJECT
public:
    explicit PresetsDialog(PresetStore *store, QWidget *parent = nullptr);

    QStringList names() const;
    void select(const QString &name);
    QString editorText() const;
    void setEditorText(const QString &text);
    QString message() const;

public Q_SLOTS:
    bool saveCurrent();
    bool duplicateCurrent(const QString &newName);
    bool removeCurrent();
    bool importFile(const QString &path);
    bool exportCurrent(const QString &path);

private:
    void reload(const QString &select = {});
    void createPreset(const QString &name); // from the first built-in plan
    void showCurrent();
    QString currentName() const;
    void say(const QString &text, bool error);

    PresetStore *m_store;
    QListWidget *m_list;
    QPlainTextEdit *m_editor;
    QLabel *m_message;
    QPushButton *m_remove;
};

} // namespace Switchboard
