// The kubeconfig reader and the exec credential plugin runner: contexts, clusters and users
// resolved as kubectl does (KUBECONFIG merge, relative paths, data vs file), errors that name the
// file and the missing key and never a secret, and an exec plugin (a shell script) whose answer
// is cached until its expirationTimestamp.

#include "kubeconfig.h"
#include "kubeexeccredential.h"
#include "kubetestharness.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace Switchboard;

namespace {

const char kSecret[] = "s3cr3t-token-value";

// Every file a test puts down goes through the harness's one writer.
QString write(const QDir &dir, const QString &name, const QByteArray &content, bool executable = false)
{
    return Test::writeFile(dir.filePath(name), content, executable);
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// A kubeconfig with one context "dev" -> cluster "dev-cluster" + user "alice"; `cluster` and
// `user` are the YAML lines of their maps (indented by the caller's 4 spaces).
QByteArray kubeconfig(const QByteArray &cluster, const QByteArray &user, const QByteArray &current = "dev")
{
    QByteArray y = "apiVersion: v1\nkind: Config\n";
    if (!current.isEmpty())
        y += "current-context: " + current + "\n";
    y += "clusters:\n- name: dev-cluster\n  cluster:\n" + cluster;
    y += "users:\n- name: alice\n  user:\n" + user;
    y += "contexts:\n- name: dev\n  context:\n    cluster: dev-cluster\n    user: alice\n    namespace: shop\n";
    return y;
}

const QByteArray kServer = "    server: https://127.0.0.1:6443\n";

QProcessEnvironment envWith(const QString &kubeconfigList, const QString &home = QString())
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("KUBECONFIG"));
    if (!kubeconfigList.isEmpty())
        env.insert(QStringLiteral("KUBECONFIG"), kubeconfigList);
    if (!home.isEmpty())
        env.insert(QStringLiteral("HOME"), home);
    return env;
}

qint64 at(const char *iso)
{
    return QDateTime::fromString(QString::fromLatin1(iso), Qt::ISODate).toMSecsSinceEpoch();
}

} // namespace

class TestKubeConfig : public QObject
{
    Q_OBJECT
private slots:
    void resolvesCurrentContext()
    {
        QTemporaryDir dir;
        const QString path = write(dir.path(), QStringLiteral("config"), kubeconfig(kServer, "    token: " + QByteArray(kSecret) + "\n"));
        KubeConfig c;
        QString error;
        QVERIFY2(KubeConfig::load(path, QString(), envWith(QString()), &c, &error), qPrintable(error));
        QCOMPARE(c.contextName, QStringLiteral("dev"));
        QCOMPARE(c.clusterName, QStringLiteral("dev-cluster"));
        QCOMPARE(c.userName, QStringLiteral("alice"));
        QCOMPARE(c.defaultNamespace, QStringLiteral("shop"));
        QCOMPARE(c.server, QStringLiteral("https://127.0.0.1:6443"));
        QCOMPARE(c.token, QLatin1String(kSecret));
        QVERIFY(c.warnings.isEmpty());
        QVERIFY(!c.describe().contains(QLatin1String(kSecret)));
        QVERIFY(c.describe().contains(path));
    }

    void userCredentials_data()
    {
        QTest::addColumn<QByteArray>("user");
        QTest::addColumn<QString>("field");  // which KubeConfig field to look at
        QTest::addColumn<QString>("expected"); // "@/x" means <dir>/x
        const QByteArray pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        const QByteArray key = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";
        QTest::newRow("token") << QByteArray("    token: abc123\n") << "token" << "abc123";
        QTest::newRow("tokenFile, relative") << QByteArray("    tokenFile: secrets/token\n") << "tokenFile" << "@/secrets/token";
        QTest::newRow("token wins over tokenFile") << QByteArray("    token: abc123\n    tokenFile: secrets/token\n") << "tokenFile" << "";
        QTest::newRow("client-certificate-data") << QByteArray("    client-certificate-data: " + pem.toBase64()
                                                                + "\n    client-key-data: " + key.toBase64() + "\n")
                                                 << "clientCertData" << QString::fromLatin1(pem);
        QTest::newRow("client-key-data") << QByteArray("    client-certificate-data: " + pem.toBase64()
                                                        + "\n    client-key-data: " + key.toBase64() + "\n")
                                         << "clientKeyData" << QString::fromLatin1(key);
        QTest::newRow("client-certificate file, relative") << QByteArray("    client-certificate: pki/alice.crt\n    client-key: pki/alice.key\n")
                                                           << "clientCertFile" << "@/pki/alice.crt";
        QTest::newRow("client-key file, absolute") << QByteArray("    client-certificate: pki/alice.crt\n    client-key: @/pki/alice.key\n")
                                                   << "clientKeyFile" << "@/pki/alice.key";
        QTest::newRow("basic auth") << QByteArray("    username: admin\n    password: pw-123\n") << "username" << "admin";
    }

