#include "trafficroute.h"

#include <QJsonValue>
#include <QRegularExpression>

#include <algorithm>

namespace Switchboard {

namespace {

// RFC 9110 token: what a header or cookie name may be.
bool isRouteToken(const QString &s)
{
    static const QRegularExpression token(QStringLiteral("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$"));
    return token.match(s).hasMatch();
}

// A value every layer can write as one word: no control characters, no quotes, no ';' (a cookie
// separator and nginx's statement end), no braces, and no spaces at all (HAProxy's ACL files
// and runtime API split on them).
bool isRouteValue(const QString &s)
{
    static const QRegularExpression value(QStringLiteral("^[\\x21\\x23-\\x2b\\x2d-\\x3a\\x3c-\\x5b\\x5d-\\x7a\\x7c\\x7e]+$"));
    return value.match(s).hasMatch();
}

bool sortedEqual(QList<TrafficRoute> a, QList<TrafficRoute> b)
{
    auto key = [](const TrafficRoute &r) { return r.matchName() + QLatin1Char('\n') + r.name.toLower() + QLatin1Char('\n') + r.value; };
    auto less = [&key](const TrafficRoute &x, const TrafficRoute &y) { return key(x) < key(y); };
    std::sort(a.begin(), a.end(), less);
    std::sort(b.begin(), b.end(), less);
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i)
        if (key(a.at(i)) != key(b.at(i)))
            return false;
    return true;
}

} // namespace

QString TrafficRoute::matchName() const
{
    return match == Match::Header ? QStringLiteral("header") : QStringLiteral("cookie");
}

QString TrafficRoute::describe() const
{
    if (match == Match::Header)
        return QStringLiteral("%1: %2 → canary").arg(name, value);
    return QStringLiteral("cookie %1=%2 → canary").arg(name, value);
}

QJsonObject TrafficRoute::toJson() const
{
    return QJsonObject{{matchName(), name}, {QStringLiteral("value"), value}, {QStringLiteral("to"), QStringLiteral("canary")}};
}

bool TrafficRoute::fromJson(const QJsonObject &o, TrafficRoute *out, QString *error)
{
    TrafficRoute r;
    const bool header = o.contains(QStringLiteral("header"));
    const bool cookie = o.contains(QStringLiteral("cookie"));
    if (header == cookie) {
        *error = QStringLiteral("a route names exactly one of \"header\" or \"cookie\"");
        return false;
    }
    r.match = header ? Match::Header : Match::Cookie;
    r.name = o.value(r.matchName()).toString();
    r.value = o.value(QStringLiteral("value")).toString();
    const QJsonValue to = o.value(QStringLiteral("to"));
    if (!to.isUndefined() && to.toString() != QLatin1String("canary")) {
        *error = QStringLiteral("route \"to\": only \"canary\" is supported");
        return false;
    }
    if (!validate(r, error))
        return false;
    *out = r;
    return true;
}

bool TrafficRoute::parse(Match match, const QString &text, TrafficRoute *out, QString *error)
{
    const qsizetype eq = text.indexOf(QLatin1Char('='));
    TrafficRoute r;
    r.match = match;
    if (eq <= 0) {
        *error = QStringLiteral("expected %1 as NAME=VALUE, got \"%2\"").arg(r.matchName(), text);
        return false;
    }
    r.name = text.left(eq).trimmed();
    r.value = text.mid(eq + 1).trimmed();
    if (!validate(r, error))
        return false;
    *out = r;
    return true;
}

bool TrafficRoute::validate(const TrafficRoute &r, QString *error)
{
    if (!isRouteToken(r.name)) {
        *error = QStringLiteral("route %1 name \"%2\": expected an HTTP token (letters, digits, -, _, ...)").arg(r.matchName(), r.name);
        return false;
    }
    if (!isRouteValue(r.value)) {
        *error = QStringLiteral("route value \"%1\": expected printable characters without spaces, quotes, ';', ',' or '\\'")
                     .arg(r.value);
        return false;
    }
    return true;
}

bool TrafficRoute::sameKey(const TrafficRoute &other) const
{
    if (match != other.match)
        return false;
    return match == Match::Header ? name.compare(other.name, Qt::CaseInsensitive) == 0 : name == other.name;
}

QString describeRoutes(const QList<TrafficRoute> &routes)
{
    if (routes.isEmpty())
        return QStringLiteral("none");
    QStringList parts;
    for (const TrafficRoute &r : routes)
        parts.append(r.describe());
    return parts.join(QStringLiteral(", "));
}

QString RouteEdit::describe() const
{
    switch (op) {
    case Op::Add: return QStringLiteral("add %1").arg(route.describe());
    case Op::Remove:
        return route.value.isEmpty() ? QStringLiteral("remove %1 %2").arg(route.matchName(), route.name)
                                     : QStringLiteral("remove %1").arg(route.describe());
    case Op::Clear: break;
    }
    return QStringLiteral("clear routes");
}

QList<TrafficRoute> RouteEdit::applyTo(const QList<TrafficRoute> &live) const
{
    QList<TrafficRoute> out;
    switch (op) {
    case Op::Clear: return out;
    case Op::Add:
        out = live;
        if (!std::any_of(out.cbegin(), out.cend(), [this](const TrafficRoute &r) { return r.sameKey(route) && r.value == route.value; }))
            out.append(route);
        return out;
    case Op::Remove:
        for (const TrafficRoute &r : live) {
            if (!(r.sameKey(route) && (route.value.isEmpty() || r.value == route.value)))
                out.append(r);
        }
        return out;
    }
    return out;
}

bool RouteEdit::conflictsWith(const QList<TrafficRoute> &live) const
{
    return expected && !sortedEqual(*expected, live);
}

} // namespace Switchboard
