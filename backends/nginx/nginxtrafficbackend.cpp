#include "nginxtrafficbackend.h"

#include "fileleasestore.h"

#include "weightchange.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSet>

#ifdef Q_OS_UNIX
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace Switchboard {

namespace {

// The line of a command's output that says what went wrong. nginx prints its complaint as
// `nginx: [emerg] MESSAGE` or, once the config has set an error_log,
// `2026/01/01 10:00:00 [emerg] 123#123: MESSAGE`, followed by "... test failed": prefer the
// first [emerg]/[alert]/[crit]/[error] line, without the time and pid; else the first line.
QString firstRelevantLine(const QString &output)
{
    static const QRegularExpression nginxLine(
        QStringLiteral("^(?:nginx: |\\d{4}/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d )?\\[(emerg|alert|crit|error)\\] (?:\\d+#\\d+: )?(.*)$"));
    const QStringList lines = output.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (const QString &l : lines) {
        const QRegularExpressionMatch m = nginxLine.match(l.trimmed());
        if (m.hasMatch())
            return m.captured(2);
    }
    for (const QString &l : lines) {
        if (!l.trimmed().isEmpty())
            return l.trimmed();
    }
    return QStringLiteral("no output");
}

bool stringList(const QJsonObject &o, const QString &key, QStringList *out, QString *error)
{
    const QJsonValue v = o.value(key);
    if (!v.isArray() || v.toArray().isEmpty()) {
        *error = QStringLiteral("nginx.%1: expected a non-empty array of strings").arg(key);
        return false;
    }
    QStringList list;
    const QJsonArray arr = v.toArray();
    for (qsizetype i = 0; i < arr.size(); ++i) {
        if (!arr.at(i).isString() || arr.at(i).toString().isEmpty()) {
            *error = QStringLiteral("nginx.%1[%2]: expected a non-empty string").arg(key).arg(i);
            return false;
        }
        list.append(arr.at(i).toString());
    }
    *out = list;
    return true;
}

} // namespace

bool NginxTargetSettings::fromJson(const QJsonObject &o, NginxTargetSettings *out, QString *error)
{
    NginxTargetSettings s;
    s.upstreamFile = o.value(QStringLiteral("upstreamFile")).toString();
    if (s.upstreamFile.isEmpty()) {
        *error = QStringLiteral("nginx.upstreamFile: expected the path of the file that holds the upstream block");
        return false;
    }
    s.upstream = o.value(QStringLiteral("upstream")).toString();
    // Words only: the name is matched against `upstream NAME {`.
    static const QRegularExpression word(QStringLiteral("^[^\\s;{}#\"']+$"));
    if (!word.match(s.upstream).hasMatch()) {
        *error = QStringLiteral("nginx.upstream: missing, or not an upstream name");
        return false;
    }
    QSet<QString> seen;
    for (const QString &key : {QStringLiteral("stable"), QStringLiteral("canary")}) {
        QStringList list;
        if (!stringList(o, key, &list, error)) {
            *error = QStringLiteral("nginx.%1: expected a non-empty array of server addresses as the upstream writes them")
                         .arg(key);
            return false;
        }
        for (qsizetype i = 0; i < list.size(); ++i) {
            // An address becomes a word of a `server` line: nothing nginx would split or end it at.
            if (!word.match(list.at(i)).hasMatch()) {
                *error = QStringLiteral("nginx.%1[%2]: not a server address").arg(key).arg(i);
                return false;
            }
            if (seen.contains(list.at(i))) {
                *error = QStringLiteral("nginx.%1[%2]: \"%3\" is listed twice").arg(key).arg(i).arg(list.at(i));
                return false;
            }
            seen.insert(list.at(i));
        }
        (key == QLatin1String("stable") ? s.stable : s.canary) = list;
    }
    for (const QString &key : {QStringLiteral("testCommand"), QStringLiteral("reloadCommand")}) {
        if (!o.contains(key))
            continue;
        if (!stringList(o, key, key == QLatin1String("testCommand") ? &s.testCommand : &s.reloadCommand, error)) {
            *error += QStringLiteral(" (an argv array such as [\"nginx\", \"-t\"]; no shell)");
            return false;
        }
    }
    if (o.contains(QStringLiteral("routes"))) {
        const QJsonObject r = o.value(QStringLiteral("routes")).toObject();
        s.routes.file = r.value(QStringLiteral("file")).toString();
        s.routes.variable = r.value(QStringLiteral("variable")).toString();
        s.routes.canaryUpstream = r.value(QStringLiteral("canaryUpstream")).toString();
        s.routes.defaultUpstream = s.upstream;
        static const QRegularExpression name(QStringLiteral("^[A-Za-z0-9_]+$"));
        if (s.routes.file.isEmpty() || !name.match(s.routes.variable).hasMatch() || !word.match(s.routes.canaryUpstream).hasMatch()) {
            *error = QStringLiteral("nginx.routes: expected {\"file\": PATH, \"variable\": NAME (letters, digits, _), "
                                    "\"canaryUpstream\": UPSTREAM}");
            return false;
        }
    }
    if (o.contains(QStringLiteral("commandTimeoutMs"))) {
        const int ms = o.value(QStringLiteral("commandTimeoutMs")).toInt(-1);
        if (ms < 100 || ms > 600000) {
            *error = QStringLiteral("nginx.commandTimeoutMs: expected milliseconds between 100 and 600000");
            return false;
        }
        s.commandTimeoutMs = ms;
    }
    *out = std::move(s);
    return true;
}

bool NginxTrafficBackend::create(const QJsonObject &settings, LayerParts *out, QString *error)
{
    NginxTargetSettings s;
    if (!NginxTargetSettings::fromJson(settings, &s, error))
        return false;
    // nginx open source counts nothing per upstream server: metrics come from Prometheus (the
    // apps' own histograms) when the target has a "prometheus" object, else none.
    out->traffic = std::make_unique<NginxTrafficBackend>(s);
    // Every Switchboard that can rewrite the upstream file sees a lease kept next to it.
    out->lease = std::make_unique<FileLeaseStore>(s.upstreamFile + QStringLiteral(".lease"));
    // The targets that reload one nginx (the same reload command) share a traffic thread: threads
    // stay bounded with the number of targets, and that nginx's tests and reloads run one after
    // the other instead of racing (a reload while the previous one's workers start).
    out->sharedServerKey = QStringLiteral("nginx ") + s.reloadCommand.join(QChar(0x1f));
    return true;
}

NginxTrafficBackend::NginxTrafficBackend(const NginxTargetSettings &settings, QObject *parent)
    : TrafficBackend(parent)
    , m_settings(settings)
{
}

bool NginxTrafficBackend::membersFrom(const NginxUpstreamFile &file, Reading *r) const
{
    QSet<QString> configured;
    int present = 0;
    auto add = [&](const QStringList &addresses, Version v) {
        for (const QString &a : addresses) {
            configured.insert(a);
            const QList<NginxUpstreamServer> lines = file.servers(a);
            if (lines.size() > 1) {
                r->error = QStringLiteral("%1: upstream \"%2\" lists %3 on %4 lines (lines %5 and %6): list it once")
                               .arg(m_settings.upstreamFile, m_settings.upstream, a)
                               .arg(lines.size())
                               .arg(lines.at(0).line)
                               .arg(lines.at(1).line);
                return false;
            }
            Member m;
            m.name = a;
            m.version = v;
            if (lines.isEmpty()) {
                // Leaving a server out is one of nginx's two ways of giving it nothing.
                m.weight = 0;
                m.state = QStringLiteral("DOWN (config: not in upstream)");
            } else {
                ++present;
                m.weight = lines.at(0).effectiveWeight();
                m.state = lines.at(0).down ? QStringLiteral("DOWN (config)") : QStringLiteral("UP");
            }
            r->members.append(m);
            r->weights.insert(m.name, m.weight);
        }
        return true;
    };
    if (!add(m_settings.stable, Version::Stable) || !add(m_settings.canary, Version::Canary))
        return false;
    QStringList all;
    for (const NginxUpstreamServer &s : file.servers()) {
        all.append(s.address);
        // Kept as they are, but named: they take a share the split does not count.
        if (!configured.contains(s.address) && s.effectiveWeight() > 0 && !s.otherParams.contains(QStringLiteral("backup")))
            r->unlisted.append(s.address);
    }
    if (present == 0) {
        // Most likely a typo in the mapping: nothing to steer.
        r->error = QStringLiteral("%1: upstream \"%2\" has none of the configured servers %3 (it has: %4)")
                       .arg(m_settings.upstreamFile, m_settings.upstream,
                            QStringList(m_settings.stable + m_settings.canary).join(QStringLiteral(", ")),
                            all.isEmpty() ? QStringLiteral("no servers") : all.join(QStringLiteral(", ")));
        return false;
    }
    return true;
}

NginxTrafficBackend::Reading NginxTrafficBackend::read() const
{
    Reading r;
    QFile f(m_settings.upstreamFile);
    if (!f.open(QIODevice::ReadOnly)) {
        r.error = QStringLiteral("cannot read %1: %2").arg(m_settings.upstreamFile, f.errorString());
        return r;
    }
    r.text = f.readAll();
    QString error;
    if (!NginxUpstreamFile::parse(r.text, m_settings.upstream, &r.file, &error)) {
        r.error = QStringLiteral("%1: %2").arg(m_settings.upstreamFile, error);
        return r;
    }
    r.hasZone = r.file.hasZone();
    membersFrom(r.file, &r);
    return r;
}

bool NginxTrafficBackend::isWritable() const
{
    // QSaveFile writes a temporary file beside the real one (a symlink's target) and renames
    // it: both need writing.
    QFileInfo file(m_settings.upstreamFile);
    if (file.isSymLink())
        file = QFileInfo(file.canonicalFilePath());
    return file.isWritable() && QFileInfo(file.absolutePath()).isWritable();
}

bool NginxTrafficBackend::write(const QString &path, const QByteArray &text, QString *error) const
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, f.errorString());
        return false;
    }
    if (f.write(text) != text.size()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, f.errorString());
        f.cancelWriting();
        return false;
    }
