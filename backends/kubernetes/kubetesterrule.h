#pragma once
// Switchboard's own tester rule in a Kubernetes route array (Gateway API `spec.rules`, Istio
// `spec.http`): requests matching a tester route go to the canary, ahead of the weighted
// entry. The rule is marked by name ("switchboard-testers") and is the only entry Switchboard
// ever adds, changes or removes; every other entry stays as the operator wrote it. Internal to
// the backends library.
//
// Each of the weighted entry's matches (paths, methods, ...) is repeated once per route with
// the route's header added, so testers are only taken from the traffic the weighted entry
// serves. Gateway API: headers [{type: Exact, name, value}], cookies as a RegularExpression on
// the Cookie header. Istio: headers {<lower-case name>: {exact}}, cookies {cookie: {regex}}.

#include "trafficroute.h"

#include <nlohmann/json.hpp>

#include <QStringList>

#include <functional>

namespace Switchboard {

class KubeTesterRule final
{
public:
    enum class Dialect { GatewayApi, Istio };
    static constexpr const char *kName = "switchboard-testers";

    // `weightedIndex` counts the operator's entries only (ours excluded); `isCanary` says which
    // backendRef / destination of the weighted entry is the canary's.
    KubeTesterRule(Dialect dialect, int weightedIndex, std::function<bool(const nlohmann::json &)> isCanary);

    // "rules" or "http".
    const char *arrayKey() const;
    // The object with our entry taken out, so indices are the operator's.
    nlohmann::json withoutOurs(const nlohmann::json &object) const;
    // The routes our entry holds now (none when there is no entry of ours).
    QList<TrafficRoute> routes(const nlohmann::json &object) const;
    // The whole array with our entry for `routes` just before the weighted entry (no entry of
    // ours when `routes` is empty); false with *error when the weighted entry is not there.
    bool rebuild(const nlohmann::json &object, const QList<TrafficRoute> &routes, nlohmann::json *array, QString *error) const;
    // The regex a cookie route is matched with on the Cookie header.
    static QString cookieRegex(const TrafficRoute &route);

private:
    static bool isOurs(const nlohmann::json &entry);
    nlohmann::json entryFor(const nlohmann::json &weighted, const QList<TrafficRoute> &routes) const;

    Dialect m_dialect;
    int m_weightedIndex;
    std::function<bool(const nlohmann::json &)> m_isCanary;
};

} // namespace Switchboard
