#pragma once
// The include that routes testers on nginx: Switchboard writes the whole file (operators do not
// edit it) as `map` blocks that choose the upstream of each request, the canary's for requests
// whose header or cookie matches a route and the weighted one for everyone else. The routes
// are also written as comment lines, which is how they are read back.
//
// The operator's configuration (docs and lab/up), in `http {}`:
//   include /etc/nginx/conf.d/shop-testers.conf;      # this file: defines $shop_upstream
//   upstream shop_canary { server 127.0.0.1:8002; }   # the canary's servers, always up
//   ... location / { proxy_pass http://$shop_upstream; }
// targets.json: "nginx": {..., "routes": {"file": "/etc/nginx/conf.d/shop-testers.conf",
//   "variable": "shop_upstream", "canaryUpstream": "shop_canary"}}

#include "trafficroute.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace Switchboard {

struct NginxRouteSettings
{
    QString file;           // empty: the target routes no testers
    QString variable;       // without `$`
    QString canaryUpstream; // the upstream testers go to
    QString defaultUpstream; // everyone else: the target's weighted upstream
};

class NginxRouteFile final
{
public:
    // The file for these routes (maps over each routed header or cookie, then one that picks
    // the upstream).
    static QByteArray render(const NginxRouteSettings &settings, const QList<TrafficRoute> &routes);
    // The routes the file says it holds (its `# switchboard-route` lines).
    static QList<TrafficRoute> parse(const QByteArray &text);
    // Why nginx could not take this route as a map key, empty when it can.
    static QString unusable(const TrafficRoute &route);
};

} // namespace Switchboard