#ifdef Q_OS_UNIX
    // The new file is ours; config management may expect the old owner (root can give it back).
    struct stat old;
    if (geteuid() == 0 && ::stat(QFile::encodeName(path).constData(), &old) == 0
        && (old.st_uid != 0 || old.st_gid != 0)) {
        if (::fchown(f.handle(), old.st_uid, old.st_gid) != 0) {
            // Not worth failing the change for: nginx only needs to read it.
        }
    }
#endif
    if (!f.commit()) {
        *error = QStringLiteral("cannot replace %1: %2").arg(path, f.errorString());
        return false;
    }
    return true;
}

bool NginxTrafficBackend::run(const QStringList &argv, QString *error) const
{
    const QString shown = argv.join(QLatin1Char(' '));
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(argv.first(), argv.mid(1));
    if (!p.waitForStarted(m_settings.commandTimeoutMs)) {
        *error = QStringLiteral("cannot run `%1`: %2").arg(shown, p.errorString());
        return false;
    }
    if (!p.waitForFinished(m_settings.commandTimeoutMs)) {
        p.kill();
        p.waitForFinished(1000);
        *error = QStringLiteral("`%1` did not finish within %2 ms (killed)").arg(shown).arg(m_settings.commandTimeoutMs);
        return false;
    }
    const QString output = QString::fromLocal8Bit(p.readAll());
    if (p.exitStatus() != QProcess::NormalExit) {
        *error = QStringLiteral("`%1` crashed: %2").arg(shown, firstRelevantLine(output));
        return false;
    }
    if (p.exitCode() != 0) {
        *error = QStringLiteral("%1 (`%2` exited %3)").arg(firstRelevantLine(output), shown).arg(p.exitCode());
        return false;
    }
    return true;
}

