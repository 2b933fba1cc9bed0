#include "kubeconfig.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QMap>
#include <QRegularExpression>
#include <QUrl>

#include <yaml-cpp/yaml.h>

namespace Switchboard {

namespace {

// One named entry (cluster, user or context) and where it was found.
struct Entry
{
    YAML::Node body; // the "cluster" / "user" / "context" map
    QString file;
    int line = 0; // 1-based, of the entry's "name"
};

struct Merged
{
    QMap<QString, Entry> clusters;
    QMap<QString, Entry> users;
    QMap<QString, Entry> contexts;
    QString currentContext;
    QString currentContextFile;
    QStringList files;
};

QString q(const std::string &s)
{
    return QString::fromStdString(s);
}

int lineOf(const YAML::Node &n)
{
    return n.Mark().line + 1;
}

QString at(const QString &file, const YAML::Node &n)
{
    const int line = lineOf(n);
    return line > 0 ? QStringLiteral("%1 line %2").arg(file).arg(line) : file;
}

QString absoluteFrom(const QString &file, const QString &path)
{
    if (path.isEmpty() || QDir::isAbsolutePath(path))
        return path;
    return QDir::cleanPath(QDir(QFileInfo(file).absolutePath()).absoluteFilePath(path));
}

QString expandHome(const QString &path, const QProcessEnvironment &env)
{
    if (path == QStringLiteral("~") || path.startsWith(QStringLiteral("~/")))
        return env.value(QStringLiteral("HOME"), QDir::homePath()) + path.mid(1);
    return path;
}

// A string value under `key`; false when present but not a scalar.
bool scalar(const YAML::Node &map, const char *key, QString *out)
{
    const YAML::Node v = map[key];
    if (!v || v.IsNull())
        return true;
    if (!v.IsScalar())
        return false;
    *out = q(v.Scalar());
    return true;
}

bool boolean(const YAML::Node &map, const char *key, bool *out)
{
    const YAML::Node v = map[key];
    if (!v || v.IsNull())
        return true;
    try {
        *out = v.as<bool>();
        return true;
    } catch (const YAML::Exception &) {
        return false;
    }
}

// tls-server-name is a bare name, as Go's tls.Config.ServerName: a DNS name or an IP address, no
// scheme, port or path (those would silently never match a certificate).
bool isServerName(const QString &name)
{
    static const QRegularExpression dns(QStringLiteral("^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?\\.?$"));
    return dns.match(name).hasMatch() || !QHostAddress(name).isNull();
}

// `url` with anything between "scheme://" and the last '@' hidden: a proxy password never
// reaches a message, even from a value too broken to parse.
QString withoutUserInfo(const QString &url)
{
    const qsizetype scheme = url.indexOf(QStringLiteral("://"));
    const qsizetype start = scheme < 0 ? 0 : scheme + 3;
    const qsizetype at = url.lastIndexOf(QLatin1Char('@'));
    return at >= start ? url.left(start) + QStringLiteral("***") + url.mid(at) : url;
}

// proxy-url as client-go accepts it: an http, https or socks5 URL naming a host. Anything else
// (no scheme, a path, a typo in the scheme) is refused rather than guessed at.
bool checkProxyUrl(const QString &text, QString *why)
{
    if (!text.contains(QStringLiteral("://"))) {
        *why = QStringLiteral("has no scheme (expected e.g. http://proxy.example:3128)");
        return false;
    }
    const QUrl url(text, QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    if (!url.isValid() || scheme.isEmpty()) {
        *why = QStringLiteral("is not a URL (expected e.g. http://proxy.example:3128)");
        return false;
    }
    if (scheme != QStringLiteral("http") && scheme != QStringLiteral("https") && scheme != QStringLiteral("socks5")) {
        *why = QStringLiteral("has scheme \"%1\": must be http, https or socks5").arg(scheme);
        return false;
    }
    if (url.host().isEmpty()) {
        *why = QStringLiteral("names no host");
        return false;
    }
    if ((!url.path().isEmpty() && url.path() != QStringLiteral("/")) || url.hasQuery() || url.hasFragment()) {
        *why = QStringLiteral("must be scheme://host[:port] with no path, query or fragment");
        return false;
    }
    return true;
}

// Parses one file's clusters/users/contexts into `m`, keeping entries already there (the
// first file to define a name wins, as with kubectl).
bool mergeDocument(const QByteArray &yaml, const QString &file, Merged *m, QString *error)
{
    YAML::Node root;
    try {
        root = YAML::Load(yaml.toStdString());
    } catch (const YAML::ParserException &e) {
        *error = QStringLiteral("%1 line %2: not valid YAML: %3").arg(file).arg(e.mark.line + 1).arg(q(e.msg));
        return false;
    }
    m->files.append(file);
    if (!root || root.IsNull())
        return true; // an empty kubeconfig is allowed, like kubectl
    if (!root.IsMap()) {
        *error = QStringLiteral("%1: expected a kubeconfig (a map with clusters, users, contexts)").arg(file);
        return false;
    }
    struct Section
    {
        const char *list;
        const char *body;
        QMap<QString, Entry> *into;
    };
    const Section sections[] = {{"clusters", "cluster", &m->clusters},
                                {"users", "user", &m->users},
                                {"contexts", "context", &m->contexts}};
    for (const Section &s : sections) {
        const YAML::Node list = root[s.list];
        if (!list || list.IsNull())
            continue;
        if (!list.IsSequence()) {
            *error = QStringLiteral("%1: \"%2\" must be a list").arg(at(file, list), QLatin1String(s.list));
            return false;
        }
        for (const YAML::Node &item : list) {
            QString name;
            if (!item.IsMap() || !scalar(item, "name", &name) || name.isEmpty()) {
                *error = QStringLiteral("%1: an entry of \"%2\" has no \"name\"").arg(at(file, item), QLatin1String(s.list));
                return false;
            }
            if (s.into->contains(name))
                continue;
            YAML::Node body = item[s.body];
            if (body && !body.IsNull() && !body.IsMap()) {
                *error = QStringLiteral("%1: %2 \"%3\": \"%2\" must be a map")
                             .arg(at(file, body), QLatin1String(s.body), name);
                return false;
            }
            s.into->insert(name, Entry{body ? body : YAML::Node(YAML::NodeType::Map), file, lineOf(item)});
        }
    }
    if (m->currentContext.isEmpty()) {
        QString current;
        if (!scalar(root, "current-context", &current)) {
            *error = QStringLiteral("%1: \"current-context\" must be a string").arg(file);
            return false;
        }
        if (!current.isEmpty()) {
            m->currentContext = current;
            m->currentContextFile = file;
        }
    }
    return true;
}

QString where(const Entry &e)
{
    return e.line > 0 ? QStringLiteral("%1 line %2").arg(e.file).arg(e.line) : e.file;
}

QString names(const QMap<QString, Entry> &map)
{
    return map.isEmpty() ? QStringLiteral("none") : map.keys().join(QStringLiteral(", "));
}

// base64 *-data fields; the value never goes into a message.
bool decodeData(const Entry &e, const char *kind, const QString &name, const char *key, QByteArray *out,
                QString *error)
{
    QString text;
    if (!scalar(e.body, key, &text)) {
        *error = QStringLiteral("%1: %2 \"%3\": \"%4\" must be a base64 string")
                     .arg(where(e), QLatin1String(kind), name, QLatin1String(key));
        return false;
    }
    if (text.isEmpty())
        return true;
    QByteArray compact = text.toLatin1();
    compact.replace('\n', QByteArray()).replace('\r', QByteArray()).replace(' ', QByteArray());
    auto decoded = QByteArray::fromBase64Encoding(compact, QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.isEmpty()) {
        *error = QStringLiteral("%1: %2 \"%3\": \"%4\" is not valid base64")
                     .arg(where(e), QLatin1String(kind), name, QLatin1String(key));
        return false;
    }
    *out = decoded.decoded;
    return true;
}

bool readExec(const Entry &e, const QString &user, KubeExecConfig *exec, QString *error)
{
    const YAML::Node n = e.body["exec"];
    const QString prefix = QStringLiteral("%1: user \"%2\": exec").arg(where(e), user);
    if (!n.IsMap()) {
        *error = prefix + QStringLiteral(": must be a map with \"command\" and \"apiVersion\"");
        return false;
    }
    if (!scalar(n, "command", &exec->command) || exec->command.isEmpty()) {
        *error = prefix + QStringLiteral(" has no \"command\"");
        return false;
    }
    // kubectl resolves a relative command against the kubeconfig only when it has a slash;
    // a bare name is looked up in PATH.
    if (exec->command.contains(QLatin1Char('/')))
        exec->command = absoluteFrom(e.file, exec->command);
    if (!scalar(n, "apiVersion", &exec->apiVersion) || exec->apiVersion.isEmpty()) {
        *error = prefix + QStringLiteral(" has no \"apiVersion\" (client.authentication.k8s.io/v1)");
        return false;
    }
    if (exec->apiVersion != QStringLiteral("client.authentication.k8s.io/v1")
        && exec->apiVersion != QStringLiteral("client.authentication.k8s.io/v1beta1")) {
        *error = prefix + QStringLiteral(".apiVersion \"%1\" is not supported (client.authentication.k8s.io/v1 or v1beta1)")
                              .arg(exec->apiVersion);
        return false;
    }
    if (const YAML::Node args = n["args"]; args && !args.IsNull()) {
        if (!args.IsSequence()) {
            *error = prefix + QStringLiteral(".args must be a list of strings");
            return false;
        }
        for (const YAML::Node &a : args) {
            if (!a.IsScalar()) {
                *error = prefix + QStringLiteral(".args must be a list of strings");
                return false;
            }
            exec->args.append(q(a.Scalar()));
        }
    }
    if (const YAML::Node env = n["env"]; env && !env.IsNull()) {
        if (!env.IsSequence()) {
            *error = prefix + QStringLiteral(".env must be a list of {name, value}");
            return false;
        }
        for (const YAML::Node &v : env) {
            QString name;
            QString value;
            if (!v.IsMap() || !scalar(v, "name", &name) || name.isEmpty() || !scalar(v, "value", &value)) {
                *error = prefix + QStringLiteral(".env: every entry needs a \"name\" and a \"value\"");
                return false;
            }
            exec->env.append({name, value});
        }
    }
    scalar(n, "installHint", &exec->installHint);
    if (!boolean(n, "provideClusterInfo", &exec->provideClusterInfo)) {
        *error = prefix + QStringLiteral(".provideClusterInfo must be true or false");
        return false;
    }
    scalar(n, "interactiveMode", &exec->interactiveMode);
    if (exec->interactiveMode.isEmpty() && exec->apiVersion.endsWith(QStringLiteral("/v1"))) {
        *error = prefix + QStringLiteral(" has no \"interactiveMode\" (required with client.authentication.k8s.io/v1; use Never)");
        return false;
    }
    if (exec->interactiveMode == QStringLiteral("Always")) {
        *error = prefix + QStringLiteral(".interactiveMode is Always: the plugin needs a terminal, which switchboard does not give it");
        return false;
    }
    return true;
}

bool resolve(const Merged &m, const QString &wanted, KubeConfig *out, QString *error)
{
    const QString files = m.files.join(QStringLiteral(", "));
    if (m.files.isEmpty()) {
        *error = QStringLiteral("no kubeconfig file found");
        return false;
    }
    KubeConfig c;
    c.files = m.files;
    c.contextName = wanted.isEmpty() ? m.currentContext : wanted;
    if (c.contextName.isEmpty()) {
        *error = QStringLiteral("%1: no current-context, and the target names no \"context\"").arg(files);
        return false;
    }
    const auto ctx = m.contexts.constFind(c.contextName);
    if (ctx == m.contexts.cend()) {
        *error = wanted.isEmpty()
            ? QStringLiteral("%1: current-context \"%2\" is not among its contexts (%3)")
                  .arg(m.currentContextFile, c.contextName, names(m.contexts))
            : QStringLiteral("%1: context \"%2\" not found (contexts: %3)").arg(files, c.contextName, names(m.contexts));
        return false;
    }
    c.contextFile = ctx->file;
    if (!scalar(ctx->body, "cluster", &c.clusterName) || c.clusterName.isEmpty()) {
        *error = QStringLiteral("%1: context \"%2\" has no \"cluster\"").arg(where(*ctx), c.contextName);
        return false;
    }
    if (!scalar(ctx->body, "user", &c.userName)) {
        *error = QStringLiteral("%1: context \"%2\": \"user\" must be a string").arg(where(*ctx), c.contextName);
        return false;
    }
    scalar(ctx->body, "namespace", &c.defaultNamespace);

    const auto cl = m.clusters.constFind(c.clusterName);
    if (cl == m.clusters.cend()) {
        *error = QStringLiteral("%1: context \"%2\" names cluster \"%3\", which is not defined in %4 (clusters: %5)")
                     .arg(where(*ctx), c.contextName, c.clusterName, files, names(m.clusters));
        return false;
    }
    c.clusterFile = cl->file;
    const QString clusterWhere = QStringLiteral("%1: cluster \"%2\"").arg(where(*cl), c.clusterName);
    if (!scalar(cl->body, "server", &c.server) || c.server.trimmed().isEmpty()) {
        *error = clusterWhere + QStringLiteral(" has no \"server\"");
        return false;
    }
    c.server = c.server.trimmed();
    if (!c.server.contains(QStringLiteral("://")))
        c.server.prepend(QStringLiteral("https://")); // kubectl's default scheme
    if (!c.server.startsWith(QStringLiteral("https://")) && !c.server.startsWith(QStringLiteral("http://"))) {
        *error = clusterWhere + QStringLiteral(": \"server\" must be an https:// (or http://) URL, got \"%1\"").arg(c.server);
        return false;
    }
    while (c.server.endsWith(QLatin1Char('/')))
        c.server.chop(1);
    if (!decodeData(*cl, "cluster", c.clusterName, "certificate-authority-data", &c.caData, error))
        return false;
    if (!scalar(cl->body, "certificate-authority", &c.caFile)) {
        *error = clusterWhere + QStringLiteral(": \"certificate-authority\" must be a path");
        return false;
    }
    c.caFile = absoluteFrom(cl->file, c.caFile);
    if (!c.caData.isEmpty())
        c.caFile.clear(); // kubectl: the data wins over the file
    if (!c.caFile.isEmpty() && !QFileInfo(c.caFile).isReadable()) {
        *error = clusterWhere + QStringLiteral(": certificate-authority %1 cannot be read").arg(c.caFile);
        return false;
    }
    if (!boolean(cl->body, "insecure-skip-tls-verify", &c.insecureSkipTlsVerify)) {
        *error = clusterWhere + QStringLiteral(": \"insecure-skip-tls-verify\" must be true or false");
        return false;
    }
    if (c.insecureSkipTlsVerify && (!c.caData.isEmpty() || !c.caFile.isEmpty())) {
        // kubectl refuses this combination too: one of the two settings is a mistake.
        *error = clusterWhere + QStringLiteral(": certificate-authority and insecure-skip-tls-verify: give one, not both");
        return false;
    }
    if (c.insecureSkipTlsVerify && c.server.startsWith(QStringLiteral("https://")))
        c.warnings.append(QStringLiteral("TLS verification is OFF for %1 (insecure-skip-tls-verify in cluster \"%2\", %3)")
                              .arg(c.server, c.clusterName, cl->file));
    if (!scalar(cl->body, "tls-server-name", &c.tlsServerName)) {
        *error = clusterWhere + QStringLiteral(": \"tls-server-name\" must be a string");
        return false;
    }
    c.tlsServerName = c.tlsServerName.trimmed();
    if (!c.tlsServerName.isEmpty() && !isServerName(c.tlsServerName)) {
        *error = clusterWhere + QStringLiteral(": \"tls-server-name\" must be a host name or IP address (no scheme, port or path), got \"%1\"")
                                    .arg(c.tlsServerName);
        return false;
    }
    if (cl->body["proxy-url"]) {
        // Empty counts as absent (the environment's proxy, if any), as in kubectl: a kubeconfig
        // that works there must work here.
        if (!scalar(cl->body, "proxy-url", &c.proxyUrl)) {
            *error = clusterWhere + QStringLiteral(": \"proxy-url\" must be a string");
            return false;
        }
        c.proxyUrl = c.proxyUrl.trimmed();
        QString why;
        if (!c.proxyUrl.isEmpty() && !checkProxyUrl(c.proxyUrl, &why)) {
            *error = clusterWhere + QStringLiteral(": \"proxy-url\" \"%1\" %2").arg(withoutUserInfo(c.proxyUrl), why);
            return false;
        }
    }

    if (c.userName.isEmpty()) {
        *out = c; // no user: anonymous, which some local clusters allow
        return true;
    }
    const auto us = m.users.constFind(c.userName);
    if (us == m.users.cend()) {
        *error = QStringLiteral("%1: context \"%2\" names user \"%3\", which is not defined in %4 (users: %5)")
                     .arg(where(*ctx), c.contextName, c.userName, files, names(m.users));
        return false;
    }
    c.userFile = us->file;
    const QString userWhere = QStringLiteral("%1: user \"%2\"").arg(where(*us), c.userName);
    if (us->body["auth-provider"]) {
        *error = userWhere + QStringLiteral(" uses \"auth-provider\", which kubectl dropped in 1.26: use an \"exec\" plugin (e.g. kubelogin, gke-gcloud-auth-plugin)");
        return false;
    }
    if (!decodeData(*us, "user", c.userName, "client-certificate-data", &c.clientCertData, error)
        || !decodeData(*us, "user", c.userName, "client-key-data", &c.clientKeyData, error))
        return false;
    if (!scalar(us->body, "client-certificate", &c.clientCertFile) || !scalar(us->body, "client-key", &c.clientKeyFile)
        || !scalar(us->body, "token", &c.token) || !scalar(us->body, "tokenFile", &c.tokenFile)
        || !scalar(us->body, "username", &c.username) || !scalar(us->body, "password", &c.password)) {
        *error = userWhere + QStringLiteral(": client-certificate, client-key, token, tokenFile, username and password must be strings");
        return false;
    }
    c.clientCertFile = absoluteFrom(us->file, c.clientCertFile);
    c.clientKeyFile = absoluteFrom(us->file, c.clientKeyFile);
    c.tokenFile = absoluteFrom(us->file, c.tokenFile);
    if (!c.clientCertData.isEmpty())
        c.clientCertFile.clear();
    if (!c.clientKeyData.isEmpty())
        c.clientKeyFile.clear();
    const bool hasCert = !c.clientCertData.isEmpty() || !c.clientCertFile.isEmpty();
    const bool hasKey = !c.clientKeyData.isEmpty() || !c.clientKeyFile.isEmpty();
    if (hasCert != hasKey) {
        *error = userWhere + (hasCert ? QStringLiteral(" has a client certificate but no \"client-key\" / \"client-key-data\"")
                                      : QStringLiteral(" has a client key but no \"client-certificate\" / \"client-certificate-data\""));
        return false;
    }
    for (const QString &f : {c.clientCertFile, c.clientKeyFile, c.tokenFile}) {
        if (!f.isEmpty() && !QFileInfo(f).isReadable()) {
            *error = userWhere + QStringLiteral(": %1 cannot be read").arg(f);
            return false;
        }
    }
    if (!c.token.isEmpty())
        c.tokenFile.clear(); // kubectl: an inline token wins over tokenFile
    if (us->body["exec"]) {
        KubeExecConfig exec;
        if (!readExec(*us, c.userName, &exec, error))
            return false;
        c.exec = exec;
    }
    *out = c;
    return true;
}

} // namespace

QString KubeConfig::describe() const
{
    const QString file = userFile.isEmpty() ? contextFile : userFile;
    if (userName.isEmpty())
        return QStringLiteral("context \"%1\" (%2)").arg(contextName, file);
    return QStringLiteral("context \"%1\" (user \"%2\" in %3)").arg(contextName, userName, file);
}

bool KubeConfig::load(const QString &explicitPath, const QString &context, const QProcessEnvironment &env,
                      KubeConfig *out, QString *error)
{
    QStringList candidates;
    bool mustExist = false;
    if (!explicitPath.isEmpty()) {
        candidates.append(expandHome(explicitPath, env));
        mustExist = true;
    } else if (const QString list = env.value(QStringLiteral("KUBECONFIG")); !list.isEmpty()) {
        for (const QString &p : list.split(QLatin1Char(':'), Qt::SkipEmptyParts)) {
            const QString abs = QFileInfo(expandHome(p, env)).absoluteFilePath();
            if (!candidates.contains(abs))
                candidates.append(abs);
        }
    } else {
        candidates.append(env.value(QStringLiteral("HOME"), QDir::homePath()) + QStringLiteral("/.kube/config"));
        mustExist = true;
    }

    Merged m;
    for (const QString &path : std::as_const(candidates)) {
        QFile f(path);
        if (!f.exists()) {
            // kubectl skips KUBECONFIG entries that do not exist; a named file must.
            if (mustExist) {
                *error = QStringLiteral("%1: no such kubeconfig file").arg(path);
                return false;
            }
            continue;
        }
        if (!f.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("%1: cannot read: %2").arg(path, f.errorString());
            return false;
        }
        if (!mergeDocument(f.readAll(), path, &m, error))
            return false;
    }
    if (m.files.isEmpty()) {
        *error = QStringLiteral("none of the files in KUBECONFIG exists (%1)").arg(candidates.join(QStringLiteral(", ")));
        return false;
    }
    return resolve(m, context, out, error);
}

} // namespace Switchboard