    void userCredentials()
    {
        QFETCH(QByteArray, user);
        QFETCH(QString, field);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        write(dir.path(), QStringLiteral("secrets/token"), "file-token\n");
        write(dir.path(), QStringLiteral("pki/alice.crt"), "cert");
        write(dir.path(), QStringLiteral("pki/alice.key"), "key");
        user.replace("@", dir.path().toUtf8());
        expected.replace(QStringLiteral("@"), dir.path());
        const QString path = write(dir.path(), QStringLiteral("config"), kubeconfig(kServer, user));
        KubeConfig c;
        QString error;
        QVERIFY2(KubeConfig::load(path, QString(), envWith(QString()), &c, &error), qPrintable(error));
        const QMap<QString, QString> fields = {{QStringLiteral("token"), c.token},
                                               {QStringLiteral("tokenFile"), c.tokenFile},
                                               {QStringLiteral("clientCertData"), QString::fromLatin1(c.clientCertData)},
                                               {QStringLiteral("clientKeyData"), QString::fromLatin1(c.clientKeyData)},
                                               {QStringLiteral("clientCertFile"), c.clientCertFile},
                                               {QStringLiteral("clientKeyFile"), c.clientKeyFile},
                                               {QStringLiteral("username"), c.username}};
        QVERIFY(fields.contains(field));
        QCOMPARE(fields.value(field), expected);
    }

    void clusterTrust_data()
    {
        QTest::addColumn<QByteArray>("cluster");
        QTest::addColumn<QString>("caData");
        QTest::addColumn<QString>("caFile"); // "@/x" means <dir>/x
        QTest::addColumn<bool>("insecure");
        const QByteArray ca = "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n";
        QTest::newRow("certificate-authority-data") << QByteArray(kServer + "    certificate-authority-data: " + ca.toBase64() + "\n")
                                                    << QString::fromLatin1(ca) << "" << false;
        QTest::newRow("certificate-authority, relative") << QByteArray(kServer + "    certificate-authority: pki/ca.crt\n")
                                                         << "" << "@/pki/ca.crt" << false;
        QTest::newRow("data wins over file") << QByteArray(kServer + "    certificate-authority: pki/ca.crt\n    certificate-authority-data: "
                                                           + ca.toBase64() + "\n")
                                             << QString::fromLatin1(ca) << "" << false;
        QTest::newRow("insecure-skip-tls-verify") << QByteArray(kServer + "    insecure-skip-tls-verify: true\n") << "" << "" << true;
        QTest::newRow("system trust") << kServer << "" << "" << false;
    }

    void clusterTrust()
    {
        QFETCH(QByteArray, cluster);
        QFETCH(QString, caData);
        QFETCH(QString, caFile);
        QFETCH(bool, insecure);
        QTemporaryDir dir;
        write(dir.path(), QStringLiteral("pki/ca.crt"), "ca");
        caFile.replace(QStringLiteral("@"), dir.path());
        const QString path = write(dir.path(), QStringLiteral("config"), kubeconfig(cluster, "    token: t0k\n"));
        KubeConfig c;
        QString error;
        QVERIFY2(KubeConfig::load(path, QString(), envWith(QString()), &c, &error), qPrintable(error));
        QCOMPARE(QString::fromLatin1(c.caData), caData);
        QCOMPARE(c.caFile, caFile);
        QCOMPARE(c.insecureSkipTlsVerify, insecure);
        // Honoured only with a warning the operator sees, naming the cluster and the file.
        QCOMPARE(c.warnings.size(), insecure ? 1 : 0);
        if (insecure) {
            QVERIFY(c.warnings.first().contains(QStringLiteral("TLS verification is OFF")));
            QVERIFY(c.warnings.first().contains(QStringLiteral("dev-cluster")));
            QVERIFY(c.warnings.first().contains(path));
        }
    }

