#include "nginxroutefile.h"

#include <QStringList>

namespace Switchboard {

namespace {

QString nginxRouteSource(const TrafficRoute &r)
{
    if (r.match == TrafficRoute::Match::Cookie)
        return QStringLiteral("$cookie_") + r.name;
    return QStringLiteral("$http_") + r.name.toLower().replace(QLatin1Char('-'), QLatin1Char('_'));
}

} // namespace

QString NginxRouteFile::unusable(const TrafficRoute &route)
{
    // nginx reads a leading `~` as a regex and these words as map parameters.
    static const QStringList special{QStringLiteral("default"), QStringLiteral("hostnames"), QStringLiteral("include"),
                                     QStringLiteral("volatile")};
    if (route.value.startsWith(QLatin1Char('~')) || route.value.startsWith(QLatin1Char('\\')) || route.value.contains(QLatin1Char('$'))
        || special.contains(route.value))
        return QStringLiteral("nginx cannot match the value \"%1\" exactly (a leading ~ or \\, a $, or a map keyword)").arg(route.value);
    // Cookie variables take the name as written; header variables only letters, digits and '_'.
    for (const QChar c : route.name) {
        if (!(c.isLetterOrNumber() || c == QLatin1Char('_') || (route.match == TrafficRoute::Match::Header && c == QLatin1Char('-'))))
            return QStringLiteral("nginx has no variable for the %1 name \"%2\"").arg(route.matchName(), route.name);
    }
    return {};
}

QByteArray NginxRouteFile::render(const NginxRouteSettings &s, const QList<TrafficRoute> &routes)
{
    QStringList out;
    out.append(QStringLiteral("# Written by Switchboard: testers routed to the canary. Rewritten on every change; do not edit."));
    for (const TrafficRoute &r : routes)
        out.append(QStringLiteral("# switchboard-route %1 %2 %3").arg(r.matchName(), r.name, r.value));
    // One map per routed variable (routes on one header share it), then the choice of upstream.
    QStringList sources;
    QList<QStringList> values;
    for (const TrafficRoute &r : routes) {
        const QString src = nginxRouteSource(r);
        qsizetype i = sources.indexOf(src);
        if (i < 0) {
            sources.append(src);
            values.append(QStringList());
            i = sources.size() - 1;
        }
        if (!values[i].contains(r.value))
            values[i].append(r.value);
    }
    QString joined;
    for (qsizetype i = 0; i < sources.size(); ++i) {
        const QString var = QStringLiteral("$%1_sb%2").arg(s.variable).arg(i);
        out.append(QStringLiteral("map %1 %2 {").arg(sources.at(i), var));
        out.append(QStringLiteral("    default \"\";"));
        for (const QString &v : values.at(i))
            out.append(QStringLiteral("    \"%1\" \"1\";").arg(v));
        out.append(QStringLiteral("}"));
        joined += var;
    }
    if (joined.isEmpty()) {
        // No routes: everyone goes to the weighted upstream (a map needs some source).
        out.append(QStringLiteral("map $scheme $%1 {").arg(s.variable));
    } else {
        out.append(QStringLiteral("map \"%1\" $%2 {").arg(joined, s.variable));
        out.append(QStringLiteral("    \"~1\" %1;").arg(s.canaryUpstream));
    }
    out.append(QStringLiteral("    default %1;").arg(s.defaultUpstream));
    out.append(QStringLiteral("}"));
    return (out.join(QLatin1Char('\n')) + QLatin1Char('\n')).toUtf8();
}

QList<TrafficRoute> NginxRouteFile::parse(const QByteArray &text)
{
    QList<TrafficRoute> out;
    for (const QByteArray &line : text.split('\n')) {
        const QStringList w = QString::fromUtf8(line).trimmed().split(QLatin1Char(' '), Qt::SkipEmptyParts);
        if (w.size() != 5 || w.at(0) != QLatin1String("#") || w.at(1) != QLatin1String("switchboard-route"))
            continue;
        TrafficRoute r;
        r.match = w.at(2) == QLatin1String("cookie") ? TrafficRoute::Match::Cookie : TrafficRoute::Match::Header;
        r.name = w.at(3);
        r.value = w.at(4);
        QString error;
        if (TrafficRoute::validate(r, &error))
            out.append(r);
    }
    return out;
}

} // namespace Switchboard
