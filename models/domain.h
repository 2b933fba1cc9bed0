#pragma once
// Plain value types shared by every layer: what a target is, who serves it, how traffic is
// split and how healthy each version is. No behaviour beyond small derivations.

#include "trafficroute.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>

#include <cmath>
#include <optional>
#include <limits>

namespace Switchboard {

enum class Version { Stable, Canary };

QString versionName(Version v);

// An unknown metric is NaN inside the app and `null` in every output; never 0.
inline constexpr double unknown() { return std::numeric_limits<double>::quiet_NaN(); }
inline bool isKnown(double v) { return !std::isnan(v); }

// One server (HAProxy server, nginx upstream entry, backendRef, ...) behind a target.
struct Member
{
    QString name;
    Version version = Version::Stable;
    int weight = 0;
    QString state;       // as the traffic layer says it: UP, DOWN, DRAIN, MAINT, ...
    QString checkStatus; // last health check result, if the layer reports one

    bool operator==(const Member &) const = default;
};

// What a member's state says about its health, as far as the traffic layer checks it.
enum class MemberHealth {
    Unchecked,   // the layer runs no health check on it (nginx, Kubernetes, "no check")
    Healthy,     // checked and up
    Pending,     // checks under way: coming up ("DOWN 1/2") or going down ("UP 1/3")
    Down,        // checks failed
    Maintenance, // taken out by someone (MAINT, DRAIN, NOLB): not a verdict on the version
};
MemberHealth memberHealth(const Member &m);
// "shop-v2-a DOWN (L7STS)"
QString describeHealth(const Member &m);

// Percent of traffic per version, derived from raw weights.
struct TrafficSplit
{
    double stable = unknown();
    double canary = unknown();

    bool isKnown() const { return Switchboard::isKnown(stable) && Switchboard::isKnown(canary); }
    // Sums weights per version: the share is weight over all weights. All zero is unknown
    // (the traffic layer would answer 503, there is no split to speak of).
    static TrafficSplit fromMembers(const QList<Member> &members);
};

// What the traffic layer reported at one moment.
struct TrafficSnapshot
{
    qint64 timeMs = 0; // wall clock, ms since epoch
    QList<Member> members;
    TrafficSplit split;
    // The layer accepts no changes from us (an nginx upstream file we may not write, an HAProxy
    // socket below level admin, a Kubernetes user who may not patch), found out before acting.
    bool readOnly = false;
    QString readOnlyReason; // why, one line; empty when not read-only
    // What the traffic layer says beyond weights, one line for the operator (a rollout's step
    // and phase, TLS verification being off). Empty when there is nothing to say.
    QString note;
    // Tester routes in force (requests matching them reach the canary whatever the weights).
    QList<TrafficRoute> routes;
    // Why route edits are refused on this target (the layer has none, its configuration does
    // not declare them, or another controller owns them: Argo Rollouts); empty when accepted.
    QString routesRefusal = QStringLiteral("this traffic layer has no tester routes");
    // The new version's image where the layer runs images (the Deployment kinds): what Deploy
    // replaces, shown before -> after. Empty elsewhere.
    QString image;
    QString imageContainer;

