#include "verdict.h"

#include <QJsonArray>
#include <QStringList>

namespace Switchboard {

QString Verdict::stateName(State s)
{
    switch (s) {
    case State::NoData: return QStringLiteral("no data");
    case State::Healthy: return QStringLiteral("healthy");
    case State::Watch: return QStringLiteral("watch");
    case State::Failing: return QStringLiteral("failing");
    }
    return {};
}

QJsonObject Verdict::toJson() const
{
    QJsonArray gates;
    for (const GateResult &r : results) {
        QJsonObject g{{QStringLiteral("gate"), r.gate}, {QStringLiteral("outcome"), outcomeName(r.outcome)},
                      {QStringLiteral("why"), r.why}};
        if (r.stats.isSet())
            g.insert(QStringLiteral("stats"), r.stats.toJson());
        gates.append(g);
    }
    return {{QStringLiteral("state"), stateName(state)}, {QStringLiteral("reason"), reason},
            {QStringLiteral("gates"), gates}};
}

QString Verdict::details() const
{
    QStringList lines{QStringLiteral("%1: %2").arg(stateName(state), reason)};
    for (const GateResult &r : results)
        lines.append(r.text);
    return lines.join(QLatin1Char('\n'));
}

} // namespace Switchboard