    void clusterNameAndProxy_data()
    {
        QTest::addColumn<QByteArray>("cluster");
        QTest::addColumn<QString>("tlsServerName");
        QTest::addColumn<QString>("proxyUrl");
        QTest::newRow("neither") << kServer << "" << "";
        QTest::newRow("tls-server-name") << QByteArray(kServer + "    tls-server-name: kube.internal\n") << "kube.internal" << "";
        QTest::newRow("tls-server-name, IP") << QByteArray(kServer + "    tls-server-name: 10.96.0.1\n") << "10.96.0.1" << "";
        QTest::newRow("tls-server-name, IPv6") << QByteArray(kServer + "    tls-server-name: \"fd00::1\"\n") << "fd00::1" << "";
        // kubectl reads an empty proxy-url as none.
        QTest::newRow("empty proxy-url") << QByteArray(kServer + "    proxy-url: \"\"\n") << "" << "";
        QTest::newRow("proxy-url without value") << QByteArray(kServer + "    proxy-url:\n") << "" << "";
        QTest::newRow("http proxy") << QByteArray(kServer + "    proxy-url: http://proxy.corp:3128\n") << "" << "http://proxy.corp:3128";
        QTest::newRow("https proxy with credentials, as written")
            << QByteArray(kServer + "    proxy-url: https://alice:pw@proxy.corp\n") << "" << "https://alice:pw@proxy.corp";
        QTest::newRow("socks5 proxy and tls-server-name")
            << QByteArray(kServer + "    proxy-url: socks5://127.0.0.1:1080\n    tls-server-name: kube.internal\n")
            << "kube.internal" << "socks5://127.0.0.1:1080";
    }

    void clusterNameAndProxy()
    {
        QFETCH(QByteArray, cluster);
        QFETCH(QString, tlsServerName);
        QFETCH(QString, proxyUrl);
        QTemporaryDir dir;
        const QString path = write(dir.path(), QStringLiteral("config"), kubeconfig(cluster, "    token: t0k\n"));
        KubeConfig c;
        QString error;
        QVERIFY2(KubeConfig::load(path, QString(), envWith(QString()), &c, &error), qPrintable(error));
        QCOMPARE(c.tlsServerName, tlsServerName);
        QCOMPARE(c.proxyUrl, proxyUrl);
        QCOMPARE(c.server, QStringLiteral("https://127.0.0.1:6443")); // tls-server-name does not touch the server
        QVERIFY2(c.warnings.isEmpty(), qPrintable(c.warnings.join(QLatin1Char('\n'))));
    }

