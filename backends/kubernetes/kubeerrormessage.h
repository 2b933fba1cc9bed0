#pragma once
// What a Kubernetes API request's outcome means for the operator: the error kind and the one
// line that names the server, context, cluster, user or proxy to look at, and carries the
// server's Status message. A pure function of the transfer's result and the request's context
// (nothing is redacted here: KubeClient redacts secrets before a message leaves it).

#include "curleasy.h"
#include "kubeclient.h"
#include "kuberoute.h"

namespace Switchboard {

struct KubeErrorMessage
{
    const KubeConfig &config;
    const KubeRoute &route;
    QByteArray method;              // "GET", "PATCH"
    QString path;                   // the API path
    bool clientCertificate = false; // one was offered (file, data or from an exec plugin)
    int connectTimeoutMs = 5000;
    int timeoutMs = 10000;
    qint64 maxResponseBytes = 0;

    // The reply for `result`: httpStatus and body as received; for a 2xx answer no error, else
    // error, message and (from a Status answer) reason.
    KubeClient::Reply reply(const CurlEasy::Result &result) const;

private:
    bool proxyFailure(const CurlEasy::Result &result, KubeClient::Reply *r) const;
    void transferFailure(const CurlEasy::Result &result, KubeClient::Reply *r) const;
    void httpFailure(const CurlEasy::Result &result, KubeClient::Reply *r) const;
    QString proxy() const;
    QString request() const;
};

} // namespace Switchboard