void NginxTrafficBackend::refresh()
{
    const Reading r = read();
    if (!r.ok()) {
        Q_EMIT refreshFailed(r.error);
        return;
    }
    TrafficSnapshot s;
    s.timeMs = QDateTime::currentMSecsSinceEpoch();
    s.members = r.members;
    s.split = TrafficSplit::fromMembers(s.members);
    s.readOnly = !isWritable();
    QStringList notes;
    if (s.readOnly) {
        s.readOnlyReason = QStringLiteral("%1 (or its folder) is not writable").arg(m_settings.upstreamFile);
        notes.append(QStringLiteral("read-only: ") + s.readOnlyReason);
    }
    if (!r.hasZone)
        notes.append(QStringLiteral("upstream \"%1\" has no zone: each worker splits on its own").arg(m_settings.upstream));
    if (!r.unlisted.isEmpty())
        notes.append(QStringLiteral("also serving: %1 (neither stable nor canary)").arg(r.unlisted.join(QStringLiteral(", "))));
    s.note = notes.join(QStringLiteral("; "));
    if (m_settings.routes.file.isEmpty()) {
        s.routesRefusal = QStringLiteral("nginx target routes no testers: add nginx.routes and the include (see the README's tester routes section)");
    } else {
        s.routesRefusal.clear();
        QByteArray text;
        QString error;
        if (!readRoutes(&text, &error)) {
            Q_EMIT refreshFailed(error);
            return;
        }
        s.routes = NginxRouteFile::parse(text);
    }
    Q_EMIT snapshotReady(s);
}