    void errors_data()
    {
        QTest::addColumn<QByteArray>("yaml");
        QTest::addColumn<QString>("context");
        QTest::addColumn<QStringList>("expected"); // substrings; "@" is the file's path
        const QByteArray token = "    token: " + QByteArray(kSecret) + "\n";
        QTest::newRow("explicit context missing") << kubeconfig(kServer, token) << "prod"
                                                  << QStringList{QStringLiteral("@"), QStringLiteral("context \"prod\" not found"),
                                                                 QStringLiteral("contexts: dev")};
        QTest::newRow("current-context names a missing context") << kubeconfig(kServer, token, "staging") << ""
                                                                 << QStringList{QStringLiteral("@"), QStringLiteral("current-context \"staging\"")};
        QTest::newRow("no current-context") << kubeconfig(kServer, token, "") << ""
                                            << QStringList{QStringLiteral("@"), QStringLiteral("no current-context")};
        QByteArray noCluster = kubeconfig(kServer, token);
        noCluster.replace("cluster: dev-cluster", "cluster: gone");
        QTest::newRow("cluster missing") << noCluster << ""
                                         << QStringList{QStringLiteral("@ line"), QStringLiteral("cluster \"gone\""),
                                                        QStringLiteral("clusters: dev-cluster")};
        QByteArray noUser = kubeconfig(kServer, token);
        noUser.replace("user: alice", "user: bob");
        QTest::newRow("user missing") << noUser << ""
                                      << QStringList{QStringLiteral("@ line"), QStringLiteral("user \"bob\""), QStringLiteral("users: alice")};
        QTest::newRow("server missing") << kubeconfig("    certificate-authority-data: eA==\n", token) << ""
                                        << QStringList{QStringLiteral("@ line"), QStringLiteral("cluster \"dev-cluster\""),
                                                       QStringLiteral("has no \"server\"")};
        QTest::newRow("context without cluster")
            << QByteArray("current-context: dev\ncontexts:\n- name: dev\n  context:\n    user: alice\n") << ""
            << QStringList{QStringLiteral("@ line 3"), QStringLiteral("context \"dev\" has no \"cluster\"")};
        QTest::newRow("certificate without key")
            << kubeconfig(kServer, "    client-certificate-data: eA==\n") << ""
            << QStringList{QStringLiteral("@ line"), QStringLiteral("user \"alice\""), QStringLiteral("no \"client-key\"")};
        QTest::newRow("bad base64, value not shown")
            << kubeconfig(kServer, "    client-certificate-data: " + QByteArray(kSecret) + "!!\n    client-key-data: eA==\n") << ""
            << QStringList{QStringLiteral("client-certificate-data\" is not valid base64")};
        QTest::newRow("CA file missing") << kubeconfig(kServer + "    certificate-authority: nope/ca.crt\n", token) << ""
                                         << QStringList{QStringLiteral("@ line"), QStringLiteral("nope/ca.crt cannot be read")};
        QTest::newRow("insecure and CA") << kubeconfig(kServer + "    insecure-skip-tls-verify: true\n    certificate-authority-data: eA==\n", token)
                                         << "" << QStringList{QStringLiteral("give one, not both")};
        QTest::newRow("auth-provider") << kubeconfig(kServer, "    auth-provider:\n      name: gcp\n") << ""
                                       << QStringList{QStringLiteral("auth-provider"), QStringLiteral("exec")};
        QTest::newRow("exec without interactiveMode")
            << kubeconfig(kServer, "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: get-token\n") << ""
            << QStringList{QStringLiteral("@ line"), QStringLiteral("exec has no \"interactiveMode\"")};
        QTest::newRow("exec without command")
            << kubeconfig(kServer, "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      interactiveMode: Never\n") << ""
            << QStringList{QStringLiteral("exec has no \"command\"")};
        QTest::newRow("exec wanting a terminal")
            << kubeconfig(kServer, "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: x\n      interactiveMode: Always\n")
            << "" << QStringList{QStringLiteral("needs a terminal")};
        QTest::newRow("proxy-url without scheme") << kubeconfig(kServer + "    proxy-url: proxy.corp:3128\n", token) << ""
                                                  << QStringList{QStringLiteral("@ line"), QStringLiteral("cluster \"dev-cluster\""),
                                                                 QStringLiteral("\"proxy-url\" \"proxy.corp:3128\" has no scheme")};
        QTest::newRow("proxy-url other scheme, password not shown")
            << kubeconfig(kServer + "    proxy-url: ftp://alice:" + QByteArray(kSecret) + "@proxy.corp\n", token) << ""
            << QStringList{QStringLiteral("@ line"), QStringLiteral("\"proxy-url\" \"ftp://***"), QStringLiteral("proxy.corp\" has scheme \"ftp\""),
                           QStringLiteral("must be http, https or socks5")};
        QTest::newRow("proxy-url socks5h") << kubeconfig(kServer + "    proxy-url: socks5h://proxy.corp:1080\n", token) << ""
                                           << QStringList{QStringLiteral("has scheme \"socks5h\"")};
        QTest::newRow("proxy-url without host") << kubeconfig(kServer + "    proxy-url: http://:3128\n", token) << ""
                                                << QStringList{QStringLiteral("\"proxy-url\" \"http://:3128\" names no host")};
        QTest::newRow("proxy-url with path") << kubeconfig(kServer + "    proxy-url: http://proxy.corp:3128/pac\n", token) << ""
                                             << QStringList{QStringLiteral("no path, query or fragment")};
        QTest::newRow("proxy-url not a string") << kubeconfig(kServer + "    proxy-url: [http://proxy.corp]\n", token) << ""
                                                << QStringList{QStringLiteral("@ line"), QStringLiteral("\"proxy-url\" must be a string")};
        QTest::newRow("tls-server-name with port") << kubeconfig(kServer + "    tls-server-name: kube.internal:6443\n", token) << ""
                                                   << QStringList{QStringLiteral("@ line"), QStringLiteral("cluster \"dev-cluster\""),
                                                                  QStringLiteral("\"tls-server-name\" must be a host name or IP address"),
                                                                  QStringLiteral("got \"kube.internal:6443\"")};
        QTest::newRow("tls-server-name URL") << kubeconfig(kServer + "    tls-server-name: https://kube.internal\n", token) << ""
                                             << QStringList{QStringLiteral("\"tls-server-name\" must be a host name")};
        QTest::newRow("not YAML") << QByteArray("clusters: [\n  - {name: a\n") << ""
                                  << QStringList{QStringLiteral("@ line"), QStringLiteral("not valid YAML")};
    }

