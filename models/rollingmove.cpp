#include "rollingmove.h"

namespace Switchboard {

bool planRollingMove(const QList<Member> &members, int moves, RollingMove *out, QString *error, int fullWeight)
{
    QList<const Member *> oldOnes;
    QList<const Member *> newOnes;
    for (const Member &m : members)
        (m.version == Version::Stable ? oldOnes : newOnes).append(&m);
    if (newOnes.isEmpty()) {
        *error = QStringLiteral("no new-version (canary) server to move traffic to");
        return false;
    }
    if (moves < 1 || fullWeight < 1) {
        *error = QStringLiteral("a rolling move needs moves >= 1 and a weight >= 1");
        return false;
    }
    RollingMove r;
    r.moves = moves;
    const qsizetype in = std::min<qsizetype>(moves, newOnes.size());
    const qsizetype drainCount = std::min<qsizetype>(moves, oldOnes.size());
    for (qsizetype i = 0; i < newOnes.size(); ++i) {
        const Member *m = newOnes.at(i);
        const bool serving = i < in;
        r.weights.insert(m->name, serving ? fullWeight : 0);
        if (serving) {
            r.serving.append(m->name);
            if (m->weight == 0)
                r.added.append(m->name);
        }
    }
    for (qsizetype i = 0; i < oldOnes.size(); ++i) {
        const Member *m = oldOnes.at(i);
        const bool drained = i < drainCount;
        r.weights.insert(m->name, drained ? 0 : fullWeight);
        if (drained)
            r.drained.append(m->name);
    }
    const double total = double(in + (oldOnes.size() - drainCount)) * fullWeight;
    r.canaryPercent = 100.0 * double(in) * fullWeight / total;
    r.noChange = true;
    for (const Member &m : members)
        r.noChange &= r.weights.value(m.name) == m.weight;
    *out = r;
    return true;
}

} // namespace Switchboard