bool NginxTrafficBackend::readRoutes(QByteArray *text, QString *error) const
{
    QFile f(m_settings.routes.file);
    if (!f.exists()) {
        text->clear();
        return true;
    }
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(m_settings.routes.file, f.errorString());
        return false;
    }
    *text = f.readAll();
    return true;
}

bool NginxTrafficBackend::testAndReload(const QList<QPair<QString, QByteArray>> &restore, QString *error) const
{
    QString why;
    QString what;
    if (!run(m_settings.testCommand, &why)) {
        what = QStringLiteral("nginx's config test rejected it: %1").arg(why);
    } else if (!run(m_settings.reloadCommand, &why)) {
        what = QStringLiteral("the reload failed: %1").arg(why);
    } else {
        return true;
    }
    QStringList restored;
    QStringList notRestored;
    for (const auto &[path, text] : restore) {
        QString e;
        if (write(path, text, &e))
            restored.append(path);
        else
            notRestored.append(QStringLiteral("%1 (%2)").arg(path, e));
    }
    *error = notRestored.isEmpty() ? QStringLiteral("%1; previous %2 restored").arg(what, restored.join(QStringLiteral(", ")))
                                   : QStringLiteral("%1; restoring FAILED for %2: nginx has not loaded them").arg(what, notRestored.join(QStringLiteral(", ")));
    return false;
}

