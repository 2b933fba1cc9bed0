#include "kubetesterrule.h"

#include <QRegularExpression>

namespace Switchboard {

using json = nlohmann::json;

namespace {

QString regexEscapeForRoute(const QString &s)
{
    QString out;
    for (const QChar c : s) {
        if (QStringLiteral(".^$*+?()[]{}|\\/-").contains(c))
            out += QLatin1Char('\\');
        out += c;
    }
    return out;
}

std::string kubeTesterText(const json &holder, const char *key)
{
    const auto it = holder.find(key);
    return it != holder.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A cookie route back from its regex, if the regex is one cookieRegex() wrote.
bool cookieFromRegex(const QString &regex, TrafficRoute *out)
{
    static const QRegularExpression ours(QStringLiteral("^\\^\\(\\.\\*\\?;\\)\\?\\\\s\\*(.+?)=(.+)\\(;\\.\\*\\)\\?\\$$"));
    const QRegularExpressionMatch m = ours.match(regex);
    if (!m.hasMatch())
        return false;
    static const QRegularExpression escape(QStringLiteral("\\\\(.)"));
    out->match = TrafficRoute::Match::Cookie;
    out->name = QString(m.captured(1)).replace(escape, QStringLiteral("\\1"));
    out->value = QString(m.captured(2)).replace(escape, QStringLiteral("\\1"));
    return true;
}

void addUnique(QList<TrafficRoute> *list, const TrafficRoute &r)
{
    for (const TrafficRoute &x : std::as_const(*list))
        if (x.sameKey(r) && x.value == r.value)
            return;
    list->append(r);
}

} // namespace

KubeTesterRule::KubeTesterRule(Dialect dialect, int weightedIndex, std::function<bool(const json &)> isCanary)
    : m_dialect(dialect)
    , m_weightedIndex(weightedIndex)
    , m_isCanary(std::move(isCanary))
{
}

const char *KubeTesterRule::arrayKey() const
{
    return m_dialect == Dialect::GatewayApi ? "rules" : "http";
}

bool KubeTesterRule::isOurs(const json &entry)
{
    return entry.is_object() && kubeTesterText(entry, "name") == kName;
}

QString KubeTesterRule::cookieRegex(const TrafficRoute &route)
{
    return QStringLiteral("^(.*?;)?\\s*%1=%2(;.*)?$").arg(regexEscapeForRoute(route.name), regexEscapeForRoute(route.value));
}

json KubeTesterRule::withoutOurs(const json &object) const
{
    json out = object;
    const auto spec = out.find("spec");
    if (spec == out.end() || !spec->is_object() || !spec->contains(arrayKey()) || !(*spec)[arrayKey()].is_array())
        return out;
    json kept = json::array();
    for (const json &e : (*spec)[arrayKey()])
        if (!isOurs(e))
            kept.push_back(e);
    (*spec)[arrayKey()] = kept;
    return out;
}

QList<TrafficRoute> KubeTesterRule::routes(const json &object) const
{
    QList<TrafficRoute> out;
    const auto spec = object.find("spec");
    if (spec == object.end() || !spec->is_object() || !spec->contains(arrayKey()) || !(*spec)[arrayKey()].is_array())
        return out;
    for (const json &e : (*spec)[arrayKey()]) {
        if (!isOurs(e))
            continue;
        const char *matchKey = m_dialect == Dialect::GatewayApi ? "matches" : "match";
        if (!e.contains(matchKey) || !e[matchKey].is_array())
            continue;
        for (const json &m : e[matchKey]) {
            if (!m.is_object() || !m.contains("headers"))
                continue;
            const json &headers = m["headers"];
            if (m_dialect == Dialect::GatewayApi && headers.is_array()) {
                for (const json &h : headers) {
                    const QString name = QString::fromStdString(kubeTesterText(h, "name"));
                    const QString value = QString::fromStdString(kubeTesterText(h, "value"));
                    const std::string type = kubeTesterText(h, "type");
                    TrafficRoute r;
                    if (type == "RegularExpression" && name.compare(QLatin1String("cookie"), Qt::CaseInsensitive) == 0) {
                        if (cookieFromRegex(value, &r))
                            addUnique(&out, r);
                    } else if (type.empty() || type == "Exact") {
                        addUnique(&out, {TrafficRoute::Match::Header, name, value});
                    }
                }
            } else if (m_dialect == Dialect::Istio && headers.is_object()) {
                for (auto it = headers.begin(); it != headers.end(); ++it) {
                    const QString name = QString::fromStdString(it.key());
                    TrafficRoute r;
                    if (name == QLatin1String("cookie") && it->contains("regex")) {
                        if (cookieFromRegex(QString::fromStdString(kubeTesterText(*it, "regex")), &r))
                            addUnique(&out, r);
                    } else if (it->contains("exact")) {
                        addUnique(&out, {TrafficRoute::Match::Header, name, QString::fromStdString(kubeTesterText(*it, "exact"))});
                    }
                }
            }
        }
    }
    return out;
}

json KubeTesterRule::entryFor(const json &weighted, const QList<TrafficRoute> &routes) const
{
    const bool gateway = m_dialect == Dialect::GatewayApi;
    const char *matchKey = gateway ? "matches" : "match";
    json base = weighted.contains(matchKey) && weighted[matchKey].is_array() && !weighted[matchKey].empty() ? weighted[matchKey]
                                                                                                           : json::array({json::object()});
    json matches = json::array();
    for (const json &m : base) {
        for (const TrafficRoute &r : routes) {
            json one = m;
            const bool cookie = r.match == TrafficRoute::Match::Cookie;
            if (gateway) {
                if (!one.contains("headers") || !one["headers"].is_array())
                    one["headers"] = json::array();
                one["headers"].push_back(cookie ? json{{"type", "RegularExpression"}, {"name", "Cookie"}, {"value", cookieRegex(r).toStdString()}}
                                                : json{{"type", "Exact"}, {"name", r.name.toStdString()}, {"value", r.value.toStdString()}});
            } else {
                if (!one.contains("headers") || !one["headers"].is_object())
                    one["headers"] = json::object();
                // Istio matches header names in lower case only.
                if (cookie)
                    one["headers"]["cookie"] = json{{"regex", cookieRegex(r).toStdString()}};
                else
                    one["headers"][r.name.toLower().toStdString()] = json{{"exact", r.value.toStdString()}};
            }
            matches.push_back(one);
        }
    }
    // The canary's backendRefs / destinations as the weighted entry has them, sharing equally.
    const char *targetsKey = gateway ? "backendRefs" : "route";
    json targets = json::array();
    for (const json &t : weighted[targetsKey])
        if (m_isCanary(t))
            targets.push_back(t);
    const int n = int(targets.size());
    for (int i = 0; i < n; ++i) {
        if (gateway)
            targets[size_t(i)]["weight"] = 1;
        else if (n == 1)
            targets[size_t(i)].erase("weight");
        else
            targets[size_t(i)]["weight"] = 100 / n + (i < 100 % n ? 1 : 0);
    }
    json entry{{"name", kName}, {matchKey, matches}, {targetsKey, targets}};
    return entry;
}

bool KubeTesterRule::rebuild(const json &object, const QList<TrafficRoute> &routes, json *array, QString *error) const
{
    const json foreign = withoutOurs(object);
    const auto spec = foreign.find("spec");
    if (spec == foreign.end() || !spec->contains(arrayKey()) || !(*spec)[arrayKey()].is_array()
        || m_weightedIndex >= int((*spec)[arrayKey()].size())) {
        *error = QStringLiteral("spec.%1 has no entry %2 (the weighted one)").arg(QLatin1String(arrayKey())).arg(m_weightedIndex);
        return false;
    }
    const json &entries = (*spec)[arrayKey()];
    const json &weighted = entries[size_t(m_weightedIndex)];
    const char *targetsKey = m_dialect == Dialect::GatewayApi ? "backendRefs" : "route";
    if (!routes.isEmpty() && (!weighted.contains(targetsKey) || !weighted[targetsKey].is_array()
                              || std::none_of(weighted[targetsKey].begin(), weighted[targetsKey].end(), m_isCanary))) {
        *error = QStringLiteral("the weighted entry has no canary %1 to send testers to").arg(QLatin1String(targetsKey));
        return false;
    }
    // Istio takes the first matching route: ours goes first. The Gateway API ranks header
    // matches above plain ones anyway; ours goes just ahead of the weighted rule.
    const int at = m_dialect == Dialect::Istio ? 0 : m_weightedIndex;
    *array = json::array();
    for (int i = 0; i < int(entries.size()); ++i) {
        if (i == at && !routes.isEmpty())
            array->push_back(entryFor(weighted, routes));
        array->push_back(entries[size_t(i)]);
    }
    return true;
}

} // namespace Switchboard
