#include "kubeexeccredential.h"

#include <QDateTime>
#include <QFileInfo>
#include <QProcess>

#include <nlohmann/json.hpp>

namespace Switchboard {

namespace {

using json = nlohmann::json;

// The last non-empty line of the plugin's stderr, bounded: plugins explain failures there.
QString stderrLine(const QByteArray &err)
{
    const QList<QByteArray> lines = err.trimmed().split('\n');
    QString s = QString::fromUtf8(lines.isEmpty() ? QByteArray() : lines.last()).trimmed();
    if (s.size() > 200)
        s = s.left(200) + QStringLiteral("...");
    return s;
}

QString secondsText(int ms)
{
    return QString::number(ms / 1000.0, 'f', 1) + QStringLiteral(" s");
}

} // namespace

KubeExecCredential::KubeExecCredential(const KubeConfig &config, QProcessEnvironment env, int timeoutMs, Clock clock)
    : m_exec(config.exec.value_or(KubeExecConfig{}))
    , m_user(config.userName)
    , m_userFile(config.userFile)
    , m_server(config.server)
    , m_caData(config.caData)
    , m_insecure(config.insecureSkipTlsVerify)
    , m_tlsServerName(config.tlsServerName)
    , m_proxyUrl(config.proxyUrl)
    , m_env(std::move(env))
    , m_timeoutMs(timeoutMs)
    , m_clock(clock ? std::move(clock) : Clock([] { return QDateTime::currentMSecsSinceEpoch(); }))
{
}

void KubeExecCredential::invalidate()
{
    m_cached = false;
    m_credential = {};
}

bool KubeExecCredential::get(Credential *out, QString *error)
{
    if (m_cached && (m_credential.expiresMs == 0 || m_clock() < m_credential.expiresMs - kRenewBeforeMs)) {
        *out = m_credential;
        return true;
    }
    Credential fresh;
    if (!run(&fresh, error)) {
        invalidate();
        return false;
    }
    m_credential = fresh;
    m_cached = true;
    *out = fresh;
    return true;
}

QByteArray KubeExecCredential::execInfo() const
{
    json spec = {{"interactive", false}};
    if (m_exec.provideClusterInfo) {
        json cluster = {{"server", m_server.toStdString()}};
        if (!m_caData.isEmpty())
            cluster["certificate-authority-data"] = m_caData.toBase64().toStdString();
        if (m_insecure)
            cluster["insecure-skip-tls-verify"] = true;
        if (!m_tlsServerName.isEmpty())
            cluster["tls-server-name"] = m_tlsServerName.toStdString();
        if (!m_proxyUrl.isEmpty())
            cluster["proxy-url"] = m_proxyUrl.toStdString(); // ExecCredential's Cluster carries it too
        spec["cluster"] = cluster;
    }
    const json info = {{"apiVersion", m_exec.apiVersion.toStdString()}, {"kind", "ExecCredential"}, {"spec", spec}};
    return QByteArray::fromStdString(info.dump());
}

bool KubeExecCredential::run(Credential *out, QString *error)
{
    ++m_runs;
    const QString who = QStringLiteral("exec plugin \"%1\" of user \"%2\" (%3)")
                            .arg(QFileInfo(m_exec.command).fileName(), m_user, m_userFile);
    QProcessEnvironment env = m_env;
    for (const auto &[name, value] : std::as_const(m_exec.env))
        env.insert(name, value);
    env.insert(QStringLiteral("KUBERNETES_EXEC_INFO"), QString::fromUtf8(execInfo()));

    QProcess p;
    p.setProcessEnvironment(env);
    p.setProgram(m_exec.command);
    p.setArguments(m_exec.args);
    // No terminal behind us: a plugin that wants to prompt must fail, not wait for input.
    p.setStandardInputFile(QProcess::nullDevice());
    p.start();
    if (!p.waitForStarted(m_timeoutMs)) {
        *error = QStringLiteral("cannot run %1: %2%3")
                     .arg(who, p.errorString(),
                          m_exec.installHint.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(m_exec.installHint.simplified()));
        return false;
    }
    if (!p.waitForFinished(m_timeoutMs)) {
        p.kill();
        p.waitForFinished(1000);
        *error = QStringLiteral("%1 did not finish within %2 (timeout)").arg(who, secondsText(m_timeoutMs));
        return false;
    }
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        const QString why = stderrLine(p.readAllStandardError());
        *error = QStringLiteral("%1 failed (%2)%3")
                     .arg(who,
                          p.exitStatus() == QProcess::NormalExit ? QStringLiteral("exit code %1").arg(p.exitCode())
                                                                 : QStringLiteral("crashed"),
                          why.isEmpty() ? QString() : QStringLiteral(": ") + why);
        return false;
    }

    // The output holds the secret: errors below describe its shape, never its content.
    const QByteArray stdoutData = p.readAllStandardOutput();
    const json doc = json::parse(stdoutData.constData(), stdoutData.constData() + stdoutData.size(), nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        *error = QStringLiteral("%1 printed no ExecCredential JSON").arg(who);
        return false;
    }
    auto str = [](const json &o, const char *key) {
        const auto it = o.find(key);
        return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    const std::string kind = str(doc, "kind");
    const std::string apiVersion = str(doc, "apiVersion");
    if (kind != "ExecCredential") {
        *error = QStringLiteral("%1 printed kind \"%2\", expected ExecCredential").arg(who, QString::fromStdString(kind));
        return false;
    }
    if (QString::fromStdString(apiVersion) != m_exec.apiVersion) {
        *error = QStringLiteral("%1 answered in %2, but the kubeconfig asks for %3")
                     .arg(who, QString::fromStdString(apiVersion), m_exec.apiVersion);
        return false;
    }
    const auto status = doc.find("status");
    if (status == doc.end() || !status->is_object()) {
        *error = QStringLiteral("%1 printed an ExecCredential without \"status\"").arg(who);
        return false;
    }
    auto text = [&](const char *key) { return str(*status, key); };
    Credential c;
    c.token = QString::fromStdString(text("token"));
    c.clientCertData = QByteArray::fromStdString(text("clientCertificateData"));
    c.clientKeyData = QByteArray::fromStdString(text("clientKeyData"));
    if (c.clientCertData.isEmpty() != c.clientKeyData.isEmpty()) {
        *error = QStringLiteral("%1 returned %2 without %3")
                     .arg(who, c.clientCertData.isEmpty() ? QStringLiteral("clientKeyData") : QStringLiteral("clientCertificateData"),
                          c.clientCertData.isEmpty() ? QStringLiteral("clientCertificateData") : QStringLiteral("clientKeyData"));
        return false;
    }
    if (c.token.isEmpty() && c.clientCertData.isEmpty()) {
        *error = QStringLiteral("%1 returned neither status.token nor status.clientCertificateData").arg(who);
        return false;
    }
    if (const std::string expiry = text("expirationTimestamp"); !expiry.empty()) {
        const QDateTime t = QDateTime::fromString(QString::fromStdString(expiry), Qt::ISODateWithMs);
        if (!t.isValid()) {
            *error = QStringLiteral("%1 returned an expirationTimestamp that is not RFC 3339: \"%2\"")
                         .arg(who, QString::fromStdString(expiry));
            return false;
        }
        c.expiresMs = t.toMSecsSinceEpoch();
    }
    *out = c;
    return true;
}

} // namespace Switchboard