void NginxTrafficBackend::editRoutes(const WeightChange &change)
{
    ChangeResult r;
    r.requestedCanaryPercent = change.canaryPercent;
    r.routesTouched = true;
    auto finish = [this, &r](ChangeResult::Status status, const QString &message) {
        r.status = status;
        r.message = message;
        Q_EMIT changeFinished(r);
    };
    if (m_settings.routes.file.isEmpty() || !change.routeEdit)
        return finish(ChangeResult::Status::Failed, QStringLiteral("nothing changed: nginx target routes no testers (nginx.routes is not set)"));
    const Reading upstream = read();
    r.before = r.after = upstream.weights;
    QByteArray before;
    QString error;
    if (!readRoutes(&before, &error))
        return finish(ChangeResult::Status::Failed, QStringLiteral("nothing changed: %1").arg(error));
    r.routesBefore = r.routesAfter = NginxRouteFile::parse(before);
    const RouteEdit &edit = *change.routeEdit;
    if (edit.conflictsWith(r.routesBefore))
        return finish(ChangeResult::Status::Conflict, QStringLiteral("routes changed meanwhile: now %1").arg(describeRoutes(r.routesBefore)));
    const QList<TrafficRoute> target = edit.applyTo(r.routesBefore);
    for (const TrafficRoute &t : target) {
        if (const QString why = NginxRouteFile::unusable(t); !why.isEmpty())
            return finish(ChangeResult::Status::Failed, QStringLiteral("nothing changed: %1").arg(why));
    }
    const QByteArray next = NginxRouteFile::render(m_settings.routes, target);
    const QString what = QStringLiteral("routes now %1").arg(describeRoutes(target));
    if (next == before)
        return finish(ChangeResult::Status::Applied, what + QStringLiteral(" (already configured: nothing written, no reload)"));
    if (!write(m_settings.routes.file, next, &error))
        return finish(ChangeResult::Status::Failed, QStringLiteral("nothing changed: %1").arg(error));
    if (!testAndReload({{m_settings.routes.file, before}}, &error))
        return finish(ChangeResult::Status::Failed, QStringLiteral("nothing changed: %1").arg(error));
    QByteArray after;
    if (readRoutes(&after, &error))
        r.routesAfter = NginxRouteFile::parse(after);
    finish(r.routesAfter == target ? ChangeResult::Status::Applied : ChangeResult::Status::Partial,
           r.routesAfter == target ? what + QStringLiteral(" (nginx reloaded)")
                                   : QStringLiteral("%1 written and nginx reloaded, but the file now says %2").arg(what, describeRoutes(r.routesAfter)));
}

