#pragma once
// Tester routes: requests that carry a header (or cookie) with an exact value go to the canary
// whatever the weights are, 0% included. A route is part of a target's traffic state, like its
// weights; a RouteEdit is one operator's change to the routes in force.

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace Switchboard {

struct TrafficRoute
{
    enum class Match { Header, Cookie };
    Match match = Match::Header;
    QString name;  // header name as the operator wrote it ("X-Canary"), or cookie name
    QString value; // exact value

    bool operator==(const TrafficRoute &) const = default;

    // "header" or "cookie": the key of the route's JSON object and of the CLI option.
    QString matchName() const;
    // "X-Canary: always → canary", "cookie canary=always → canary"
    QString describe() const;
    // {"header": "X-Canary", "value": "always", "to": "canary"} (or "cookie")
    QJsonObject toJson() const;
    // Reads toJson()'s form ("to" optional, must be "canary" when given).
    static bool fromJson(const QJsonObject &o, TrafficRoute *out, QString *error);
    // "X-Canary=always" → the route; names are HTTP tokens, values printable without ';' '"' or
    // spaces at either end, so every traffic layer can write them into its configuration.
    static bool parse(Match match, const QString &text, TrafficRoute *out, QString *error);
    // Same checks on a route built elsewhere (a plan step, the GUI).
    static bool validate(const TrafficRoute &route, QString *error);
    // Same header (case-insensitive, as HTTP) or same cookie (case-sensitive) name.
    bool sameKey(const TrafficRoute &other) const;
};

QString describeRoutes(const QList<TrafficRoute> &routes); // "none" or the routes joined by ", "

// One change to the routes in force. Remove with an empty value removes every route on that
// header or cookie.
struct RouteEdit
{
    enum class Op { Add, Remove, Clear };
    Op op = Op::Add;
    TrafficRoute route;
    // The routes the operator last saw: the layer answers Conflict when the live ones differ.
    // Unset: no check.
    std::optional<QList<TrafficRoute>> expected;

    // "add X-Canary: always → canary", "remove header X-Canary", "clear routes"
    QString describe() const;
    // The routes once this edit is made on `live` (an Add of a route already there changes
    // nothing; an Add on a key already routed with another value adds a second value).
    QList<TrafficRoute> applyTo(const QList<TrafficRoute> &live) const;
    // Whether `live` differs from what the operator last saw (same routes in any order match).
    bool conflictsWith(const QList<TrafficRoute> &live) const;
};

} // namespace Switchboard
