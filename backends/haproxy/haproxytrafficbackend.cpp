#include "haproxytrafficbackend.h"

#include "haproxystatsource.h"
#include "weightchange.h"

#include <QDateTime>

#include <optional>

namespace Switchboard {

namespace {

QString disagreement(const QString &endpoint, const QMap<QString, int> &weights)
{
    return QStringLiteral("%1 has %2").arg(endpoint, describeWeights(weights));
}

} // namespace

bool HaproxyTrafficBackend::create(const QJsonObject &settings, LayerParts *out, QString *error)
{
    HaproxyTargetSettings s;
    if (!HaproxyTargetSettings::fromJson(settings, &s, error))
        return false;
    out->traffic = std::make_unique<HaproxyTrafficBackend>(s);
    // Without Prometheus, HAProxy's own show-stat counters give rate and 5xx ratio.
    out->ownMetrics = std::make_unique<HaproxyStatSource>(s);
    return true;
}

HaproxyTrafficBackend::HaproxyTrafficBackend(const HaproxyTargetSettings &settings, QObject *parent)
    : TrafficBackend(parent)
    , m_settings(settings)
    , m_routes(settings)
{
    for (const HaproxyEndpoint &e : m_settings.endpoints) {
        m_runtimes.append(HaproxyRuntime(e, m_settings.timeouts));
        m_levels.append(QString());
    }
}

QString HaproxyTrafficBackend::parseLevel(const QString &answer)
{
    static const QStringList levels{QStringLiteral("admin"), QStringLiteral("operator"), QStringLiteral("user")};
    const QString first = answer.trimmed().section(QLatin1Char('\n'), 0, 0).trimmed();
    return levels.contains(first) ? first : QString();
}

void HaproxyTrafficBackend::checkLevels()
{
    for (qsizetype i = 0; i < m_runtimes.size(); ++i) {
        QString answer;
        QString error;
        // An endpoint that does not answer keeps what it said last: the read that follows
        // reports the outage itself.
        if (m_runtimes.at(i).execute({QStringLiteral("show cli level")}, &answer, &error))
            m_levels[i] = parseLevel(answer);
    }
}

QString HaproxyTrafficBackend::levelProblem() const
{
    // HAProxy's management guide: `set weight` is only accepted on a socket at level admin.
    QStringList below;
    for (qsizetype i = 0; i < m_runtimes.size(); ++i) {
        const QString &level = m_levels.at(i);
        if (!level.isEmpty() && level != QLatin1String("admin"))
            below.append(QStringLiteral("%1 is at level %2").arg(m_runtimes.at(i).name(), level));
    }
    if (below.isEmpty())
        return {};
    return QStringLiteral("HAProxy runtime API %1; set weight needs level admin").arg(below.join(QStringLiteral(", ")));
}

bool HaproxyTrafficBackend::membersFrom(const QList<HaproxyServerStat> &rows, const QString &endpoint,
                                        QList<Member> *members, QString *error) const
{
    QHash<QString, const HaproxyServerStat *> byName;
    QStringList present;
    for (const HaproxyServerStat &r : rows) {
        if (r.proxy != m_settings.backend)
            continue;
        byName.insert(r.server, &r);
        present.append(r.server);
    }
    members->clear();
    QStringList missing;
    auto add = [&](const QStringList &names, Version v) {
        for (const QString &n : names) {
            const HaproxyServerStat *row = byName.value(n);
            if (!row) {
                missing.append(n);
                continue;
            }
            Member m;
            m.name = n;
            m.version = v;
            m.weight = row->weight;
            m.state = row->state();
            m.checkStatus = row->checkStatus;
            members->append(m);
        }
    };
    add(m_settings.stable, Version::Stable);
    add(m_settings.canary, Version::Canary);
    if (!missing.isEmpty()) {
        *error = QStringLiteral("%1: backend \"%2\" has no server named %3 (it has: %4)")
                     .arg(endpoint, m_settings.backend, missing.join(QStringLiteral(", ")),
                          present.isEmpty() ? QStringLiteral("no servers") : present.join(QStringLiteral(", ")));
        return false;
    }
    for (const Member &m : std::as_const(*members)) {
        if (m.weight < 0) {
            *error = QStringLiteral("%1: show stat gives no weight for %2/%3").arg(endpoint, m_settings.backend, m.name);
            return false;
        }
    }
    return true;
}

HaproxyTrafficBackend::Reading HaproxyTrafficBackend::read(const HaproxyRuntime &runtime) const
{
    Reading r;
    r.endpoint = runtime.name();
    QList<HaproxyServerStat> rows;
    if (!runtime.showStat(m_settings.backend, &rows, &r.error))
        return r;
    if (!membersFrom(rows, r.endpoint, &r.members, &r.error))
        return r;
    for (const Member &m : std::as_const(r.members))
        r.weights.insert(m.name, m.weight);
    return r;
}

void HaproxyTrafficBackend::refresh()
{
    if (m_refreshes++ % kLevelEvery == 0)
        checkLevels();
    QList<Reading> readings;
    for (const HaproxyRuntime &rt : std::as_const(m_runtimes))
        readings.append(read(rt));

    QStringList errors;
    const Reading *first = nullptr;
    for (const Reading &r : std::as_const(readings)) {
        if (!r.ok())
            errors.append(r.error);
        else if (!first)
            first = &r;
    }
    // A change has to reach every endpoint, so one that does not answer makes the target
    // unusable for changes: report it as a failed read rather than hide it behind the others.
    if (!errors.isEmpty()) {
        QString msg = errors.join(QStringLiteral("; "));
        if (first)
            msg += QStringLiteral(" (%1 of %2 endpoints answer)").arg(readings.size() - errors.size()).arg(readings.size());
        Q_EMIT refreshFailed(msg);
        return;
    }
    QStringList differ;
    for (const Reading &r : std::as_const(readings)) {
        if (&r != first && r.weights != first->weights)
            differ.append(disagreement(r.endpoint, r.weights));
    }
    if (!differ.isEmpty()) {
        Q_EMIT refreshFailed(QStringLiteral("endpoints disagree: %1; %2 (a forced change or a rollback sets them all)")
                                 .arg(disagreement(first->endpoint, first->weights), differ.join(QStringLiteral("; "))));
        return;
    }
    TrafficSnapshot s;
    s.timeMs = QDateTime::currentMSecsSinceEpoch();
    s.members = first->members;
    s.split = TrafficSplit::fromMembers(s.members);
    s.readOnlyReason = levelProblem();
    s.readOnly = !s.readOnlyReason.isEmpty();
    s.routesRefusal = m_routes.refusal();
    if (!m_routes.isEmpty()) {
        QString error;
        if (!m_routes.read(m_runtimes.constFirst(), &s.routes, &error)) {
            Q_EMIT refreshFailed(QStringLiteral("reading tester routes: %1").arg(error));
            return;
        }
    }
    Q_EMIT snapshotReady(s);
}

QStringList HaproxyTrafficBackend::setCommands(const QMap<QString, int> &target, const QMap<QString, int> &live,
                                               bool raise) const
{
    QStringList out;
    for (const QStringList *names : {&m_settings.stable, &m_settings.canary}) {
        for (const QString &n : *names) {
            const int want = target.value(n);
            const int now = live.value(n, -1);
            if (raise ? want > now : want < now)
                out.append(HaproxyRuntime::setWeightCommand(m_settings.backend, n, want));
        }
    }
    return out;
}

QStringList HaproxyTrafficBackend::answerErrors(const QStringList &commands, const QStringList &answers)
{
    QStringList out;
    for (qsizetype i = 0; i < commands.size(); ++i) {
        // `set weight` answers nothing when it worked: any text is HAProxy refusing it.
        const QString a = answers.value(i).trimmed();
        if (!a.isEmpty())
            out.append(QStringLiteral("%1: %2").arg(commands.at(i), QString(a).replace(QLatin1Char('\n'), QStringLiteral(" / "))));
    }
    return out;
}

void HaproxyTrafficBackend::apply(const WeightChange &change)
{
    ChangeResult r;
    applyWeights(change, &r);
    // A rollback takes the testers off the canary too, once the weights are back (a failed
    // weight change leaves the routes alone: the operator retries the whole thing).
    if (change.clearRoutes && !m_routes.isEmpty() && r.status != ChangeResult::Status::Failed
        && r.status != ChangeResult::Status::Conflict) {
        ChangeResult routes;
        if (!m_routes.converge(m_runtimes, RouteEdit{RouteEdit::Op::Clear, {}, {}}, true, &routes)) {
            r.status = ChangeResult::Status::Partial;
            r.message += QStringLiteral("; tester routes NOT cleared: %1").arg(routes.message);
        } else if (!routes.routesBefore.isEmpty()) {
            r.message += QStringLiteral("; tester routes cleared");
        }
        r.routesTouched = true;
        r.routesBefore = routes.routesBefore;
        r.routesAfter = routes.routesAfter;
    }
    Q_EMIT changeFinished(r);
}

void HaproxyTrafficBackend::editRoutes(const WeightChange &change)
{
    ChangeResult r;
    r.requestedCanaryPercent = change.canaryPercent;
    r.routesTouched = true;
    if (const QString refusal = m_routes.refusal(); !refusal.isEmpty() || !change.routeEdit) {
        r.status = ChangeResult::Status::Failed;
        r.message = QStringLiteral("nothing changed: %1").arg(refusal);
        Q_EMIT changeFinished(r);
        return;
    }
    if (const QString problem = levelProblem(); !problem.isEmpty()) {
        r.status = ChangeResult::Status::Failed;
        r.message = QStringLiteral("nothing changed: read-only: %1").arg(problem);
        Q_EMIT changeFinished(r);
        return;
    }
    const Reading now = read(m_runtimes.constFirst());
    r.before = r.after = now.weights;
    m_routes.converge(m_runtimes, change.routeEdit, false, &r);
    Q_EMIT changeFinished(r);
}

void HaproxyTrafficBackend::applyWeights(const WeightChange &change, ChangeResult *out)
{
    ChangeResult &r = *out;
    r.requestedCanaryPercent = change.canaryPercent;
    const bool several = m_runtimes.size() > 1;
    // Known to be refused on some endpoint: sending to the others would leave them disagreeing.
    if (const QString problem = levelProblem(); !problem.isEmpty()) {
        r.status = ChangeResult::Status::Failed;
        r.message = QStringLiteral("nothing changed: read-only: %1").arg(problem);
        return;
    }

    // 1. What holds now, everywhere: the conflict check and the plan work on live weights.
    QList<Reading> before;
    for (const HaproxyRuntime &rt : std::as_const(m_runtimes))
        before.append(read(rt));
    QStringList unreachable;
    const Reading *ref = nullptr;
    for (const Reading &b : std::as_const(before)) {
        if (!b.ok())
            unreachable.append(b.error);
        else if (!ref)
            ref = &b;
    }
    if (!ref) {
        r.status = ChangeResult::Status::Failed;
        r.message = QStringLiteral("nothing changed: %1").arg(unreachable.join(QStringLiteral("; ")));
        return;
    }
    r.before = ref->weights;
    r.after = ref->weights;
    // An ordinary change that cannot reach every node would leave them split: refuse it before
    // touching anything. A forced one (rollback above all) goes to every node it can reach.
    if (!unreachable.isEmpty() && !change.force) {
        r.status = ChangeResult::Status::Failed;
        r.message = QStringLiteral("nothing changed (a change must reach every endpoint): %1")
                        .arg(unreachable.join(QStringLiteral("; ")));
        return;
    }
    QMap<QString, int> target;
    for (const Reading &b : std::as_const(before)) {
        if (!b.ok())
            continue;
        ChangeResult check = r;
        if (!checkAndPlan(change, ref->members, b.weights, &target, &check)) {
            if (several)
                check.message = b.endpoint + QStringLiteral(": ") + check.message;
            r = check;
            return;
        }
    }

    struct Progress
    {
        QStringList errors;
        bool touched = false; // a `set weight` line may have reached HAProxy
        std::optional<QMap<QString, int>> after;
    };
    QList<Progress> progress(before.size());

    // 2. Raise first, everywhere: weights only go down once the servers taking over have theirs,
    //    so no node passes through "all zero" (503 for everyone). Toward the canary this raises
    //    the canary first; toward stable (rollback) it raises stable first.
    bool raised = true;
    for (qsizetype i = 0; i < before.size(); ++i) {
        if (!before.at(i).ok())
            continue;
        const QStringList cmds = setCommands(target, before.at(i).weights, true);
        if (cmds.isEmpty())
            continue;
        QString answer;
        QString error;
        bool delivered = false;
        if (!m_runtimes.at(i).execute(cmds, &answer, &error, &delivered)) {
            progress[i].errors.append(error);
            progress[i].touched = delivered;
            raised = false;
            continue;
        }
        progress[i].touched = true;
        const QStringList errs = answerErrors(cmds, HaproxyRuntime::splitAnswers(answer, int(cmds.size())));
        if (!errs.isEmpty()) {
            progress[i].errors.append(errs);
            raised = false;
        }
    }

    // 3. Lower (only if every raise worked: a lower after a failed raise could starve a node)
    //    and read back in the same round trip.
    for (qsizetype i = 0; i < before.size(); ++i) {
        if (!before.at(i).ok())
            continue;
        const QStringList cmds = raised ? setCommands(target, before.at(i).weights, false) : QStringList();
        const QStringList all = cmds + QStringList{HaproxyRuntime::showStatCommand(m_settings.backend)};
        QString answer;
        QString error;
        bool delivered = false;
        if (!m_runtimes.at(i).execute(all, &answer, &error, &delivered)) {
            progress[i].errors.append(error);
            progress[i].touched = progress[i].touched || (delivered && !cmds.isEmpty());
            continue;
        }
        progress[i].touched = progress[i].touched || !cmds.isEmpty();
        const QStringList answers = HaproxyRuntime::splitAnswers(answer, int(all.size()));
        progress[i].errors.append(answerErrors(cmds, answers.mid(0, cmds.size())));
        QList<HaproxyServerStat> rows;
        QList<Member> members;
        QString parseError;
        if (!HaproxyRuntime::parseStat(answer, &rows, &parseError)) {
            progress[i].errors.append(QStringLiteral("%1: reading back: %2").arg(before.at(i).endpoint, parseError));
            continue;
        }
        if (!membersFrom(rows, before.at(i).endpoint, &members, &parseError)) {
            progress[i].errors.append(parseError);
            continue;
        }
        QMap<QString, int> now;
        for (const Member &m : std::as_const(members))
            now.insert(m.name, m.weight);
        progress[i].after = now;
    }

    // 4. The read-back is the truth, whatever the answers said.
    QStringList done;
    QStringList failed;
    bool changed = false;
    bool afterSet = false;
    for (qsizetype i = 0; i < before.size(); ++i) {
        const Reading &b = before.at(i);
        if (!b.ok()) {
            failed.append(b.error + QStringLiteral(" (not changed)"));
            continue;
        }
        const Progress &p = progress.at(i);
        if (p.after && !afterSet) {
            r.after = *p.after;
            afterSet = true;
        }
        if (p.after && *p.after == target) {
            done.append(b.endpoint);
            changed = changed || b.weights != target;
            continue;
        }
        QStringList why = p.errors;
        if (p.after) {
            changed = changed || *p.after != b.weights;
            QStringList off;
            for (auto it = target.cbegin(); it != target.cend(); ++it) {
                if (p.after->value(it.key()) != it.value())
                    off.append(QStringLiteral("%1 is %2, wanted %3").arg(it.key()).arg(p.after->value(it.key())).arg(it.value()));
            }
            why.append(off.join(QStringLiteral(", ")));
            why.append(QStringLiteral("now %1").arg(describeWeights(*p.after)));
        } else {
            changed = changed || p.touched;
            why.append(p.touched ? QStringLiteral("weights now unknown") : QStringLiteral("not changed"));
        }
        // Errors from the runtime already start with the endpoint; HAProxy's answers do not.
        const QString text = why.join(QStringLiteral("; "));
        failed.append(text.startsWith(b.endpoint) ? text : b.endpoint + QStringLiteral(": ") + text);
    }

    const QString planned = describeApplied(ref->members, target);
    if (failed.isEmpty()) {
        r.status = ChangeResult::Status::Applied;
        r.message = several ? QStringLiteral("%1 on all %2 endpoints").arg(planned).arg(done.size()) : planned;
    } else if (!changed) {
        r.status = ChangeResult::Status::Failed;
        r.message = QStringLiteral("nothing changed: %1").arg(failed.join(QStringLiteral(" | ")));
    } else {
        r.status = ChangeResult::Status::Partial;
        r.message = QStringLiteral("%1: applied on %2; NOT on %3%4")
                        .arg(planned,
                             done.isEmpty() ? QStringLiteral("no endpoint") : done.join(QStringLiteral(", ")),
                             failed.join(QStringLiteral(" | ")),
                             raised ? QString() : QStringLiteral(" (weights were not lowered because raising failed)"));
    }
}

} // namespace Switchboard
