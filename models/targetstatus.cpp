#include "targetstatus.h"

#include "targetcontroller.h"

#include <QLocale>

namespace Switchboard {

QString ServersLine::plainText() const
{
    if (summedUp()) {
        QString text = QStringLiteral("■ %1 servers, %2 with traffic").arg(total).arg(serving);
        if (down)
            text += QStringLiteral(", %1 DOWN").arg(down);
        return text;
    }
    QStringList parts;
    for (const ServerEntry &s : servers) {
        QString part = QStringLiteral("%1 %2").arg(s.name).arg(s.weight);
        switch (s.health) {
        case MemberHealth::Healthy: part += QStringLiteral(" ✓"); break;
        case MemberHealth::Down: part += QStringLiteral(" ✗ ") + s.state; break;
        case MemberHealth::Pending: part += QStringLiteral(" … ") + s.state; break;
        case MemberHealth::Maintenance: part += QLatin1Char(' ') + s.state; break;
        case MemberHealth::Unchecked: break;
        }
        parts.append(part);
    }
    return QStringLiteral("■ ") + parts.join(QStringLiteral(" · "));
}

QList<ServersLine> TargetStatus::serversOf(const QList<Member> &members)
{
    QList<ServersLine> lines;
    for (Version v : {Version::Stable, Version::Canary}) {
        ServersLine line;
        line.version = v;
        for (const Member &m : members) {
            if (m.version != v)
                continue;
            ++line.total;
            line.serving += m.weight > 0;
            const MemberHealth h = memberHealth(m);
            line.down += h == MemberHealth::Down;
            line.servers.append({m.name, m.weight, h, m.state});
        }
        if (line.total == 0)
            continue;
        if (line.summedUp())
            line.servers.clear(); // long lists are summed up instead
        lines.append(line);
    }
    return lines;
}

QString TargetStatus::ageText(qint64 ms)
{
    if (ms < 0)
        return tr("no data yet");
    if (ms < 60000)
        return tr("data %1 s old").arg(QLocale().toString(double(ms) / 1000.0, 'f', 1));
    return tr("data %1 min old").arg(QLocale().toString(ms / 60000));
}

TargetStatus TargetStatus::of(const TargetController *c, qint64 now)
{
    TargetStatus s;
    if (!c) {
        s.header = tr("no target selected");
        return s;
    }
    s.hasTarget = true;
    const ConnectionState state = c->connectionState();
    const qint64 ageMs = c->dataAgeMs(now);
    const bool old = ageMs < 0 || ageMs > c->staleAfterMs();
    s.splitStale = state != ConnectionState::Connected || old;
    s.healthStale = c->isHealthStale(now);

    QString stateText = state == ConnectionState::Connecting ? tr("connecting")
                        : state == ConnectionState::Connected ? tr("connected")
                                                              : tr("disconnected");
    if (state == ConnectionState::Disconnected && !c->lastError().isEmpty())
        stateText += QStringLiteral(" (") + c->lastError() + QLatin1Char(')');
    s.header = tr("%1 · %2 · %3 · %4")
                   .arg(c->name(), c->config().kind, stateText,
                        ageText(ageMs) + (old && ageMs >= 0 ? tr(" (stale)") : QString()));
    s.headerTone = state == ConnectionState::Disconnected ? Tone::Disconnected : old ? Tone::Stale : Tone::Normal;

    const HealthSnapshot h = c->health();
    const HealthSample *samples[2] = {&h.stable, &h.canary};
    for (int v = 0; v < 2; ++v) {
        SampleAge &a = s.sampleAge[v];
        a.ageMs = c->hasHealth() && samples[v]->timeMs > 0 ? now - samples[v]->timeMs : -1;
        a.stale = a.ageMs < 0 || a.ageMs > c->staleAfterMs();
        a.text = a.ageMs < 0 ? tr("no data") : tr("%1 s").arg(QLocale().toString(double(a.ageMs) / 1000.0, 'f', 1));
    }
    s.servers = serversOf(c->snapshot().members);
    return s;
}

} // namespace Switchboard
