#pragma once
// One Pod as the Deployment kinds show it: Ready (serving), starting, or failing with the
// reason Kubernetes gives (a container's waiting reason such as CrashLoopBackOff or
// ImagePullBackOff, else the Ready condition's reason), and which ReplicaSet it belongs to.

#include "domain.h"

#include <QList>
#include <QString>

namespace Switchboard {

class KubeClient;

struct KubePod
{
    QString name;
    QString templateHash; // label pod-template-hash: which ReplicaSet (version) it belongs to
    QString owner;        // the ReplicaSet in ownerReferences ("<deployment>-<hash>")
    QString image;        // of the first container
    bool ready = false;   // condition Ready True: the Service sends it traffic
    bool failing = false; // a waiting reason that will not fix itself (back-off, bad image)
    QString reason;       // why it is not Ready; empty when Ready
    int restarts = 0;

    // Lists the pods of `ns` matching `labelSelector` ("a=b,c=d"), leaving out those being
    // deleted (they take no new requests). False with *error.
    static bool list(KubeClient &client, const QString &ns, const QString &labelSelector, QList<KubePod> *out, QString *error);
    // As a member of the servers line: weight 1 when Ready (serving), 0 otherwise; state
    // UP / starting / DOWN, the reason as its check result.
    Member member(Version version) const;
    // "shop-v2-7d9-abc CrashLoopBackOff (3 restarts)"
    QString describe() const;
    // Whether Deployment `deployment` owns it (through its ReplicaSet "<deployment>-<hash>").
    bool ownedBy(const QString &deployment) const;
};

} // namespace Switchboard