    void errors()
    {
        QFETCH(QByteArray, yaml);
        QFETCH(QString, context);
        QFETCH(QStringList, expected);
        QTemporaryDir dir;
        const QString path = write(dir.path(), QStringLiteral("config"), yaml);
        KubeConfig c;
        QString error;
        QVERIFY(!KubeConfig::load(path, context, envWith(QString()), &c, &error));
        for (QString e : expected) {
            e.replace(QStringLiteral("@"), path);
            QVERIFY2(error.contains(e), qPrintable(QStringLiteral("\"%1\" lacks \"%2\"").arg(error, e)));
        }
        QVERIFY2(!error.contains(QLatin1String(kSecret)), qPrintable(error));
    }

    void kubeconfigListIsMergedFirstWins()
    {
        QTemporaryDir dir;
        const QString a = write(dir.path(), QStringLiteral("a/config"),
                                "current-context: dev\n"
                                "clusters:\n- name: c1\n  cluster:\n    server: https://a.example:6443\n"
                                "users:\n- name: u1\n  user:\n    token: from-a\n"
                                "contexts:\n- name: dev\n  context:\n    cluster: c1\n    user: u1\n");
        const QString b = write(dir.path(), QStringLiteral("b/config"),
                                "current-context: other\n"
                                "clusters:\n- name: c1\n  cluster:\n    server: https://b.example:6443\n"
                                "- name: c2\n  cluster:\n    server: https://c2.example:6443\n    certificate-authority: ca.crt\n"
                                "users:\n- name: u1\n  user:\n    token: from-b\n- name: u2\n  user:\n    tokenFile: token\n"
                                "contexts:\n- name: dev\n  context:\n    cluster: c2\n    user: u2\n"
                                "- name: other\n  context:\n    cluster: c2\n    user: u2\n    namespace: ops\n");
        write(dir.path(), QStringLiteral("b/ca.crt"), "ca");
        write(dir.path(), QStringLiteral("b/token"), "t");
        const QString list = a + QStringLiteral(":") + dir.filePath(QStringLiteral("missing/config")) + QStringLiteral(":") + b;

        KubeConfig c;
        QString error;
        // current-context from the first file that sets it; "dev" as the first file defines it.
        QVERIFY2(KubeConfig::load(QString(), QString(), envWith(list), &c, &error), qPrintable(error));
        QCOMPARE(c.files, (QStringList{a, b})); // the missing one is skipped, as kubectl does
        QCOMPARE(c.contextName, QStringLiteral("dev"));
        QCOMPARE(c.server, QStringLiteral("https://a.example:6443"));
        QCOMPARE(c.token, QStringLiteral("from-a"));
        // A context only the second file has, with paths relative to that file.
        QVERIFY2(KubeConfig::load(QString(), QStringLiteral("other"), envWith(list), &c, &error), qPrintable(error));
        QCOMPARE(c.server, QStringLiteral("https://c2.example:6443"));
        QCOMPARE(c.caFile, dir.filePath(QStringLiteral("b/ca.crt")));
        QCOMPARE(c.tokenFile, dir.filePath(QStringLiteral("b/token")));
        QCOMPARE(c.defaultNamespace, QStringLiteral("ops"));
        QCOMPARE(c.contextFile, b);
        // The explicit file wins over KUBECONFIG.
        QVERIFY2(KubeConfig::load(b, QString(), envWith(list), &c, &error), qPrintable(error));
        QCOMPARE(c.contextName, QStringLiteral("other"));
        // Nothing in the list exists.
        QVERIFY(!KubeConfig::load(QString(), QString(), envWith(dir.filePath(QStringLiteral("x"))), &c, &error));
        QVERIFY(error.contains(QStringLiteral("none of the files in KUBECONFIG exists")));
        // An explicit file must exist.
        QVERIFY(!KubeConfig::load(dir.filePath(QStringLiteral("nope")), QString(), envWith(list), &c, &error));
        QVERIFY(error.contains(QStringLiteral("no such kubeconfig file")));
    }