    QList<Member> membersOf(Version v) const;
    // name -> weight, the view an operator "last saw"; used for optimistic concurrency.
    QMap<QString, int> weights() const;
};

// Health of one version at one time. Unknown values are NaN.
struct HealthSample
{
    qint64 timeMs = 0;
    double rps = unknown();
    double errorRatio = unknown(); // 0..1
    double p50Ms = unknown();
    double p95Ms = unknown();
    double p99Ms = unknown();
    // Responses counted in the sample's window, where the source counts them (HAProxy's
    // counters, the fast signal): how much evidence an error ratio rests on.
    double responses = unknown();
};

struct HealthSnapshot
{
    HealthSample stable;
    HealthSample canary;
};

struct HealthSeries
{
    QList<HealthSample> stable;
    QList<HealthSample> canary;
    // Set canary percent over the same range, when the metrics layer knows it (the
    // simulator; Prometheus via haproxy_server_weight). Empty when unknown.
    QList<QPair<qint64, double>> setCanaryPercent;
};

// A request to move traffic. The backend maps the percent onto its members' weights.
struct WeightChange
{
    // Given by the controller's change queue when the change is submitted (0: none yet).
    // Backends need not look at it.
    quint64 id = 0;
    // What the change gives the canary. With memberWeights it is what those weights give: the
    // backend does not plan from it but reports it back, so callers match results by it.
    double canaryPercent = 0;
    // Per-member weights (a rolling move: one new server in, one old out). Members not named
    // keep their weight. Empty: plan every member's weight from canaryPercent.
    QMap<QString, int> memberWeights;
    // Weights the operator last saw; the backend refuses if the live ones differ (conflict),
    // unless force is set. Empty means "don't check".
    QMap<QString, int> expected;
    bool force = false;
    QString reason;
    // Set: the change edits tester routes only (TrafficBackend::editRoutes), weights stay.
    std::optional<RouteEdit> routeEdit;
    // A weight change that also removes every tester route (a rollback, unless the operator
    // keeps them): no request is left on the canary.
    bool clearRoutes = false;
    // When it was asked for (steadyNowNs), stamped by the change queue: a layer that confirms
    // the weights it set reports how long that took (ChangeResult::confirmedAfterNs).
    qint64 requestedAtNs = 0;
};

struct ChangeResult
{
    enum class Status { Applied, Conflict, Partial, Failed };
    Status status = Status::Failed;
    QString message;             // one line, for the log and the status bar
    QMap<QString, int> before;   // live weights read just before the change
    QMap<QString, int> after;    // weights read back after it (what really holds now)
    double requestedCanaryPercent = 0;
    // The id of the change this answers (WeightChange::id). Backends leave it 0; the change
    // queue stamps it, since it knows which change was on the wire.
    quint64 id = 0;
    // Tester routes before and after, read back, when the change edited or cleared them.
    bool routesTouched = false;
    QList<TrafficRoute> routesBefore;
    QList<TrafficRoute> routesAfter;
    // The new version did not become Ready (pods crash-looping, an image that cannot be pulled,
    // a readiness probe that never passes): a running rollout rolls back instead of pausing.
    bool newVersionFailing = false;
    // From the request (WeightChange::requestedAtNs) to the traffic layer's own read-back
    // confirming the new weights everywhere: what the change record shows as "confirmed after".
    // 0: not known (a layer that does not time it, a change not applied everywhere).
    qint64 confirmedAfterNs = 0;

    bool ok() const { return status == Status::Applied; }
};

// A monotonic clock in nanoseconds (the same one in every thread), for durations across threads.
qint64 steadyNowNs();

// What a deploy (a new image for the new version) did.
struct DeployResult
{
    ChangeResult::Status status = ChangeResult::Status::Failed;
    QString message;    // one line
    QString resource;   // "Deployment shop/shop-v2"
    QString container;
    QString imageBefore;
    QString imageAfter;

    bool ok() const { return status == ChangeResult::Status::Applied; }
};
QString statusName(ChangeResult::Status s);

enum class ConnectionState { Connecting, Connected, Disconnected };
QString connectionStateName(ConnectionState s);

// A configured target as read from targets.json. `settings` is the whole JSON object of the
// target, unknown keys included, so each backend reads its own section.
struct TargetConfig
{
    QString name;
    QString kind;
    int pollMs = 1000;
    QJsonObject settings;
    // targets.json "readOnly": true, or the whole app started with --read-only: every action is
    // refused before anything is sent. The reason says which.
    bool readOnly = false;
    QString readOnlyReason;
};

} // namespace Switchboard

Q_DECLARE_METATYPE(Switchboard::TrafficSnapshot)
Q_DECLARE_METATYPE(Switchboard::HealthSnapshot)
Q_DECLARE_METATYPE(Switchboard::HealthSeries)
Q_DECLARE_METATYPE(Switchboard::WeightChange)
Q_DECLARE_METATYPE(Switchboard::ChangeResult)
Q_DECLARE_METATYPE(Switchboard::DeployResult)
