#include "haproxytrafficbackend.h"

#include "haproxyleasestore.h"

#include "haproxystatsource.h"
#include "weightchange.h"

#include <QDateTime>

#include <algorithm>
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
    // The targets on one HAProxy (the same endpoints) share threads and so their runtime API
    // connections: HAProxy accepts 10 at once unless `stats maxconn` says more.
    QStringList endpoints;
    for (const HaproxyEndpoint &e : s.endpoints)
        endpoints << e.toString();
    out->sharedServerKey = QStringLiteral("haproxy ") + endpoints.join(QLatin1Char(' '));
    if (!s.leaseMap.isEmpty())
        out->lease = std::make_unique<HaproxyLeaseStore>(s.endpoints, s.timeouts, s.leaseMap, s.backend);
    // Without Prometheus, HAProxy's own show-stat counters give rate and 5xx ratio.
    out->ownMetrics = std::make_unique<HaproxyStatSource>(s);
    if (s.fastSignalMs > 0) {
        out->fastMetrics = std::make_unique<HaproxyStatSource>(s, s.fastWindowMs, s.fastSignalMs / 2);
        out->fastSignalMs = s.fastSignalMs;
    }
    return true;
}

HaproxyTrafficBackend::HaproxyTrafficBackend(const HaproxyTargetSettings &settings, QObject *parent)
    : TrafficBackend(parent)
    , m_settings(settings)
    , m_sessions(settings.endpoints, settings.timeouts)
    , m_routes(settings)
{
    for (const HaproxyEndpoint &e : m_settings.endpoints) {
        // Tester routes (ACL files) go through one-shot connections: rare, and not on the way back.
        m_runtimes.append(HaproxyRuntime(e, m_settings.timeouts));
        m_levels.append(QString());
        m_known.append(QMap<QString, int>());
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
    QList<HaproxySession::Batch> batches;
    for (const auto &s : m_sessions.sessions())
        batches.append(HaproxySession::Batch{s.get(), {QStringLiteral("show cli level")}, {}, {}, false, false});
    HaproxySession::executeAll(&batches);
    for (qsizetype i = 0; i < batches.size(); ++i) {
        // An endpoint that does not answer keeps what it said last: the read that follows
        // reports the outage itself.
        if (batches.at(i).ok)
            m_levels[i] = parseLevel(batches.at(i).answers.value(0));
    }
}

QString HaproxyTrafficBackend::levelProblem() const
{
    // HAProxy's management guide: `set weight` is only accepted on a socket at level admin.
    QStringList below;
    for (qsizetype i = 0; i < m_levels.size(); ++i) {
        const QString &level = m_levels.at(i);
        if (!level.isEmpty() && level != QLatin1String("admin"))
            below.append(QStringLiteral("%1 is at level %2").arg(m_sessions.sessions().at(size_t(i))->name(), level));
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

HaproxyTrafficBackend::Reading HaproxyTrafficBackend::readingFrom(const HaproxySession::Batch &b) const
{
    Reading r;
    r.endpoint = b.session->name();
    if (!b.ok) {
        r.error = b.error;
        return r;
    }
    QList<HaproxyServerStat> rows;
    QString parseError;
    if (!HaproxyRuntime::parseStat(b.answers.value(b.answers.size() - 1), &rows, &parseError)) {
        r.error = QStringLiteral("%1: show stat %2: %3").arg(r.endpoint, m_settings.backend, parseError);
        return r;
    }
    if (!membersFrom(rows, r.endpoint, &r.members, &r.error))
        return r;
    for (const Member &m : std::as_const(r.members))
        r.weights.insert(m.name, m.weight);
    return r;
}

QList<HaproxyTrafficBackend::Reading> HaproxyTrafficBackend::readAll()
{
    QList<HaproxySession::Batch> batches;
    for (const auto &s : m_sessions.sessions())
        batches.append(HaproxySession::Batch{s.get(), {HaproxyRuntime::showStatCommand(m_settings.backend)}, {}, {}, false, false});
    HaproxySession::executeAll(&batches);
    QList<Reading> out;
    for (qsizetype i = 0; i < batches.size(); ++i) {
        out.append(readingFrom(batches.at(i)));
        m_known[i] = out.constLast().ok() ? out.constLast().weights : QMap<QString, int>();
    }
    return out;
}

bool HaproxyTrafficBackend::readBack(const HaproxySession::Batch &b, QMap<QString, int> *now, QString *error) const
{
    QList<HaproxyServerStat> rows;
    QList<Member> members;
    QString parseError;
    if (!HaproxyRuntime::parseStat(b.answers.value(b.answers.size() - 1), &rows, &parseError)) {
        *error = QStringLiteral("%1: reading back: %2").arg(b.session->name(), parseError);
        return false;
    }
    if (!membersFrom(rows, b.session->name(), &members, error))
        return false;
    now->clear();
    for (const Member &m : std::as_const(members))
        now->insert(m.name, m.weight);
    return true;
}

void HaproxyTrafficBackend::refresh()
{
    if (m_refreshes++ % kLevelEvery == 0)
        checkLevels();
    const QList<Reading> readings = readAll();

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

QStringList HaproxyTrafficBackend::allSetCommands(const QMap<QString, int> &target) const
{
    QList<QPair<int, QString>> order;
    for (const QStringList *names : {&m_settings.stable, &m_settings.canary}) {
        for (const QString &n : *names)
            order.append(qMakePair(target.value(n), n));
    }
    std::stable_sort(order.begin(), order.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
    QStringList out;
    for (const auto &[weight, name] : std::as_const(order))
        out.append(HaproxyRuntime::setWeightCommand(m_settings.backend, name, weight));
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
    const QList<Reading> readings = readAll();
    const Reading now = readings.isEmpty() ? Reading{} : readings.constFirst();
    r.before = r.after = now.weights;
    m_routes.converge(m_runtimes, change.routeEdit, false, &r);
    Q_EMIT changeFinished(r);
}

void HaproxyTrafficBackend::applyWeights(const WeightChange &change, ChangeResult *out)
{
    ChangeResult &r = *out;
    r.requestedCanaryPercent = change.canaryPercent;
    const bool several = m_sessions.size() > 1;
    // Known to be refused on some endpoint: sending to the others would leave them disagreeing.
    if (const QString problem = levelProblem(); !problem.isEmpty()) {
        r.status = ChangeResult::Status::Failed;
        r.message = QStringLiteral("nothing changed: read-only: %1").arg(problem);
        return;
    }
    // A forced change to a percent (a rollback above all) is planned from the configured
    // members alone and checked against nothing: it needs no read first.
    if (change.force && change.memberWeights.isEmpty() && isKnown(change.canaryPercent))
        return applyInOneTrip(change, &r);

    // 1. What holds now, everywhere: the conflict check and the plan work on live weights.
    const QList<Reading> before = readAll();
    QStringList unreachable;
    const Reading *ref = nullptr;
    for (const Reading &b : before) {
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
    // touching anything. A forced one goes to every node it can reach.
    if (!unreachable.isEmpty() && !change.force) {
        r.status = ChangeResult::Status::Failed;
        r.message = QStringLiteral("nothing changed (a change must reach every endpoint): %1")
                        .arg(unreachable.join(QStringLiteral("; ")));
        return;
    }
    QMap<QString, int> target;
    for (const Reading &b : before) {
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

    QList<Progress> progress(before.size());
    // 2. Raise first, everywhere at once: weights only go down once the servers taking over
    //    have theirs, so no node passes through "all zero" (503 for everyone).
    bool raised = true;
    QList<HaproxySession::Batch> raises;
    QList<qsizetype> raiseAt;
    for (qsizetype i = 0; i < before.size(); ++i) {
        const QStringList cmds = before.at(i).ok() ? setCommands(target, before.at(i).weights, true) : QStringList();
        if (cmds.isEmpty())
            continue;
        raises.append(HaproxySession::Batch{m_sessions.sessions().at(size_t(i)).get(), cmds, {}, {}, false, false});
        raiseAt.append(i);
    }
    HaproxySession::executeAll(&raises);
    for (qsizetype k = 0; k < raises.size(); ++k) {
        const HaproxySession::Batch &b = raises.at(k);
        Progress &p = progress[raiseAt.at(k)];
        p.touched = b.delivered;
        if (!b.ok) {
            p.errors.append(b.error);
            raised = false;
            continue;
        }
        if (const QStringList errs = answerErrors(b.commands, b.answers); !errs.isEmpty()) {
            p.errors.append(errs);
            raised = false;
        }
    }

    // 3. Lower (only if every raise worked: a lower after a failed raise could starve a node)
    //    and read back in the same round trip, everywhere at once.
    QList<HaproxySession::Batch> lowers;
    QList<qsizetype> lowerAt;
    for (qsizetype i = 0; i < before.size(); ++i) {
        if (!before.at(i).ok())
            continue;
        const QStringList cmds = raised ? setCommands(target, before.at(i).weights, false) : QStringList();
        lowers.append(HaproxySession::Batch{m_sessions.sessions().at(size_t(i)).get(), cmds + QStringList{HaproxyRuntime::showStatCommand(m_settings.backend)},
                       {}, {}, false, false});
        lowerAt.append(i);
    }
    HaproxySession::executeAll(&lowers);
    const qint64 answeredNs = steadyNowNs();
    for (qsizetype k = 0; k < lowers.size(); ++k)
        takeReadBack(lowers.at(k), lowers.at(k).commands.size() - 1, &progress[lowerAt.at(k)]);
    report(before, progress, target, ref->members, &r, raised);
    stampConfirmed(change, answeredNs, &r);
}

void HaproxyTrafficBackend::stampConfirmed(const WeightChange &change, qint64 answeredNs, ChangeResult *r)
{
    // Applied means every endpoint's read-back (in the answers just in) shows the new weights.
    if (r->ok() && change.requestedAtNs > 0)
        r->confirmedAfterNs = std::max<qint64>(1, answeredNs - change.requestedAtNs);
}

void HaproxyTrafficBackend::takeReadBack(const HaproxySession::Batch &b, qsizetype setCount, Progress *p)
{
    const qsizetype i = std::find_if(m_sessions.sessions().cbegin(), m_sessions.sessions().cend(), [&b](const auto &s) { return s.get() == b.session; })
                        - m_sessions.sessions().cbegin();
    if (!b.ok) {
        p->errors.append(b.error);
        p->touched = p->touched || (b.delivered && setCount > 0);
        m_known[i].clear();
        return;
    }
    p->touched = p->touched || setCount > 0;
    p->errors.append(answerErrors(b.commands.mid(0, setCount), b.answers.mid(0, setCount)));
    QMap<QString, int> now;
    QString error;
    if (!readBack(b, &now, &error)) {
        p->errors.append(error);
        m_known[i].clear();
        return;
    }
    p->after = now;
    m_known[i] = now;
}

void HaproxyTrafficBackend::applyInOneTrip(const WeightChange &change, ChangeResult *out)
{
    ChangeResult &r = *out;
    // What each endpoint had at its last read stands in for "before": only the result's
    // before/after and the "did anything change" wording use it.
    QList<Reading> before;
    QList<Member> members;
    for (const QStringList *names : {&m_settings.stable, &m_settings.canary}) {
        for (const QString &n : *names)
            members.append(Member{n, names == &m_settings.stable ? Version::Stable : Version::Canary, 0, {}, {}});
    }
    for (qsizetype i = 0; i < m_known.size(); ++i) {
        // Not read now: the weights may have moved since (another client), so "before" stays
        // unknown for deciding what changed; the last reading only fills the result's `before`.
        Reading b;
        b.endpoint = m_sessions.sessions().at(size_t(i))->name();
        before.append(b);
        if (r.before.isEmpty() && !m_known.at(i).isEmpty())
            r.before = r.after = m_known.at(i);
    }
    QMap<QString, int> target;
    ChangeResult check = r;
    if (!checkAndPlan(change, members, r.before, &target, &check)) {
        r = check;
        return;
    }
    QList<HaproxySession::Batch> batches;
    const QStringList cmds = allSetCommands(target) + QStringList{HaproxyRuntime::showStatCommand(m_settings.backend)};
    for (const auto &s : m_sessions.sessions())
        batches.append(HaproxySession::Batch{s.get(), cmds, {}, {}, false, false});
    HaproxySession::executeAll(&batches);
    const qint64 answeredNs = steadyNowNs();
    QList<Progress> progress(before.size());
    QStringList unsent;
    for (qsizetype i = 0; i < batches.size(); ++i) {
        // Not even written: that endpoint was not changed, and is reported like an unreachable one.
        if (!batches.at(i).ok && !batches.at(i).delivered) {
            before[i].error = batches.at(i).error;
            unsent.append(batches.at(i).error);
            continue;
        }
        takeReadBack(batches.at(i), cmds.size() - 1, &progress[i]);
    }
    if (unsent.size() == batches.size()) {
        r.status = ChangeResult::Status::Failed;
        r.message = QStringLiteral("nothing changed: %1").arg(unsent.join(QStringLiteral("; ")));
        return;
    }
    report(before, progress, target, members, &r, true);
    stampConfirmed(change, answeredNs, &r);
}

void HaproxyTrafficBackend::report(const QList<Reading> &before, const QList<Progress> &progress,
                                   const QMap<QString, int> &target, const QList<Member> &members, ChangeResult *out,
                                   bool raised)
{
    ChangeResult &r = *out;
    const bool several = m_sessions.size() > 1;
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

    const QString planned = describeApplied(members, target);
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