    void defaultsToHomeKubeConfig()
    {
        QTemporaryDir dir;
        write(dir.path(), QStringLiteral(".kube/config"), kubeconfig(kServer, "    token: t\n"));
        KubeConfig c;
        QString error;
        QVERIFY2(KubeConfig::load(QString(), QString(), envWith(QString(), dir.path()), &c, &error), qPrintable(error));
        QCOMPARE(c.files, QStringList{dir.path() + QStringLiteral("/.kube/config")});
        // "~/" in an explicit path is the same home.
        QVERIFY2(KubeConfig::load(QStringLiteral("~/.kube/config"), QString(), envWith(QString(), dir.path()), &c, &error),
                 qPrintable(error));
    }

    void execPluginIsCachedUntilExpiry()
    {
        QTemporaryDir dir;
        // The plugin counts its runs and leaves its arguments and KUBERNETES_EXEC_INFO behind.
        write(dir.path(), QStringLiteral("bin/get-token.sh"),
              "#!/bin/sh\n"
              "n=$(cat \"$COUNTER\" 2>/dev/null || echo 0); n=$((n+1)); echo $n > \"$COUNTER\"\n"
              "printf '%s' \"$KUBERNETES_EXEC_INFO\" > \"$INFO_OUT\"\n"
              "echo \"$@\" > \"$ARGS_OUT\"\n"
              "printf '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",'\n"
              "printf '\"status\":{\"token\":\"exec-token-%s\",\"expirationTimestamp\":\"2030-01-01T00:00:00Z\"}}' $n\n",
              true);
        const QByteArray user = "    exec:\n"
                                "      apiVersion: client.authentication.k8s.io/v1\n"
                                "      command: ./bin/get-token.sh\n"
                                "      args: [get-token, --cluster, dev]\n"
                                "      interactiveMode: Never\n"
                                "      provideClusterInfo: true\n"
                                "      env:\n"
                                "      - {name: COUNTER, value: " + dir.filePath(QStringLiteral("runs")).toUtf8() + "}\n"
                                "      - {name: INFO_OUT, value: " + dir.filePath(QStringLiteral("info.json")).toUtf8() + "}\n"
                                "      - {name: ARGS_OUT, value: " + dir.filePath(QStringLiteral("args")).toUtf8() + "}\n";
        const QString path = write(dir.path(), QStringLiteral("config"), kubeconfig(kServer + "    tls-server-name: kube.internal\n    proxy-url: http://proxy.corp:3128\n", user));
        KubeConfig c;
        QString error;
        QVERIFY2(KubeConfig::load(path, QString(), envWith(QString()), &c, &error), qPrintable(error));
        QVERIFY(c.exec.has_value());
        QCOMPARE(c.exec->command, dir.filePath(QStringLiteral("bin/get-token.sh"))); // relative to the kubeconfig

        qint64 now = at("2029-12-31T23:00:00Z");
        KubeExecCredential exec(c, envWith(QString()), 10000, [&now] { return now; });
        KubeExecCredential::Credential cred;
        QVERIFY2(exec.get(&cred, &error), qPrintable(error));
        QCOMPARE(cred.token, QStringLiteral("exec-token-1"));
        QCOMPARE(cred.expiresMs, at("2030-01-01T00:00:00Z"));
        QCOMPARE(readAll(dir.filePath(QStringLiteral("args"))).trimmed(), QByteArray("get-token --cluster dev"));
        const QJsonObject info = QJsonDocument::fromJson(readAll(dir.filePath(QStringLiteral("info.json")))).object();
        QCOMPARE(info.value(QStringLiteral("apiVersion")).toString(), QStringLiteral("client.authentication.k8s.io/v1"));
        QCOMPARE(info.value(QStringLiteral("kind")).toString(), QStringLiteral("ExecCredential"));
        const QJsonObject spec = info.value(QStringLiteral("spec")).toObject();
        QCOMPARE(spec.value(QStringLiteral("interactive")).toBool(true), false);
        QCOMPARE(spec.value(QStringLiteral("cluster")).toObject().value(QStringLiteral("server")).toString(),
                 QStringLiteral("https://127.0.0.1:6443"));
        // The cluster as the plugin sees it carries tls-server-name and proxy-url, as client-go's.
        QCOMPARE(spec.value(QStringLiteral("cluster")).toObject().value(QStringLiteral("tls-server-name")).toString(),
                 QStringLiteral("kube.internal"));
        QCOMPARE(spec.value(QStringLiteral("cluster")).toObject().value(QStringLiteral("proxy-url")).toString(),
                 QStringLiteral("http://proxy.corp:3128"));

        // Cached until (shortly before) the expiry: the plugin does not run again.
        now = at("2029-12-31T23:59:00Z");
        QVERIFY2(exec.get(&cred, &error), qPrintable(error));
        QCOMPARE(cred.token, QStringLiteral("exec-token-1"));
        QCOMPARE(readAll(dir.filePath(QStringLiteral("runs"))).trimmed(), QByteArray("1"));
        QCOMPARE(exec.runs(), 1);
        // Within the renewal margin: it runs again.
        now = at("2030-01-01T00:00:00Z") - KubeExecCredential::kRenewBeforeMs;
        QVERIFY2(exec.get(&cred, &error), qPrintable(error));
        QCOMPARE(cred.token, QStringLiteral("exec-token-2"));
        QCOMPARE(readAll(dir.filePath(QStringLiteral("runs"))).trimmed(), QByteArray("2"));
        // A 401 drops the cache.
        now = at("2029-12-31T23:00:00Z");
        exec.invalidate();
        QVERIFY2(exec.get(&cred, &error), qPrintable(error));
        QCOMPARE(cred.token, QStringLiteral("exec-token-3"));
        QCOMPARE(exec.runs(), 3);
    }

