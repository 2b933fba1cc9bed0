#include "kubelistreader.h"

#include <QDateTime>

#include <nlohmann/json.hpp>

namespace Switchboard {

namespace {

using json = nlohmann::json;

constexpr qint64 retryListAfterMs = 60 * 1000;

// Who reads: a list is shared only between clients that see the same (same server, same user).
QString identity(const KubeClient &client)
{
    const KubeConfig &c = client.config();
    return c.server + QLatin1Char('\n') + c.contextName + QLatin1Char('\n') + c.userName + QLatin1Char('\n')
           + c.files.join(QLatin1Char(':')) + QLatin1Char('\n');
}

} // namespace

KubeListReader &KubeListReader::forThread()
{
    thread_local KubeListReader reader;
    return reader;
}

bool KubeListReader::split(const QString &path, QString *collection, QString *name)
{
    // .../namespaces/NS/PLURAL/NAME, with nothing after NAME (no subresource, no query).
    const QStringList parts = path.split(QLatin1Char('/'));
    const qsizetype ns = parts.lastIndexOf(QStringLiteral("namespaces"));
    if (ns < 0 || parts.size() != ns + 4 || path.contains(QLatin1Char('?')) || parts.constLast().isEmpty())
        return false;
    *name = parts.constLast();
    *collection = parts.mid(0, ns + 3).join(QLatin1Char('/'));
    return true;
}

void KubeListReader::drop(const QString &collection)
{
    for (auto it = m_collections.begin(); it != m_collections.end();) {
        if (it.key().endsWith(QLatin1Char('\n') + collection))
            it = m_collections.erase(it);
        else
            ++it;
    }
}

void KubeListReader::noteWrite(const QString &path)
{
    QString collection;
    QString name;
    QString p = path.section(QLatin1Char('?'), 0, 0);
    if (p.endsWith(QLatin1String("/status")) || p.endsWith(QLatin1String("/scale")))
        p = p.section(QLatin1Char('/'), 0, -2);
    if (split(p, &collection, &name))
        forThread().drop(collection);
    else
        forThread().drop(p); // a collection itself (a create)
}

KubeClient::Reply KubeListReader::get(KubeClient &client, const QString &objectPath, int maxAgeMs, qint64 *readAtMs)
{
    QString collectionPath;
    QString name;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    auto direct = [&] {
        ++m_fallbacks;
        if (readAtMs)
            *readAtMs = QDateTime::currentMSecsSinceEpoch();
        return client.get(objectPath);
    };
    if (!split(objectPath, &collectionPath, &name))
        return direct();
    if (maxAgeMs <= 0) {
        // A fresh read (a change's own): from now on a cached list would show older data than
        // it, so the next refresh reads the server again too (after a conflict, say).
        drop(collectionPath);
        return direct();
    }
    Collection &c = m_collections[identity(client) + collectionPath];
    if (c.refusedAtMs > 0 && now - c.refusedAtMs < retryListAfterMs)
        return direct();
    // Each client (a target) at most once per list: its next refresh is always newer than its
    // last, so a target polling faster than maxAgeMs, or reading again at once, sees the server.
    if (c.readAtMs == 0 || now - c.readAtMs > maxAgeMs || c.served.contains(&client)) {
        ++m_lists;
        const KubeClient::Reply list = client.get(collectionPath);
        const json o = list.ok() ? json::parse(list.body.constData(), list.body.constData() + list.body.size(), nullptr, false)
                                 : json();
        const auto items = o.is_object() ? o.find("items") : o.end();
        if (!list.ok() && list.error != KubeClient::Reply::Error::Forbidden && list.error != KubeClient::Reply::Error::NotFound) {
            // The server is unreachable, slow or failing: a GET would fare no better and cost
            // another timeout. The failed request (the list) is the one the message names.
            c = Collection{};
            if (readAtMs)
                *readAtMs = QDateTime::currentMSecsSinceEpoch();
            return list;
        }
        if (!list.ok() || !o.is_object() || items == o.end() || !items->is_array()) {
            // Not allowed to list (RBAC may grant get alone), no such collection, or an answer
            // that is not a list: GETs, as before, for a minute.
            c = Collection{};
            c.refusedAtMs = now;
            return direct();
        }
        c.items.clear();
        c.served.clear();
        c.readAtMs = QDateTime::currentMSecsSinceEpoch();
        c.refusedAtMs = 0;
        for (const json &item : *items) {
            const auto meta = item.find("metadata");
            if (meta == item.end() || !meta->is_object() || !meta->contains("name") || !(*meta)["name"].is_string())
                continue;
            c.items.insert(QString::fromStdString((*meta)["name"].get<std::string>()), QByteArray::fromStdString(item.dump()));
        }
    }
    const auto found = c.items.constFind(name);
    if (found == c.items.cend())
        return direct(); // created since, or not there: the server says which
    c.served.insert(&client);
    KubeClient::Reply r;
    r.httpStatus = 200;
    r.body = *found;
    if (readAtMs)
        *readAtMs = c.readAtMs;
    return r;
}

} // namespace Switchboard
