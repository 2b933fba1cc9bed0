#pragma once
// Runs a kubeconfig exec credential plugin (client.authentication.k8s.io ExecCredential) and
// caches what it returns until its expirationTimestamp, the way client-go does: the plugin
// gets KUBERNETES_EXEC_INFO, no terminal and a bounded time; a 401 drops the cache.
// Blocking; meant for a backend's worker thread.

#include "kubeconfig.h"

#include <QByteArray>
#include <QProcessEnvironment>
#include <QString>

#include <functional>

namespace Switchboard {

class KubeExecCredential final
{
public:
    struct Credential
    {
        QString token;
        QByteArray clientCertData; // PEM
        QByteArray clientKeyData;  // PEM
        qint64 expiresMs = 0;      // 0: no expiry given, kept until a 401
    };
    using Clock = std::function<qint64()>; // ms since epoch

    // `config` is the resolved kubeconfig whose `exec` is set; `env` is the environment the
    // plugin inherits (the exec "env" entries are added to it). `clock` defaults to the wall clock.
    KubeExecCredential(const KubeConfig &config, QProcessEnvironment env, int timeoutMs = 30000, Clock clock = {});

    // The cached credential while it is valid, else a fresh one from the plugin.
    bool get(Credential *out, QString *error);
    // Forgets the cached credential (the server answered 401 with it).
    void invalidate();
    // How many times the plugin ran, for tests and diagnostics.
    int runs() const { return m_runs; }

    // A credential is renewed this long before it expires, so a request never carries one that
    // runs out on the way.
    static constexpr qint64 kRenewBeforeMs = 10000;

private:
    bool run(Credential *out, QString *error);
    QByteArray execInfo() const;

    KubeExecConfig m_exec;
    QString m_user;
    QString m_userFile;
    QString m_server;
    QByteArray m_caData;
    bool m_insecure = false;
    QString m_tlsServerName;
    QString m_proxyUrl;
    QProcessEnvironment m_env;
    int m_timeoutMs;
    Clock m_clock;
    bool m_cached = false;
    Credential m_credential;
    int m_runs = 0;
};

} // namespace Switchboard
