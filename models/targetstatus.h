#pragma once
// What the status view shows of one target at one moment, as a plain value: the header line
// and its tone, which values are stale, each version's sample age, and the servers line. Made
// from a controller's state and a clock reading, so staleness is decided (and tested) here and
// views only draw it.

#include "domain.h"

#include <QCoreApplication>
#include <QList>
#include <QString>

namespace Switchboard {

class TargetController;

// One server of the servers line: its weight (0: no traffic) and the traffic layer's health check.
struct ServerEntry
{
    QString name;
    int weight = 0;
    MemberHealth health = MemberHealth::Unchecked;
    QString state; // the layer's own word ("DOWN 1/2", "MAINT", "DOWN (CrashLoopBackOff)"), shown for pending, down and taken-out servers
};

// One version's part of the servers line: every server, or past maxListed a count.
struct ServersLine
{
    static constexpr int maxListed = 8;
    Version version = Version::Stable;
    QList<ServerEntry> servers; // empty when summed up
    int total = 0;
    int serving = 0; // with weight > 0
    int down = 0;
    bool summedUp() const { return total > maxListed; }
    // "■ web-v1-1 0 ✓ · web-v1-2 256 ✓" or "■ 12 servers, 9 with traffic, 1 DOWN".
    QString plainText() const;
};

struct TargetStatus
{
    enum class Tone { Normal, Stale, Disconnected };

    bool hasTarget = false;
    // "shop · haproxy · connected · data 0.4 s old", " (stale)" appended when it is.
    QString header;
    Tone headerTone = Tone::Normal;
    // The split is not current: not connected, no data yet, or older than staleAfterMs.
    bool splitStale = true;
    // No fresh health to decide on (TargetController::isHealthStale).
    bool healthStale = true;
    // Each version's newest sample: one version's scrape can stop while the other's goes on.
    struct SampleAge
    {
        qint64 ageMs = -1; // -1: none
        bool stale = true;
        QString text; // "0.4 s" or "no data"
    };
    SampleAge sampleAge[2]; // [stable, canary]
    QList<ServersLine> servers; // stable first; a version without servers is left out

    static TargetStatus of(const TargetController *controller, qint64 nowMs);
    static QList<ServersLine> serversOf(const QList<Member> &members);
    // "data 0.4 s old", "data 3 min old", "no data yet".
    static QString ageText(qint64 ageMs);

    // Its texts are the status view's, in the GUI's language (the CLI does not use them).
    Q_DECLARE_TR_FUNCTIONS(Switchboard::TargetStatus)
};

} // namespace Switchboard
