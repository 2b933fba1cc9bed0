#pragma once
// The weights of a rolling update after k moves, where one move puts one more new-version
// server in and takes one more old-version server out. Moves past what a version has are
// clamped: with 2 old and 1 new server, move 1 gives 1 new in / 1 old out (50%) and move 2
// takes the last old one out (100%). Servers go in and out in the order the traffic layer lists
// them (targets.json order for HAProxy and nginx).

#include "domain.h"
#include "weightplan.h"

#include <QStringList>

namespace Switchboard {

struct RollingMove
{
    int moves = 0;
    QMap<QString, int> weights; // every member's weight after the move
    QStringList serving;        // new-version servers with traffic after the move
    QStringList drained;        // old-version servers without traffic after the move
    QStringList added;          // of `serving`, those that had no traffic before
    double canaryPercent = 0;   // what `weights` give the new version
    bool noChange = false;      // the members already have these weights
};

// Plans move `moves` (>= 1) from the members' current weights; every server with traffic gets
// `fullWeight`. False with *error when there is no new-version server to move to.
bool planRollingMove(const QList<Member> &members, int moves, RollingMove *out, QString *error,
                     int fullWeight = maxMemberWeight);

} // namespace Switchboard
