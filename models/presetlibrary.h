#pragma once
// The presets folder for the GUI: PresetStore's listing and file operations, run off the GUI
// thread. The window's views read the last listing (entries()), which follows the folder: a file
// added, edited or removed by hand (or by `switchboard` in a terminal) shows up by itself.
//
// Operations run one at a time in the order asked (a save and then a remove of the same preset
// must not pass each other), each followed by a fresh listing in the same trip to the disk.

#include "presetstore.h"

#include <QFileSystemWatcher>
#include <QObject>
#include <QPointer>

#include <deque>
#include <functional>
#include <optional>

namespace Switchboard {

class PresetLibrary final : public QObject
{
    Q_OBJECT
public:
    explicit PresetLibrary(const QString &folder = PresetStore::defaultFolder(), QObject *parent = nullptr);

    QString folder() const { return m_store.folder(); }
    QString pathFor(const QString &name) const { return m_store.pathFor(name); }

    // The built-ins until the first listing is in (listChanged()), then the last listing.
    const QList<PresetStore::Entry> &entries() const { return m_entries; }
    std::optional<PresetStore::Entry> entry(const QString &name) const;
    bool hasListed() const { return m_listed; }

    // Reads the folder again; a request while one is waiting to run joins it.
    void reload();

    // `done` runs on `context`'s thread once the operation and the listing after it are done
    // (listChanged() has been emitted), and not at all once `context` is gone.
    using Done = std::function<void(bool ok, const QString &error)>;
    void save(const RolloutPlan &plan, QObject *context, Done done, bool replaceBroken = false);
    void duplicate(const QString &from, const QString &to, QObject *context, Done done);
    void remove(const QString &name, QObject *context, Done done);
    // `importedName` is the preset's name in the folder (PresetStore::importFrom's choice).
    void importFrom(const QString &path, QObject *context,
                    std::function<void(bool ok, const QString &error, const QString &importedName)> done);
    void exportTo(const QString &name, const QString &path, QObject *context, Done done);

Q_SIGNALS:
    void listChanged();

private:
    struct Outcome
    {
        bool ok = true;
        QString error;
        QString name;
        QList<PresetStore::Entry> entries;
        QString watchFolder; // the folder, or while it does not exist the nearest one above
    };
    struct Job
    {
        std::function<Outcome(PresetStore &)> work; // empty: only the listing
        QPointer<QObject> context;
        std::function<void(const Outcome &)> done;
    };
    // A PresetStore call answering ok / error, as a job.
    void run(std::function<bool(PresetStore &, QString *)> operation, QObject *context, Done done);
    void enqueue(Job job);
    void runNext();
    void follow(const Outcome &o);

    PresetStore m_store; // a folder path: each job works on a copy of its own
    QList<PresetStore::Entry> m_entries;
    bool m_listed = false;
    std::deque<Job> m_jobs;
    bool m_running = false;
    QFileSystemWatcher m_watcher;
};

} // namespace Switchboard
