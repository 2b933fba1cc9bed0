#include "presetlibrary.h"

#include "offthread.h"

#include <QFileInfo>

namespace Switchboard {

PresetLibrary::PresetLibrary(const QString &folder, QObject *parent)
    : QObject(parent)
    , m_store(folder)
{
    // The built-ins need no disk: the rollout bar can offer them before the folder is read.
    for (const RolloutPlan &p : PresetStore::builtIns())
        m_entries.append(PresetStore::Entry{p.name, QString(), true, QString(), p, {}});
    connect(&m_watcher, &QFileSystemWatcher::directoryChanged, this, &PresetLibrary::reload);
    connect(&m_watcher, &QFileSystemWatcher::fileChanged, this, &PresetLibrary::reload);
    reload();
}

std::optional<PresetStore::Entry> PresetLibrary::entry(const QString &name) const
{
    for (const PresetStore::Entry &e : m_entries)
        if (e.name == name)
            return e;
    return std::nullopt;
}

void PresetLibrary::reload()
{
    // A listing already waiting will see whatever changed since it was asked for.
    for (const Job &j : m_jobs)
        if (!j.work)
            return;
    enqueue(Job{});
}

void PresetLibrary::save(const RolloutPlan &plan, QObject *context, Done done, bool replaceBroken)
{
    run([plan, replaceBroken](PresetStore &s, QString *error) { return s.save(plan, error, replaceBroken); }, context,
        std::move(done));
}

void PresetLibrary::duplicate(const QString &from, const QString &to, QObject *context, Done done)
{
    run([from, to](PresetStore &s, QString *error) { return s.duplicate(from, to, error); }, context, std::move(done));
}

void PresetLibrary::remove(const QString &name, QObject *context, Done done)
{
    run([name](PresetStore &s, QString *error) { return s.remove(name, error); }, context, std::move(done));
}

void PresetLibrary::importFrom(const QString &path, QObject *context,
                               std::function<void(bool ok, const QString &error, const QString &importedName)> done)
{
    enqueue(Job{[path](PresetStore &s) {
                    Outcome o;
                    o.ok = s.importFrom(path, &o.error, {}, false, &o.name);
                    return o;
                },
                context, [done](const Outcome &o) { done(o.ok, o.error, o.name); }});
}

void PresetLibrary::exportTo(const QString &name, const QString &path, QObject *context, Done done)
{
    run([name, path](PresetStore &s, QString *error) { return s.exportTo(name, path, error); }, context, std::move(done));
}

void PresetLibrary::run(std::function<bool(PresetStore &, QString *)> operation, QObject *context, Done done)
{
    enqueue(Job{[operation](PresetStore &s) {
                    Outcome o;
                    o.ok = operation(s, &o.error);
                    return o;
                },
                context, [done](const Outcome &o) { done(o.ok, o.error); }});
}

void PresetLibrary::enqueue(Job job)
{
    m_jobs.push_back(std::move(job));
    runNext();
}

void PresetLibrary::runNext()
{
    if (m_running || m_jobs.empty())
        return;
    m_running = true;
    Job job = std::move(m_jobs.front());
    m_jobs.pop_front();
    const bool answers = bool(job.done);
    runOffThread(
        this,
        [store = m_store, work = job.work]() mutable {
            Outcome o = work ? work(store) : Outcome{};
            o.entries = store.list();
            // The folder may not exist yet (the first save creates it, here or in a terminal,
            // with Switchboard's config folder above it): the nearest folder above that exists
            // tells when the next one down appears.
            QFileInfo folder(store.folder());
            while (!folder.isDir() && folder.absoluteFilePath() != folder.absolutePath())
                folder = QFileInfo(folder.absolutePath());
            o.watchFolder = folder.isDir() ? folder.absoluteFilePath() : QString();
            return o;
        },
        [this, context = job.context, done = std::move(job.done), answers](const Outcome &o) {
            m_entries = o.entries;
            m_listed = true;
            follow(o);
            Q_EMIT listChanged();
            if (answers && context)
                done(o);
            m_running = false;
            runNext();
        });
}

void PresetLibrary::follow(const Outcome &o)
{
    // inotify on the folder (files added, removed, renamed: an editor's atomic save) and on each
    // file (written in place).
    QStringList want;
    if (!o.watchFolder.isEmpty())
        want.append(o.watchFolder);
    for (const PresetStore::Entry &e : o.entries)
        if (!e.path.isEmpty())
            want.append(e.path);
    const QStringList watched = m_watcher.directories() + m_watcher.files();
    QStringList gone;
    for (const QString &w : watched)
        if (!want.contains(w))
            gone.append(w);
    if (!gone.isEmpty())
        m_watcher.removePaths(gone);
    QStringList added;
    for (const QString &w : std::as_const(want))
        if (!watched.contains(w))
            added.append(w);
    if (!added.isEmpty())
        m_watcher.addPaths(added);
    // A folder watched only from now on may have changed between the listing and the watch
    // (the presets folder just created, its first file written right after): one more look.
    if (!o.watchFolder.isEmpty() && added.contains(o.watchFolder))
        reload();
}

} // namespace Switchboard
