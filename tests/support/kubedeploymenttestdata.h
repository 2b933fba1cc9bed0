#pragma once
// Test scaffolding for the Deployment kinds: apps/v1 Deployments shaped as `kubectl create
// deployment` makes them (plus a readiness probe), their paths in FakeKubeServer, targets.json
// entries, and waits on the fake Deployment controller.

#include "fakekubeserver.h"

#include <QByteArray>
#include <QJsonObject>
#include <QMap>
#include <QString>

namespace Switchboard::Test {

QString deploymentPath(const QString &name);
// A Deployment in namespace shop: pods labelled app=shop, track=`track`, one container "app".
QByteArray deploymentJson(const QString &name, const QString &track, int replicas, const QString &image,
                          int progressDeadlineSeconds = 600);
// The Deployment's spec.replicas, its first container's image, annotations, as stored.
int specReplicas(const FakeKubeServer &server, const QString &name);
QString imageOf(const FakeKubeServer &server, const QString &name);
// Runs the controllers until `name` has `ready` Ready pods (false after `timeoutMs`).
bool waitForReady(FakeKubeServer &server, const QString &name, int ready, int timeoutMs = 10000);
// The fewest Ready pods (all Deployments together) at any moment from history index `from` on.
int fewestReady(const FakeKubeServer &server, qsizetype from);
// The writes (events starting "PATCH") from history index `from` on.
QStringList writesSince(const FakeKubeServer &server, qsizetype from);

// "deployments" and "deployment" targets for `kubeconfig`, fast to poll.
QJsonObject deploymentsTarget(const QString &kubeconfig, QJsonObject extra = {});
QJsonObject deploymentTarget(const QString &kubeconfig, QJsonObject extra = {});

} // namespace Switchboard::Test