    void execPluginClientCertificateWithoutExpiry()
    {
        QTemporaryDir dir;
        write(dir.path(), QStringLiteral("plugin.sh"),
              "#!/bin/sh\n"
              "n=$(cat \"$0.runs\" 2>/dev/null || echo 0); echo $((n+1)) > \"$0.runs\"\n"
              "echo '{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\",'\n"
              "echo '\"status\":{\"clientCertificateData\":\"CERT-PEM\",\"clientKeyData\":\"KEY-PEM\"}}'\n",
              true);
        const QByteArray user = "    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: " + dir.filePath(QStringLiteral("plugin.sh")).toUtf8() + "\n";
        KubeConfig c;
        QString error;
        QVERIFY2(KubeConfig::load(write(dir.path(), QStringLiteral("config"), kubeconfig(kServer, user)), QString(), envWith(QString()), &c, &error),
                 qPrintable(error));
        qint64 now = at("2029-01-01T00:00:00Z");
        KubeExecCredential exec(c, envWith(QString()), 10000, [&now] { return now; });
        KubeExecCredential::Credential cred;
        QVERIFY2(exec.get(&cred, &error), qPrintable(error));
        QCOMPARE(cred.clientCertData, QByteArray("CERT-PEM"));
        QCOMPARE(cred.clientKeyData, QByteArray("KEY-PEM"));
        QCOMPARE(cred.expiresMs, 0);
        now = at("2040-01-01T00:00:00Z"); // no expiry given: kept until a 401
        QVERIFY2(exec.get(&cred, &error), qPrintable(error));
        QCOMPARE(exec.runs(), 1);
    }

