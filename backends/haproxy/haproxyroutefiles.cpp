#include "haproxyroutefiles.h"

#include <QFile>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSet>

namespace Switchboard {

namespace {

QSet<QString> routeKeys(const QList<TrafficRoute> &routes)
{
    QSet<QString> out;
    for (const TrafficRoute &r : routes)
        out.insert(r.matchName() + QLatin1Char('\n') + (r.match == TrafficRoute::Match::Header ? r.name.toLower() : r.name)
                   + QLatin1Char('\n') + r.value);
    return out;
}

} // namespace

HaproxyRouteFiles::HaproxyRouteFiles(const HaproxyTargetSettings &settings)
    : m_settings(settings)
    , m_acls(settings.routes)
{
}

QString HaproxyRouteFiles::refusal() const
{
    if (!m_acls.isEmpty())
        return {};
    return QStringLiteral("HAProxy target routes no testers: add an ACL file to its configuration and to targets.json "
                          "(haproxy.routes, see the README's tester routes section)");
}

const HaproxyRouteAcl *HaproxyRouteFiles::aclFor(const TrafficRoute &route) const
{
    for (const HaproxyRouteAcl &a : m_acls) {
        if (TrafficRoute{a.match, a.name, route.value}.sameKey(route))
            return &a;
    }
    return nullptr;
}

QString HaproxyRouteFiles::configHint(const TrafficRoute &route) const
{
    const QString fetch = route.match == TrafficRoute::Match::Header ? QStringLiteral("req.hdr(%1)").arg(route.name.toLower())
                                                                     : QStringLiteral("req.cook(%1)").arg(route.name);
    return QStringLiteral("the HAProxy configuration routes no %1 %2: add `acl sb_testers %3 -f FILE` and "
                          "`use-server %4 if sb_testers` to backend %5, and {\"%1\": \"%2\", \"acl\": \"FILE\"} to haproxy.routes")
        .arg(route.matchName(), route.name, fetch, m_settings.canary.value(0), m_settings.backend);
}

QStringList HaproxyRouteFiles::parseShowAcl(const QString &answer)
{
    // "0x55d8b0c0 always": an entry's address, then its pattern.
    static const QRegularExpression entry(QStringLiteral("^0x[0-9a-fA-F]+ (.+)$"));
    QStringList out;
    for (const QString &line : answer.split(QLatin1Char('\n'))) {
        const QRegularExpressionMatch m = entry.match(line.trimmed());
        if (m.hasMatch() && !out.contains(m.captured(1)))
            out.append(m.captured(1));
    }
    return out;
}

bool HaproxyRouteFiles::read(const HaproxyRuntime &runtime, QList<TrafficRoute> *routes, QString *error) const
{
    routes->clear();
    for (const HaproxyRouteAcl &a : m_acls) {
        // One file per exchange: answers on a joined line do not line up reliably.
        QString answer;
        if (!runtime.execute({QStringLiteral("show acl %1").arg(a.aclFile)}, &answer, error))
            return false;
        if (answer.contains(QLatin1String("Unknown ACL identifier"))) {
            *error = QStringLiteral("%1: HAProxy has no ACL file %2: the configuration must load it with `acl ... -f %2`")
                         .arg(runtime.name(), a.aclFile);
            return false;
        }
        for (const QString &v : parseShowAcl(answer))
            routes->append({a.match, a.name, v});
    }
    return true;
}

bool HaproxyRouteFiles::writeFile(const HaproxyRouteAcl &acl, const QList<TrafficRoute> &routes, QString *error) const
{
    QByteArray text = "# Written by Switchboard: tester values routed to the canary, one a line.\n";
    for (const TrafficRoute &r : routes) {
        if (aclFor(r) == &acl)
            text += r.value.toUtf8() + '\n';
    }
    QFile current(acl.aclFile);
    if (current.open(QIODevice::ReadOnly) && current.readAll() == text)
        return true;
    QSaveFile f(acl.aclFile);
    if (!f.open(QIODevice::WriteOnly) || f.write(text) != text.size() || !f.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(acl.aclFile, f.errorString());
        return false;
    }
    return true;
}

bool HaproxyRouteFiles::converge(const QList<HaproxyRuntime> &runtimes, const std::optional<RouteEdit> &edit, bool force,
                                 ChangeResult *r) const
{
    r->routesTouched = true;
    // 1. What holds now on each endpoint.
    QList<std::optional<QList<TrafficRoute>>> live;
    QStringList unreachable;
    for (const HaproxyRuntime &rt : runtimes) {
        QList<TrafficRoute> routes;
        QString error;
        if (read(rt, &routes, &error)) {
            live.append(routes);
        } else {
            live.append(std::nullopt);
            unreachable.append(error);
        }
    }
    const auto first = std::find_if(live.cbegin(), live.cend(), [](const auto &l) { return l.has_value(); });
    if (first == live.cend() || (!unreachable.isEmpty() && !force)) {
        r->status = ChangeResult::Status::Failed;
        r->message = QStringLiteral("routes not changed (a change must reach every endpoint): %1").arg(unreachable.join(QStringLiteral("; ")));
        return false;
    }
    r->routesBefore = r->routesAfter = **first;
    if (edit && edit->conflictsWith(**first)) {
        r->status = ChangeResult::Status::Conflict;
        r->message = QStringLiteral("routes changed meanwhile: now %1").arg(describeRoutes(**first));
        return false;
    }
    const QList<TrafficRoute> target = edit ? edit->applyTo(**first) : QList<TrafficRoute>();
    for (const TrafficRoute &t : target) {
        if (!aclFor(t)) {
            r->status = ChangeResult::Status::Failed;
            r->message = QStringLiteral("routes not changed: %1").arg(configHint(t));
            return false;
        }
    }

    // 2. Add and delete patterns on every endpoint: each is atomic in HAProxy, no reload.
    QStringList failed;
    QStringList done;
    for (qsizetype i = 0; i < runtimes.size(); ++i) {
        if (!live.at(i))
            continue;
        QStringList cmds;
        const QSet<QString> now = routeKeys(*live.at(i));
        const QSet<QString> want = routeKeys(target);
        for (const TrafficRoute &t : target)
            if (!now.contains(*routeKeys({t}).cbegin()))
                cmds.append(QStringLiteral("add acl %1 %2").arg(aclFor(t)->aclFile, t.value));
        for (const TrafficRoute &t : *live.at(i))
            if (!want.contains(*routeKeys({t}).cbegin()))
                cmds.append(QStringLiteral("del acl %1 %2").arg(aclFor(t)->aclFile, t.value));
        QString answer;
        QString error;
        if (!cmds.isEmpty() && !runtimes.at(i).execute(cmds, &answer, &error))
            failed.append(error);
        // 3. The read-back is the truth.
        QList<TrafficRoute> after;
        if (!read(runtimes.at(i), &after, &error)) {
            failed.append(error);
            continue;
        }
        if (routeKeys(after) != want) {
            failed.append(QStringLiteral("%1: routes are %2, wanted %3").arg(runtimes.at(i).name(), describeRoutes(after), describeRoutes(target)));
            continue;
        }
        if (done.isEmpty())
            r->routesAfter = after;
        done.append(runtimes.at(i).name());
    }
    failed.append(unreachable);

    // 4. Written back, so a reload loads the same routes.
    QStringList fileErrors;
    if (!done.isEmpty()) {
        for (const HaproxyRouteAcl &a : m_acls) {
            QString error;
            if (!writeFile(a, target, &error))
                fileErrors.append(error);
        }
    }
    const QString what = QStringLiteral("routes now %1").arg(describeRoutes(target));
    if (failed.isEmpty() && fileErrors.isEmpty()) {
        r->status = ChangeResult::Status::Applied;
        r->message = runtimes.size() > 1 ? QStringLiteral("%1 on all %2 endpoints").arg(what).arg(done.size()) : what;
        return true;
    }
    r->status = done.isEmpty() ? ChangeResult::Status::Failed : ChangeResult::Status::Partial;
    QStringList why = failed;
    if (!fileErrors.isEmpty())
        why.append(QStringLiteral("in force, but a reload would lose it: %1").arg(fileErrors.join(QStringLiteral("; "))));
    r->message = QStringLiteral("%1: applied on %2; %3")
                     .arg(what, done.isEmpty() ? QStringLiteral("no endpoint") : done.join(QStringLiteral(", ")), why.join(QStringLiteral(" | ")));
    return false;
}

} // namespace Switchboard
