#pragma once
// A blocking client for one HAProxy runtime API socket (the "stats socket ... level admin"):
// one connection per request line, read until HAProxy closes it. Meant for a backend's worker
// thread, never for the GUI thread: every call is bounded by the timeouts below.

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include "trafficroute.h"

#include <memory>
#include <utility>

namespace Switchboard {

// Where a runtime API listens: "unix:/path/admin.sock" or "tcp:HOST:PORT" ("tcp:[::1]:9999").
struct HaproxyEndpoint
{
    enum class Kind { Unix, Tcp };
    Kind kind = Kind::Tcp;
    QString path; // unix
    QString host; // tcp
    quint16 port = 0;

    // The canonical spelling, used in every message about this endpoint.
    QString toString() const;
    static bool parse(const QString &text, HaproxyEndpoint *out, QString *error);
};

struct HaproxyTimeouts
{
    int connectMs = 1000;
    int commandMs = 3000; // the whole exchange, connect included
};

// One row of `show stat` (a server, a backend or a frontend), by header name.
struct HaproxyServerStat
{
    QString proxy;       // pxname
    QString server;      // svname
    QString status;      // as HAProxy prints it: "UP", "UP 1/3", "MAINT (via x/y)", "no check"
    int weight = -1;     // the user weight `set weight` sets (uweight; `weight` on old versions)
    QString checkStatus; // L7OK, L4CON, ... empty when the server is not checked
    // The answer's header (column name -> index), shared by all its rows, and this row's
    // cells: a row is read in full only for the few columns asked for, not into a map of
    // a hundred entries per server on every read (a rollback's read-back among them).
    std::shared_ptr<const QHash<QString, qsizetype>> columns;
    QStringList cells;

    // A cell by header name; empty when the answer has no such column (older HAProxy).
    QString field(const QString &name) const;

    // The first word of the status for the states HAProxy reports with details appended
    // ("UP 1/3" is UP on its way down); other texts verbatim.
    QString state() const;
    // A counter or gauge by header name; -1 when empty (HAProxy leaves n/a fields empty).
    qint64 number(const QString &field) const;
};

// One header or cookie the operator's configuration routes to the canary through an ACL file:
// targets.json `"routes": [{"header": "X-Canary", "acl": "/etc/haproxy/shop-testers.acl"}]`
// (or "cookie"); the file is the one the config's `acl ... -f FILE` line names.
struct HaproxyRouteAcl
{
    TrafficRoute::Match match = TrafficRoute::Match::Header;
    QString name;
    QString aclFile;
};

// The `haproxy` section of a target in targets.json, shared by the traffic and metrics sides.
struct HaproxyTargetSettings
{
    QList<HaproxyEndpoint> endpoints;
    QString backend;
    QStringList stable;
    QStringList canary;
    HaproxyTimeouts timeouts;
    // The fast signal: HAProxy's own counters read this often (ms) next to Prometheus; 0: off.
    int fastSignalMs = 250;
    // The span of each fast-signal sample (ms).
    int fastWindowMs = 1000;
    QList<HaproxyRouteAcl> routes; // empty: the configuration routes no testers
    // The map file that holds operator leases (key: the backend's name), as the HAProxy
    // configuration names it; empty: this target keeps no lease. See the README.
    QString leaseMap;

    // Errors name the offending key, e.g. `haproxy.endpoints[1]: ...`.
    static bool fromJson(const QJsonObject &haproxy, HaproxyTargetSettings *out, QString *error);
};

class HaproxyRuntime final
{
public:
    explicit HaproxyRuntime(const HaproxyEndpoint &endpoint, const HaproxyTimeouts &timeouts = {});

    const HaproxyEndpoint &endpoint() const { return m_endpoint; }
    QString name() const { return m_endpoint.toString(); }

    // Sends the commands as one line (joined by "; ", saving round trips) and returns HAProxy's
    // whole answer. False on an I/O problem, with *error starting with the endpoint, e.g.
    // "tcp:127.0.0.1:9999: connection refused". *delivered says whether the line was written
    // out, i.e. whether HAProxy may have acted on it even though the answer never came.
    bool execute(const QStringList &commands, QString *answer, QString *error, bool *delivered = nullptr) const;

    // `show stat BACKEND 4 -1`: the backend's servers only.
    bool showStat(const QString &backend, QList<HaproxyServerStat> *servers, QString *error) const;
    // `get weight BACKEND/SERVER`.
    bool getWeight(const QString &backend, const QString &server, int *weight, QString *error) const;

    static QString showStatCommand(const QString &backend);
    static QString setWeightCommand(const QString &backend, const QString &server, int weight);

    // Parses `show stat` CSV found anywhere in `answer` (other commands' answers may come
    // first). False with *error = HAProxy's own text when there is no CSV (e.g. "No such proxy.").
    static bool parseStat(const QString &answer, QList<HaproxyServerStat> *rows, QString *error);
    // "50 (initial 10)" -> 50, 10.
    static bool parseWeightAnswer(const QString &answer, int *weight, int *initial = nullptr);
    // The lines of `answer` that are one of HAProxy's error texts ("No such server.", ...),
    // joined by " / "; empty when there are none.
    static QString errorsIn(const QString &answer);
    // Splits the answer to N commands sent on one line into N answers: HAProxy ends each with an
    // empty line (a successful `set weight` answers only that empty line). Missing answers
    // come back empty; surplus text is appended to the last one.
    static QStringList splitAnswers(const QString &answer, int count);

private:
    HaproxyEndpoint m_endpoint;
    HaproxyTimeouts m_timeouts;
};

} // namespace Switchboard
