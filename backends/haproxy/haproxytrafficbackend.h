#pragma once
// HAProxy as a traffic layer: reads and sets the weights of a backend's stable and canary
// servers through the runtime API of every configured endpoint (one HAProxy process each, or
// several sockets of one process), applying each change to all of them and verifying it on all.
// Read-only when a socket's `show cli level` is below admin (asked before acting, not learnt
// from a refused `set weight`).
//
// Every endpoint has a persistent session (HaproxySession) and every step talks to all of them
// at once. A forced change (rollback) is one round trip: the `set weight` lines, the servers
// that gain weight first, and `show stat` to verify, in one write per endpoint.

#include "haproxyroutefiles.h"
#include "haproxyruntime.h"
#include "haproxysession.h"
#include "haproxysessionset.h"
#include "layerparts.h"
#include "trafficbackend.h"

#include <memory>
#include <optional>
#include <vector>

namespace Switchboard {

class HaproxyTrafficBackend final : public TrafficBackend
{
    Q_OBJECT
public:
    explicit HaproxyTrafficBackend(const HaproxyTargetSettings &settings, QObject *parent = nullptr);
    // The factory's entry point (common/layerparts.h): reads the target's "haproxy" object.
    static bool create(const QJsonObject &settings, LayerParts *out, QString *error);

    void refresh() override;
    void apply(const Switchboard::WeightChange &change) override;
    // Tester routes through the ACL files of haproxy.routes (see HaproxyRouteFiles).
    void editRoutes(const Switchboard::WeightChange &change) override;

    // `show cli level`'s answer ("admin", "operator", "user"); empty when it is none of them
    // (an HAProxy before 2.0 answers "Unknown command": then only `set weight` will tell).
    static QString parseLevel(const QString &answer);
    // Refreshes between two level checks: a socket's level changes only with a reload.
    static constexpr int kLevelEvery = 30;

private:
    // What one endpoint says about the configured servers.
    struct Reading
    {
        QString endpoint;
        QString error; // empty when the read worked
        QList<Member> members;
        QMap<QString, int> weights;
        bool ok() const { return error.isEmpty(); }
    };
    // How one endpoint's change went.
    struct Progress
    {
        QStringList errors;
        bool touched = false; // a `set weight` line may have reached HAProxy
        std::optional<QMap<QString, int>> after;
    };
    // `show stat` on every endpoint at once; the readings are in endpoint order.
    QList<Reading> readAll();
    Reading readingFrom(const HaproxySession::Batch &b) const;
    // One round trip to every endpoint: `set weight` for every member (those whose weight goes
    // up first), then `show stat`. For forced changes, which plan from the configured members.
    void applyInOneTrip(const WeightChange &change, ChangeResult *r);
    // Takes a batch that ends with `show stat` (after `setCount` `set weight` lines) into *p.
    void takeReadBack(const HaproxySession::Batch &b, qsizetype setCount, Progress *p);
    // The read-back is the truth: fills *r from what each endpoint reports.
    void report(const QList<Reading> &before, const QList<Progress> &progress, const QMap<QString, int> &target,
                const QList<Member> &members, ChangeResult *r, bool raised);
    // An applied change: the time from its request to the answers that confirmed it.
    static void stampConfirmed(const WeightChange &change, qint64 answeredNs, ChangeResult *r);
    // Turns `show stat` rows into the configured members; false naming the missing servers.
    bool membersFrom(const QList<HaproxyServerStat> &rows, const QString &endpoint, QList<Member> *members,
                     QString *error) const;
    QStringList setCommands(const QMap<QString, int> &target, const QMap<QString, int> &live, bool raise) const;
    // Every member's `set weight`, the servers with the highest new weight first: no moment in
    // between leaves every server at 0 whatever the weights were.
    QStringList allSetCommands(const QMap<QString, int> &target) const;
    // Reads `show stat` from the last answer of a batch into weights; false with *error.
    bool readBack(const HaproxySession::Batch &b, QMap<QString, int> *now, QString *error) const;
    // The `set weight` answers that are errors, each with its command.
    static QStringList answerErrors(const QStringList &commands, const QStringList &answers);
    // Asks every endpoint `show cli level` (on the first refresh, then every kLevelEvery).
    void checkLevels();
    void applyWeights(const WeightChange &change, ChangeResult *r);
    // Why we may not set weights, from the levels known; empty when we may (or cannot tell).
    QString levelProblem() const;

    HaproxyTargetSettings m_settings;
    HaproxySessionSet m_sessions; // shared with the thread's other targets on these endpoints
    QList<QMap<QString, int>> m_known; // per endpoint: the weights last read there (empty: none)
    QList<HaproxyRuntime> m_runtimes;
    HaproxyRouteFiles m_routes;
    QStringList m_levels; // per endpoint, as parseLevel() gives it; empty: not known
    int m_refreshes = 0;
};

} // namespace Switchboard
