#include "presetsdialog.h"

#include "nonmodalprompt.h"

#include "palette.h"
#include "presetlibrary.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSplitter>
#include <QVBoxLayout>

namespace Switchboard {

PresetsDialog::PresetsDialog(PresetLibrary *library, QWidget *parent)
    : QDialog(parent)
    , m_library(library)
    , m_list(new QListWidget(this))
    , m_editor(new QPlainTextEdit(this))
    , m_message(new QLabel(this))
    , m_remove(new QPushButton(tr("Delete"), this))
{
    setWindowTitle(tr("Rollout presets · %1").arg(library->folder()));
    m_list->setObjectName(QStringLiteral("presetList"));
    m_editor->setObjectName(QStringLiteral("presetEditor"));
    m_editor->setFont(QFont(QStringLiteral("monospace")));
    m_message->setObjectName(QStringLiteral("presetMessage"));
    m_message->setWordWrap(true);

    auto *newButton = new QPushButton(tr("New…"), this);
    auto *dup = new QPushButton(tr("Duplicate…"), this);
    auto *import = new QPushButton(tr("Import…"), this);
    auto *exportButton = new QPushButton(tr("Export…"), this);
    auto *save = new QPushButton(tr("Save"), this);
    save->setObjectName(QStringLiteral("presetSave"));
    auto *buttons = new QHBoxLayout;
    for (QPushButton *b : {newButton, dup, m_remove, import, exportButton})
        buttons->addWidget(b);
    buttons->addStretch(1);
    buttons->addWidget(save);

    auto *split = new QSplitter(this);
    split->addWidget(m_list);
    split->addWidget(m_editor);
    split->setStretchFactor(1, 1);
    split->setSizes({220, 600});
    auto *close = new QDialogButtonBox(QDialogButtonBox::Close, this);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(split, 1);
    layout->addWidget(m_message);
    layout->addLayout(buttons);
    layout->addWidget(close);
    resize(900, 560);

    connect(m_list, &QListWidget::currentRowChanged, this, &PresetsDialog::showCurrent);
    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(save, &QPushButton::clicked, this, &PresetsDialog::saveCurrent);
    connect(m_remove, &QPushButton::clicked, this, &PresetsDialog::removeCurrent);
    connect(newButton, &QPushButton::clicked, this, [this] {
        NonModalPrompt::text(this, tr("New preset"), tr("Name (letters, digits, . _ -):"), QString(), this,
                             [this](const QString &name) { createPreset(name); });
    });
    connect(dup, &QPushButton::clicked, this, [this] {
        NonModalPrompt::text(this, tr("Duplicate preset"), tr("New name:"), currentName() + QStringLiteral("-copy"), this,
                             [this](const QString &name) { duplicateCurrent(name); });
    });
    connect(import, &QPushButton::clicked, this, [this] {
        NonModalPrompt::openFile(this, tr("Import preset"), tr("JSON (*.json)"), this,
                                 [this](const QString &path) { importFile(path); });
    });
    connect(exportButton, &QPushButton::clicked, this, [this] {
        NonModalPrompt::saveFile(this, tr("Export preset"), currentName() + QStringLiteral(".json"), tr("JSON (*.json)"), this,
                                 [this](const QString &path) { exportCurrent(path); });
    });
    // Someone else's change to the folder (an editor, a terminal) shows up in the list.
    connect(m_library, &PresetLibrary::listChanged, this, [this] { refill(); });
    refill({}, true);
}

void PresetsDialog::createPreset(const QString &name)
{
    RolloutPlan plan = PresetStore::builtIns().constFirst();
    plan.name = name;
    plan.description.clear();
    m_library->save(plan, this, [this, name](bool ok, const QString &error) {
        finish(ok, error, tr("created %1 from %2: edit and Save").arg(name, PresetStore::builtIns().constFirst().name), name);
    });
}

void PresetsDialog::finish(bool ok, const QString &error, const QString &success, const QString &selectName)
{
    if (ok)
        refill(selectName, true); // the preset it made, or the one still selected
    say(ok ? success : error, !ok);
    Q_EMIT operationFinished(ok);
}

QStringList PresetsDialog::names() const
{
    QStringList out;
    for (int i = 0; i < m_list->count(); ++i)
        out.append(m_list->item(i)->data(Qt::UserRole).toString());
    return out;
}

void PresetsDialog::select(const QString &name)
{
    const int i = int(names().indexOf(name));
    if (i >= 0)
        m_list->setCurrentRow(i);
}

QString PresetsDialog::editorText() const
{
    return m_editor->toPlainText();
}

void PresetsDialog::setEditorText(const QString &text)
{
    m_editor->setPlainText(text);
}

QString PresetsDialog::message() const
{
    return m_message->text();
}

QString PresetsDialog::currentName() const
{
    const QListWidgetItem *item = m_list->currentItem();
    return item ? item->data(Qt::UserRole).toString() : QString();
}

void PresetsDialog::say(const QString &text, bool error)
{
    m_message->setText(text);
    m_message->setStyleSheet(error ? QStringLiteral("color: %1;").arg(Palette::danger().name()) : QString());
}

void PresetsDialog::refill(const QString &selectName, bool show)
{
    const QString before = currentName();
    const QString keep = selectName.isEmpty() ? before : selectName;
    {
        const QSignalBlocker quiet(m_list);
        m_list->clear();
        for (const PresetStore::Entry &e : m_library->entries()) {
            auto *item = new QListWidgetItem(e.builtIn ? tr("%1 (built-in)").arg(e.name) : e.name, m_list);
            item->setData(Qt::UserRole, e.name);
            if (!e.ok()) {
                item->setText(tr("%1 (broken)").arg(e.name));
                item->setForeground(Palette::danger());
                item->setToolTip(e.error);
            }
        }
        select(keep);
        if (!m_list->currentItem() && m_list->count() > 0)
            m_list->setCurrentRow(0);
    }
    const std::optional<PresetStore::Entry> current = m_library->entry(currentName());
    m_remove->setEnabled(current && !current->builtIn);
    if (show || currentName() != before)
        showCurrent();
}

void PresetsDialog::showCurrent()
{
    const QString name = currentName();
    const std::optional<PresetStore::Entry> e = m_library->entry(name);
    if (!e)
        return;
    m_remove->setEnabled(!e->builtIn);
    if (!e->ok()) {
        // Show the file as it is, so its author sees what to fix.
        m_editor->setPlainText(QString::fromUtf8(e->bytes));
        say(e->error, true);
    } else {
        m_editor->setPlainText(QString::fromUtf8(e->plan.toJsonBytes()));
        say(e->builtIn ? tr("built-in: Save writes your own copy to %1").arg(m_library->pathFor(name)) : e->path, false);
    }
}

bool PresetsDialog::saveCurrent()
{
    const QString name = currentName();
    RolloutPlan plan;
    QString error;
    if (!RolloutPlan::fromJson(m_editor->toPlainText().toUtf8(), name, &plan, &error)) {
        say(error, true); // nothing is written
        return false;
    }
    plan.name = name; // the file name wins (PresetStore)
    const QString path = m_library->pathFor(name);
    // A broken file was shown as it is in the editor: saving valid text over it is its fix.
    const std::optional<PresetStore::Entry> shown = m_library->entry(name);
    const bool fixesBrokenFile = shown && !shown->ok();
    m_library->save(
        plan, this, [this, name, path](bool ok, const QString &err) { finish(ok, err, tr("saved %1").arg(path), name); },
        fixesBrokenFile);
    return true;
}

bool PresetsDialog::duplicateCurrent(const QString &newName)
{
    m_library->duplicate(currentName(), newName, this, [this, newName](bool ok, const QString &error) {
        finish(ok, error, tr("duplicated as %1").arg(newName), newName);
    });
    return true;
}

bool PresetsDialog::removeCurrent()
{
    const QString name = currentName();
    m_library->remove(name, this, [this, name](bool ok, const QString &error) {
        finish(ok, error, tr("deleted %1").arg(name));
    });
    return true;
}

bool PresetsDialog::importFile(const QString &path)
{
    m_library->importFrom(path, this, [this](bool ok, const QString &error, const QString &imported) {
        finish(ok, error, tr("imported %1").arg(imported), imported);
    });
    return true;
}

bool PresetsDialog::exportCurrent(const QString &path)
{
    m_library->exportTo(currentName(), path, this, [this, path](bool ok, const QString &error) {
        // The list is as it was: the selection and the editor stay.
        say(ok ? tr("exported to %1").arg(path) : error, !ok);
        Q_EMIT operationFinished(ok);
    });
    return true;
}

} // namespace Switchboard
