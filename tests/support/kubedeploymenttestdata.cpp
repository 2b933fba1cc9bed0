#include "kubedeploymenttestdata.h"

#include "kubetestharness.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QThread>

namespace Switchboard::Test {

QString deploymentPath(const QString &name)
{
    return QStringLiteral("/apis/apps/v1/namespaces/shop/deployments/") + name;
}

QByteArray deploymentJson(const QString &name, const QString &track, int replicas, const QString &image, int progressDeadlineSeconds)
{
    return QStringLiteral(R"({"apiVersion":"apps/v1","kind":"Deployment",
      "metadata":{"name":"%1","namespace":"shop","resourceVersion":"100","generation":1,"labels":{"app":"shop"}},
      "spec":{"replicas":%3,"progressDeadlineSeconds":%5,"revisionHistoryLimit":10,
        "selector":{"matchLabels":{"app":"shop","track":"%2"}},
        "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"}},
        "template":{"metadata":{"labels":{"app":"shop","track":"%2"}},
          "spec":{"containers":[{"name":"app","image":"%4","ports":[{"containerPort":8080}],
            "readinessProbe":{"httpGet":{"path":"/health","port":8080},"periodSeconds":2}}]}}},
      "status":{}})")
        .arg(name, track).arg(replicas).arg(image).arg(progressDeadlineSeconds)
        .toUtf8();
}

int specReplicas(const FakeKubeServer &server, const QString &name)
{
    return json(server.resource(deploymentPath(name)))[QStringLiteral("spec")][QStringLiteral("replicas")].toInt(-1);
}

QString imageOf(const FakeKubeServer &server, const QString &name)
{
    return json(server.resource(deploymentPath(name)))[QStringLiteral("spec")][QStringLiteral("template")][QStringLiteral("spec")]
        [QStringLiteral("containers")][0][QStringLiteral("image")].toString();
}

bool waitForReady(FakeKubeServer &server, const QString &name, int ready, int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < timeoutMs) {
        server.reconcileNow();
        const auto history = server.deploymentHistory();
        if (!history.isEmpty() && history.constLast().ready.value(name) == ready)
            return true;
        QThread::msleep(20);
    }
    return false;
}

int fewestReady(const FakeKubeServer &server, qsizetype from)
{
    const auto history = server.deploymentHistory();
    int fewest = std::numeric_limits<int>::max();
    for (qsizetype i = from; i < history.size(); ++i)
        fewest = std::min(fewest, history.at(i).total());
    return fewest;
}

QStringList writesSince(const FakeKubeServer &server, qsizetype from)
{
    QStringList out;
    const auto history = server.deploymentHistory();
    for (qsizetype i = from; i < history.size(); ++i)
        if (history.at(i).event.startsWith(QLatin1String("PATCH")))
            out.append(history.at(i).event);
    return out;
}

QJsonObject deploymentsTarget(const QString &kubeconfig, QJsonObject extra)
{
    QJsonObject s{{QStringLiteral("namespace"), QStringLiteral("shop")}, {QStringLiteral("stable"), QStringLiteral("shop-v1")},
                  {QStringLiteral("canary"), QStringLiteral("shop-v2")}, {QStringLiteral("pollMs"), 50},
                  {QStringLiteral("readyTimeoutMs"), 5000}};
    for (auto it = extra.begin(); it != extra.end(); ++it)
        s.insert(it.key(), it.value());
    return target(QStringLiteral("deployments"), kubeconfig, s);
}

QJsonObject deploymentTarget(const QString &kubeconfig, QJsonObject extra)
{
    QJsonObject s{{QStringLiteral("namespace"), QStringLiteral("shop")}, {QStringLiteral("name"), QStringLiteral("shop")},
                  {QStringLiteral("pollMs"), 50}, {QStringLiteral("readyTimeoutMs"), 8000}};
    for (auto it = extra.begin(); it != extra.end(); ++it)
        s.insert(it.key(), it.value());
    return target(QStringLiteral("deployment"), kubeconfig, s);
}

} // namespace Switchboard::Test
