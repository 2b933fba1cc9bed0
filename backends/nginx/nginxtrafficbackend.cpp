#include "nginxtrafficbackend.h"

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

bool NginxTrafficBackend::write(const QByteArray &text, QString *error) const
{
    QSaveFile f(m_settings.upstreamFile);
    if (!f.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("cannot write %1: %2").arg(m_settings.upstreamFile, f.errorString());
        return false;
    }
    if (f.write(text) != text.size()) {
        *error = QStringLiteral("cannot write %1: %2").arg(m_settings.upstreamFile, f.errorString());
        f.cancelWriting();
        return false;
    }
#ifdef Q_OS_UNIX
    // The new file is ours; config management may expect the old owner (root can give it back).
    struct stat old;
    if (geteuid() == 0 && ::stat(QFile::encodeName(m_settings.upstreamFile).constData(), &old) == 0
        && (old.st_uid != 0 || old.st_gid != 0)) {
        if (::fchown(f.handle(), old.st_uid, old.st_gid) != 0) {
            // Not worth failing the change for: nginx only needs to read it.
        }
    }
#endif
    if (!f.commit()) {
        *error = QStringLiteral("cannot replace %1: %2").arg(m_settings.upstreamFile, f.errorString());
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
    Q_EMIT snapshotReady(s);
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
    auto restore = [this, &before, &r](const QString &what) {
        QString restoreError;
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
    if (after.weights != target) {
        r.status = ChangeResult::Status::Partial;
        r.message = QStringLiteral("%1 written and nginx reloaded, but the file now says %2 (changed by someone else meanwhile?)")
                        .arg(planned, describeWeights(after.weights));
        Q_EMIT changeFinished(r);
        return;
    }
    r.status = ChangeResult::Status::Applied;
    r.message = planned + QStringLiteral(" (nginx reloaded)");
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
