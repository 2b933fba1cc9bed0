#pragma once
// Tester routes on HAProxy: the ACL files the operator's configuration names (one per routed
// header or cookie) hold the values that go to the canary. Edited at run time on every
// endpoint with `add acl` / `del acl` (no reload), verified with `show acl` on every endpoint,
// then written back to the files (atomically) so a reload keeps them.
//
// The configuration lines that make it work (docs and lab/up):
//   acl sb_testers_header req.hdr(x-canary) -f /etc/haproxy/shop-testers-header.acl
//   acl sb_testers_cookie req.cook(canary)  -f /etc/haproxy/shop-testers-cookie.acl
//   use-server shop-v2-a if sb_testers_header || sb_testers_cookie
// `use-server` reaches a server at weight 0 too, so testers get the canary at 0%.

#include "domain.h"
#include "haproxyruntime.h"

namespace Switchboard {

class HaproxyRouteFiles final
{
public:
    explicit HaproxyRouteFiles(const HaproxyTargetSettings &settings);

    bool isEmpty() const { return m_acls.isEmpty(); }
    // Why a route edit cannot be made here, empty when it can: no routes declared.
    QString refusal() const;
    // The routes in force on one endpoint (`show acl FILE` of every declared file).
    bool read(const HaproxyRuntime &runtime, QList<TrafficRoute> *routes, QString *error) const;
    // Makes `target` the routes on every endpoint (unreachable ones are skipped only when
    // `force`, as a rollback does), checks them with a read-back, writes the files. Fills
    // routesBefore/After, status and message of *r. True when all of it worked.
    bool converge(const QList<HaproxyRuntime> &runtimes, const std::optional<RouteEdit> &edit, bool force, ChangeResult *r) const;
    // The ACL file for a route's header or cookie, null when none is declared.
    const HaproxyRouteAcl *aclFor(const TrafficRoute &route) const;
    // "/f.acl: one pattern a line" parse of `show acl FILE`'s answer: the patterns.
    static QStringList parseShowAcl(const QString &answer);

private:
    bool writeFile(const HaproxyRouteAcl &acl, const QList<TrafficRoute> &routes, QString *error) const;
    QString configHint(const TrafficRoute &route) const;

    HaproxyTargetSettings m_settings;
    QList<HaproxyRouteAcl> m_acls;
};

} // namespace Switchboard