void NginxTrafficBackend::apply(const WeightChange &change)
{
    ChangeResult r;
    r.requestedCanaryPercent = change.canaryPercent;

    // 1. The file as it is now: the conflict check and the plan work on it, not on the
    //    operator's last view.
    const Reading before = read();
    if (!before.ok()) {
        r.status = ChangeResult::Status::Failed;
        r.message = QStringLiteral("nothing changed: %1").arg(before.error);
        Q_EMIT changeFinished(r);
        return;
    }
    r.before = before.weights;
    r.after = before.weights;
    QMap<QString, int> target;
    if (!checkAndPlan(change, before.members, before.weights, &target, &r)) {
        Q_EMIT changeFinished(r);
        return;
    }
    const QByteArray next = before.file.render(target);
    const QString planned = describeApplied(before.members, target);
    // A rollback takes the testers off the canary in the same reload.
    QByteArray routesText;
    QString routesError;
    bool clearing = false;
    if (change.clearRoutes && !m_settings.routes.file.isEmpty() && readRoutes(&routesText, &routesError)) {
        r.routesTouched = true;
        r.routesBefore = r.routesAfter = NginxRouteFile::parse(routesText);
        clearing = !r.routesBefore.isEmpty();
    }
    if (clearing) {
        QString error;
        if (!write(m_settings.routes.file, NginxRouteFile::render(m_settings.routes, {}), &error)) {
            clearing = false;
            routesError = error;
        }
    }
    auto routesNote = [this, &r, &clearing, &routesError] {
        if (!r.routesTouched || (!clearing && routesError.isEmpty()))
            return QString();
        QByteArray now;
        QString e;
        if (readRoutes(&now, &e))
            r.routesAfter = NginxRouteFile::parse(now);
        return r.routesAfter.isEmpty() ? QStringLiteral("; tester routes cleared")
                                       : QStringLiteral("; tester routes NOT cleared (%1)").arg(routesError.isEmpty() ? e : routesError);
    };
    if (next == before.text && clearing) {
        QString error;
        if (!testAndReload({{m_settings.routes.file, routesText}}, &error))
            routesError = error;
        r.status = routesError.isEmpty() ? ChangeResult::Status::Applied : ChangeResult::Status::Partial;
        r.message = planned + QStringLiteral(" (weights already configured)") + routesNote();
        Q_EMIT changeFinished(r);
        return;
    }
    if (next == before.text) {
        r.status = ChangeResult::Status::Applied;
        r.message = planned + QStringLiteral(" (already configured: nothing written, no reload)");
        Q_EMIT changeFinished(r);
        return;
    }

    // 2. New file, config test, reload. nginx keeps running its old config until a reload
    //    succeeds, so restoring the file whenever a step fails leaves nginx and the file as they were.
    QString error;
    if (!write(next, &error)) {
        r.status = ChangeResult::Status::Failed;
        r.message = QStringLiteral("nothing changed: %1").arg(error);
        Q_EMIT changeFinished(r);
        return;
    }
    auto restore = [this, &before, &r, &clearing, &routesText](const QString &what) {
        QString restoreError;
        if (clearing)
            write(m_settings.routes.file, routesText, &restoreError);
        if (write(before.text, &restoreError)) {
            r.message = QStringLiteral("nothing changed: %1; previous %2 restored").arg(what, m_settings.upstreamFile);
        } else {
            r.message = QStringLiteral("nothing changed in nginx: %1; restoring the previous file FAILED (%2): "
                                       "%3 holds the new upstream, which nginx has not loaded")
                            .arg(what, restoreError, m_settings.upstreamFile);
        }
        const Reading now = read();
        if (now.ok())
            r.after = now.weights;
        r.status = ChangeResult::Status::Failed;
    };
    if (!run(m_settings.testCommand, &error)) {
        restore(QStringLiteral("nginx's config test rejected the new upstream: %1").arg(error));
        Q_EMIT changeFinished(r);
        return;
    }
    if (!run(m_settings.reloadCommand, &error)) {
        // `nginx -s reload` fails when it cannot signal the master (no pid file, no process);
        // then nothing was loaded. A timeout is the one case where the signal may have gone out.
        const bool timedOut = error.contains(QLatin1String("did not finish within"));
        restore(QStringLiteral("the reload failed: %1%2")
                    .arg(error, timedOut ? QStringLiteral(" (if nginx got the signal anyway, reload it again to load the restored file)")
                                         : QString()));
        Q_EMIT changeFinished(r);
        return;
    }

    // 3. The file read back is what nginx now runs (the master only loads a config that passes
    //    the same test; it reports a late failure only in its error.log).
    const Reading after = read();
    if (!after.ok()) {
        r.status = ChangeResult::Status::Partial;
        r.message = QStringLiteral("%1 written and nginx reloaded, but reading it back failed: %2").arg(planned, after.error);
        Q_EMIT changeFinished(r);
        return;
    }
    r.after = after.weights;
    const QString routesLine = routesNote();
    if (!routesLine.isEmpty() && !r.routesAfter.isEmpty()) {
        r.status = ChangeResult::Status::Partial;
        r.message = planned + QStringLiteral(" (nginx reloaded)") + routesLine;
        Q_EMIT changeFinished(r);
        return;
    }
    if (after.weights != target) {
        r.status = ChangeResult::Status::Partial;
        r.message = QStringLiteral("%1 written and nginx reloaded, but the file now says %2 (changed by someone else meanwhile?)")
                        .arg(planned, describeWeights(after.weights));
        Q_EMIT changeFinished(r);
        return;
    }
    r.status = ChangeResult::Status::Applied;
    r.message = planned + QStringLiteral(" (nginx reloaded)") + routesLine;
    if (!after.hasZone)
        r.message += QStringLiteral("; note: upstream \"%1\" has no zone, so each nginx worker keeps its own "
                                    "round-robin position and short runs split less exactly")
                         .arg(m_settings.upstream);
    if (!after.unlisted.isEmpty())
        r.message += QStringLiteral("; note: the upstream also sends traffic to %1, which is neither stable nor canary "
                                    "and not counted in the split")
                         .arg(after.unlisted.join(QStringLiteral(", ")));
    Q_EMIT changeFinished(r);
}

} // namespace Switchboard
