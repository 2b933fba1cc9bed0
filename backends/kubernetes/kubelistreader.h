#pragma once
// One LIST per namespace and kind for the periodic reads of every target on one thread. The
// Kubernetes targets of one cluster (same kubeconfig and context) share a traffic thread
// (LayerParts::sharedServerKey); each polled its own object with a GET every second, so 100
// HTTPRoutes in one namespace cost the API server 100 requests a second. A refresh now reads its
// object out of a list of its collection no older than maxAgeMs, shared by every target of the
// thread that reads the same collection as the same user, each at most once (a target's next
// refresh is always newer than its last): about two lists a second per namespace and kind at
// the default 1 s poll, whatever the number of targets.
//
// The way back is not cached: a change reads the object itself (GET) before its guarded write,
// and every write through a KubeClient on this thread drops the cached list of its collection
// (noteWrite), so the refresh after a change reads the server again. Where the list cannot
// serve (RBAC allows `get` but not `list`: Forbidden; no such collection; the object is not in
// it), the object is read with a GET as before, so messages stay the server's own; a refused
// list is tried again after a minute. A list that fails otherwise (unreachable, timeout, 401,
// 5xx) is the refresh's failure, named as the list: a GET would cost another timeout.

#include "kubeclient.h"

#include <QHash>
#include <QSet>

namespace Switchboard {

class KubeListReader final
{
public:
    // How old a list a periodic refresh takes (ms): targets poll every second by default, so
    // one list serves every target of a collection that polls within half a second of it.
    static constexpr int refreshMaxAgeMs = 500;

    // The calling thread's reader.
    static KubeListReader &forThread();

    // `objectPath` (/apis/G/V/namespaces/NS/PLURAL/NAME or /api/v1/...) as a GET would answer
    // it; *readAtMs (may be null) gets when the answer left the server (ms since the epoch): a
    // cached list's time, not now, so the data's age stays true. maxAgeMs 0: a GET of the
    // object, which also drops the cached list of its collection (a change reads fresh, and
    // what follows it must not show older data).
    KubeClient::Reply get(KubeClient &client, const QString &objectPath, int maxAgeMs, qint64 *readAtMs = nullptr);

    // Drops the cached list of the collection `path` (an object, its status, or the collection)
    // belongs to. KubeClient calls it for every write.
    static void noteWrite(const QString &path);

    // Lists and single GETs made by this reader (for the tests).
    int lists() const { return m_lists; }
    int fallbacks() const { return m_fallbacks; }

private:
    struct Collection
    {
        qint64 readAtMs = 0;
        qint64 refusedAtMs = 0; // the list failed: GETs until a minute after this
        QHash<QString, QByteArray> items; // name -> the object as JSON
        QSet<const KubeClient *> served;  // the clients this list has answered
    };
    // The collection an object path is in, and the object's name; false for other paths.
    static bool split(const QString &path, QString *collection, QString *name);
    void drop(const QString &collection);

    QHash<QString, Collection> m_collections; // identity + collection path
    int m_lists = 0;
    int m_fallbacks = 0;
};

} // namespace Switchboard