    void execPluginFailures_data()
    {
        QTest::addColumn<QByteArray>("script"); // empty: the command does not exist
        QTest::addColumn<int>("timeoutMs");
        QTest::addColumn<QString>("expected");
        const QByteArray v1 = "client.authentication.k8s.io/v1";
        QTest::newRow("exit code") << QByteArray("echo 'starting' >&2; echo 'token expired: run mycloud login' >&2; exit 3")
                                   << 10000 << "failed (exit code 3): token expired: run mycloud login";
        QTest::newRow("not JSON") << QByteArray("echo " + QByteArray(kSecret)) << 10000 << "printed no ExecCredential JSON";
        QTest::newRow("wrong kind") << QByteArray("echo '{\"apiVersion\":\"" + v1 + "\",\"kind\":\"Token\",\"status\":{\"token\":\""
                                                  + kSecret + "\"}}'")
                                    << 10000 << "printed kind \"Token\"";
        QTest::newRow("wrong apiVersion") << QByteArray("echo '{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\","
                                                        "\"status\":{\"token\":\"" + QByteArray(kSecret) + "\"}}'")
                                          << 10000 << "answered in client.authentication.k8s.io/v1beta1";
        QTest::newRow("no status") << QByteArray("echo '{\"apiVersion\":\"" + v1 + "\",\"kind\":\"ExecCredential\"}'") << 10000
                                   << "without \"status\"";
        QTest::newRow("key without certificate") << QByteArray("echo '{\"apiVersion\":\"" + v1 + "\",\"kind\":\"ExecCredential\","
                                                               "\"status\":{\"clientKeyData\":\"" + QByteArray(kSecret) + "\"}}'")
                                                 << 10000 << "returned clientKeyData without clientCertificateData";
        QTest::newRow("bad expiry") << QByteArray("echo '{\"apiVersion\":\"" + v1 + "\",\"kind\":\"ExecCredential\","
                                                  "\"status\":{\"token\":\"" + QByteArray(kSecret) + "\",\"expirationTimestamp\":\"soon\"}}'")
                                    << 10000 << "not RFC 3339";
        QTest::newRow("timeout") << QByteArray("exec sleep 20") << 300 << "did not finish within 0.3 s (timeout)";
        QTest::newRow("missing command") << QByteArray() << 10000 << "cannot run exec plugin \"no-such-plugin\"";
    }

    void execPluginFailures()
    {
        QFETCH(QByteArray, script);
        QFETCH(int, timeoutMs);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const QString command = script.isEmpty() ? dir.filePath(QStringLiteral("no-such-plugin"))
                                                 : write(dir.path(), QStringLiteral("plugin.sh"), "#!/bin/sh\n" + script + "\n", true);
        const QByteArray user = "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      interactiveMode: IfAvailable\n"
                                "      installHint: install it with 'apt-get install no-such-plugin'\n"
                                "      command: " + command.toUtf8() + "\n";
        KubeConfig c;
        QString error;
        QVERIFY2(KubeConfig::load(write(dir.path(), QStringLiteral("config"), kubeconfig(kServer, user)), QString(), envWith(QString()), &c, &error),
                 qPrintable(error));
        KubeExecCredential exec(c, envWith(QString()), timeoutMs);
        KubeExecCredential::Credential cred;
        QVERIFY(!exec.get(&cred, &error));
        QVERIFY2(error.contains(expected), qPrintable(error));
        QVERIFY2(error.contains(QStringLiteral("user \"alice\"")), qPrintable(error));
        QVERIFY2(!error.contains(QLatin1String(kSecret)), qPrintable(error));
        if (script.isEmpty())
            QVERIFY2(error.contains(QStringLiteral("apt-get install no-such-plugin")), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestKubeConfig)
#include "tst_kubeconfig.moc"
