#pragma once
// The presets folder ($XDG_CONFIG_HOME/switchboard/presets/NAME.json, one plan per file) plus
// the built-in plans: list, load, save, duplicate, remove, import and export.
//
// Users keep these files in their config repos and edit them by hand, so: the file name is the
// preset's name (a different "name" inside is ignored); a file that does not parse or validate
// is listed with its error and never rewritten by save() (unless the caller replaces that very
// file on purpose: the presets dialog, whose editor showed the broken text); every write goes through
// QSaveFile, so a crash leaves the old file or the new one, never half of one. A file named like
// a built-in overrides it; removing the file brings the built-in back.

#include "rolloutplan.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace Switchboard {

class PresetStore final
{
public:
    // $XDG_CONFIG_HOME/switchboard/presets (QStandardPaths::GenericConfigLocation).
    static QString defaultFolder();
    static QList<RolloutPlan> builtIns();

    explicit PresetStore(const QString &folder = defaultFolder());

    struct Entry
    {
        QString name;
        QString path;          // empty for a built-in
        bool builtIn = false;  // true only when no file overrides it
        QString error;         // non-empty: the file is broken (and left as it is)
        RolloutPlan plan;      // valid only when error is empty
        QByteArray bytes;      // a broken file as it is, to show its author what to fix
        bool ok() const { return error.isEmpty(); }
    };

    QString folder() const { return m_folder; }
    QString pathFor(const QString &name) const;

    // Built-ins and files by name; a file wins over a built-in of the same name.
    QList<Entry> list() const;
    bool load(const QString &name, RolloutPlan *out, QString *error) const;
    // Validates first; refuses to replace a file that is broken (its author should see why)
    // unless `replaceBroken`: the operator fixed that file's text and saves it.
    bool save(const RolloutPlan &plan, QString *error, bool replaceBroken = false);
    // Copies `from` (file or built-in) to a new preset `to`; refuses to overwrite.
    bool duplicate(const QString &from, const QString &to, QString *error);
    // Deletes the file; built-ins cannot be removed.
    bool remove(const QString &name, QString *error);
    // Reads a plan file from anywhere, validates it and saves it under `name` (default: the
    // plan's "name", else the file's base name). Refuses to overwrite unless `overwrite`.
    bool importFrom(const QString &path, QString *error, const QString &name = {}, bool overwrite = false,
                    QString *importedName = nullptr);
    // Writes a preset (file or built-in) to `path` atomically.
    bool exportTo(const QString &name, const QString &path, QString *error) const;

private:
    bool exists(const QString &name) const;
    static bool writeFile(const QString &path, const QByteArray &bytes, QString *error);

    QString m_folder;
};

} // namespace Switchboard
