#include "haproxyruntime.h"

#include "weightplan.h"

#include <QDeadlineTimer>
#include <QJsonArray>
#include <QLocalSocket>
#include <QRegularExpression>
#include <QSet>
#include <QTcpSocket>

#include <algorithm>
#include <memory>

namespace Switchboard {

namespace {

// sun_path is 108 bytes with the terminating NUL.
constexpr int maxUnixPathBytes = 107;

// HAProxy's error answers start with one of these (haproxy 2.6 src/cli.c, src/server.c,
// src/stats.c). Successful `set weight` answers nothing, so for it any text is an error anyway;
// this list lets us recognise errors in answers that do carry text.
const char *const errorPrefixes[] = {
    "No such server.",
    "No such backend.",
    "No such proxy.",
    "No such frontend.",
    "Absolute weight can only be between",
    "Relative weight can only be set",
    "Relative weight too large",
    "Backend is using a static LB algorithm",
    "Empty weight string",
    "Require 'backend/server'",
    "Unknown command",
    "Permission denied",
    "Can't ",
    "Invalid ",
};

bool isErrorLine(const QString &line)
{
    for (const char *p : errorPrefixes)
        if (line.startsWith(QLatin1String(p)))
            return true;
    return false;
}

// HAProxy quotes a CSV field only when it holds a comma or a quote (csv_enc()).
QStringList splitCsvLine(const QString &line)
{
    // The common line has no quoted cell at all: split as it is, without a copy per character.
    if (!line.contains(QLatin1Char('"')))
        return line.split(QLatin1Char(','));
    QStringList out;
    QString cur;
    bool quoted = false;
    for (qsizetype i = 0; i < line.size(); ++i) {
        const QChar c = line.at(i);
        if (quoted) {
            if (c == QLatin1Char('"')) {
                if (i + 1 < line.size() && line.at(i + 1) == QLatin1Char('"')) {
                    cur.append(c);
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                cur.append(c);
            }
        } else if (c == QLatin1Char('"')) {
            quoted = true;
        } else if (c == QLatin1Char(',')) {
            out.append(cur);
            cur.clear();
        } else {
            cur.append(c);
        }
    }
    out.append(cur);
    return out;
}

// The column index of a `show stat` header line. HAProxy prints the same header in every answer
// of one version, and building the index (some 130 names) costs more than the rest of a parse:
// each thread keeps the last one and reuses it while the header text is the same.
std::shared_ptr<const QHash<QString, qsizetype>> statColumns(const QString &headerLine)
{
    thread_local QString lastLine;
    thread_local std::shared_ptr<const QHash<QString, qsizetype>> last;
    if (last && headerLine == lastLine)
        return last;
    QStringList header = splitCsvLine(headerLine.mid(2));
    // Every line ends in a comma: the last "column" is empty.
    while (!header.isEmpty() && header.constLast().isEmpty())
        header.removeLast();
    auto columns = std::make_shared<QHash<QString, qsizetype>>();
    columns->reserve(header.size());
    for (qsizetype c = 0; c < header.size(); ++c)
        columns->insert(header.at(c), c);
    lastLine = headerLine;
    last = std::move(columns);
    return last;
}

QString tcpError(QAbstractSocket::SocketError e, const QString &fallback)
{
    switch (e) {
    case QAbstractSocket::ConnectionRefusedError: return QStringLiteral("connection refused");
    case QAbstractSocket::HostNotFoundError: return QStringLiteral("host not found");
    case QAbstractSocket::RemoteHostClosedError: return QStringLiteral("connection closed by HAProxy");
    case QAbstractSocket::NetworkError: return QStringLiteral("network error (%1)").arg(fallback);
    default: return fallback;
    }
}

QString localError(QLocalSocket::LocalSocketError e, const QString &fallback)
{
    switch (e) {
    case QLocalSocket::ServerNotFoundError: return QStringLiteral("no socket at this path");
    case QLocalSocket::ConnectionRefusedError: return QStringLiteral("connection refused (nothing listens on the socket)");
    case QLocalSocket::SocketAccessError: return QStringLiteral("permission denied");
    case QLocalSocket::PeerClosedError: return QStringLiteral("connection closed by HAProxy");
    default: return fallback;
    }
}

// QLocalSocket and QTcpSocket share QIODevice but not their connect/state API.
class Connection
{
public:
    explicit Connection(const HaproxyEndpoint &e)
    {
        if (e.kind == HaproxyEndpoint::Kind::Unix)
            m_local = std::make_unique<QLocalSocket>();
        else
            m_tcp = std::make_unique<QTcpSocket>();
    }
    ~Connection()
    {
        // Never leave a runtime socket open: HAProxy's CLI has a small connection limit.
        if (m_local)
            m_local->abort();
        if (m_tcp)
            m_tcp->abort();
    }
    Connection(const Connection &) = delete;
    Connection &operator=(const Connection &) = delete;

    QIODevice *device() const { return m_local ? static_cast<QIODevice *>(m_local.get()) : m_tcp.get(); }

    void connectTo(const HaproxyEndpoint &e)
    {
        if (m_local)
            m_local->connectToServer(e.path);
        else
            m_tcp->connectToHost(e.host, e.port);
    }
    bool waitForConnected(int ms)
    {
        return m_local ? m_local->waitForConnected(ms) : m_tcp->waitForConnected(ms);
    }
    bool isConnected() const
    {
        return m_local ? m_local->state() == QLocalSocket::ConnectedState
                       : m_tcp->state() == QAbstractSocket::ConnectedState;
    }
    // HAProxy closing the connection is how an answer ends, not an error.
    bool closedByPeer() const
    {
        return m_local ? m_local->error() == QLocalSocket::PeerClosedError
                       : m_tcp->error() == QAbstractSocket::RemoteHostClosedError;
    }
    bool timedOut() const
    {
        return m_local ? m_local->error() == QLocalSocket::SocketTimeoutError
                       : m_tcp->error() == QAbstractSocket::SocketTimeoutError;
    }
    QString errorText() const
    {
        return m_local ? localError(m_local->error(), m_local->errorString())
                       : tcpError(m_tcp->error(), m_tcp->errorString());
    }

private:
    std::unique_ptr<QLocalSocket> m_local;
    std::unique_ptr<QTcpSocket> m_tcp;
};

} // namespace

QString HaproxyEndpoint::toString() const
{
    if (kind == Kind::Unix)
        return QStringLiteral("unix:") + path;
    const bool v6 = host.contains(QLatin1Char(':'));
    return QStringLiteral("tcp:%1:%2").arg(v6 ? QStringLiteral("[%1]").arg(host) : host).arg(port);
}

bool HaproxyEndpoint::parse(const QString &text, HaproxyEndpoint *out, QString *error)
{
    const QString expected = QStringLiteral("expected unix:/path/to/admin.sock or tcp:HOST:PORT");
    if (text.startsWith(QLatin1String("unix:"))) {
        const QString path = text.mid(5);
        if (path.isEmpty()) {
            *error = QStringLiteral("\"%1\": the socket path is empty (%2)").arg(text, expected);
            return false;
        }
        if (!path.startsWith(QLatin1Char('/'))) {
            // A relative path would depend on where Switchboard happens to be started.
            *error = QStringLiteral("\"%1\": the socket path must be absolute").arg(text);
            return false;
        }
        if (path.toLocal8Bit().size() > maxUnixPathBytes) {
            *error = QStringLiteral("\"%1\": the socket path is longer than %2 bytes, the limit for unix sockets")
                         .arg(text).arg(maxUnixPathBytes);
            return false;
        }
        out->kind = Kind::Unix;
        out->path = path;
        out->host.clear();
        out->port = 0;
        return true;
    }
    if (text.startsWith(QLatin1String("tcp:"))) {
        const QString rest = text.mid(4);
        const qsizetype colon = rest.lastIndexOf(QLatin1Char(':'));
        if (colon <= 0) {
            *error = QStringLiteral("\"%1\": %2").arg(text, expected);
            return false;
        }
        QString host = rest.left(colon);
        const QString portText = rest.mid(colon + 1);
        if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
            host = host.mid(1, host.size() - 2);
        else if (host.contains(QLatin1Char(':'))) {
            *error = QStringLiteral("\"%1\": write an IPv6 address in brackets, e.g. tcp:[::1]:9999").arg(text);
            return false;
        }
        bool ok = false;
        const uint port = portText.toUInt(&ok);
        if (!ok || port < 1 || port > 65535) {
            *error = QStringLiteral("\"%1\": port \"%2\" is not a number between 1 and 65535").arg(text, portText);
            return false;
        }
        if (host.isEmpty() || host.contains(QLatin1Char(' '))) {
            *error = QStringLiteral("\"%1\": the host is empty or invalid").arg(text);
            return false;
        }
        out->kind = Kind::Tcp;
        out->host = host;
        out->port = quint16(port);
        out->path.clear();
        return true;
    }
    *error = QStringLiteral("\"%1\": %2").arg(text, expected);
    return false;
}

QString HaproxyServerStat::state() const
{
    static const QLatin1String words[] = {QLatin1String("UP"), QLatin1String("DOWN"), QLatin1String("NOLB"),
                                          QLatin1String("DRAIN"), QLatin1String("MAINT")};
    for (const QLatin1String &w : words) {
        if (status == w || status.startsWith(w + QLatin1Char(' ')) || status.startsWith(w + QLatin1Char('(')))
            return QString(w);
    }
    return status;
}

QString HaproxyServerStat::field(const QString &name) const
{
    const qsizetype at = columns ? columns->value(name, -1) : -1;
    return at >= 0 ? cells.value(at) : QString();
}

qint64 HaproxyServerStat::number(const QString &name) const
{
    bool ok = false;
    const qint64 v = field(name).toLongLong(&ok);
    return ok ? v : -1;
}

bool HaproxyTargetSettings::fromJson(const QJsonObject &o, HaproxyTargetSettings *out, QString *error)
{
    HaproxyTargetSettings s;
    const QJsonValue eps = o.value(QStringLiteral("endpoints"));
    if (!eps.isArray() || eps.toArray().isEmpty()) {
        *error = QStringLiteral("haproxy.endpoints: expected a non-empty array such as [\"unix:/run/haproxy/admin.sock\"]");
        return false;
    }
    const QJsonArray epArr = eps.toArray();
    QSet<QString> seenEndpoints;
    for (qsizetype i = 0; i < epArr.size(); ++i) {
        HaproxyEndpoint e;
        QString err;
        if (!epArr.at(i).isString()) {
            *error = QStringLiteral("haproxy.endpoints[%1]: expected a string").arg(i);
            return false;
        }
        if (!HaproxyEndpoint::parse(epArr.at(i).toString(), &e, &err)) {
            *error = QStringLiteral("haproxy.endpoints[%1]: %2").arg(i).arg(err);
            return false;
        }
        if (seenEndpoints.contains(e.toString())) {
            *error = QStringLiteral("haproxy.endpoints[%1]: \"%2\" is listed twice").arg(i).arg(e.toString());
            return false;
        }
        seenEndpoints.insert(e.toString());
        s.endpoints.append(e);
    }
    s.backend = o.value(QStringLiteral("backend")).toString();
    if (s.backend.isEmpty() || s.backend.contains(QLatin1Char(' ')) || s.backend.contains(QLatin1Char(';'))
        || s.backend.contains(QLatin1Char('/'))) {
        *error = QStringLiteral("haproxy.backend: missing, or not a backend name");
        return false;
    }
    QSet<QString> seen;
    auto names = [&o, &seen, error](const QString &key, QStringList *list) {
        const QJsonValue v = o.value(key);
        if (!v.isArray() || v.toArray().isEmpty()) {
            *error = QStringLiteral("haproxy.%1: expected a non-empty array of server names").arg(key);
            return false;
        }
        const QJsonArray arr = v.toArray();
        for (qsizetype i = 0; i < arr.size(); ++i) {
            const QString n = arr.at(i).toString();
            // The name goes into a runtime command line: no separators, no blanks.
            static const QRegularExpression valid(QStringLiteral("^[^\\s;/]+$"));
            if (!arr.at(i).isString() || !valid.match(n).hasMatch()) {
                *error = QStringLiteral("haproxy.%1[%2]: not a server name").arg(key).arg(i);
                return false;
            }
            if (seen.contains(n)) {
                *error = QStringLiteral("haproxy.%1[%2]: \"%3\" is listed twice").arg(key).arg(i).arg(n);
                return false;
            }
            seen.insert(n);
            list->append(n);
        }
        return true;
    };
    if (!names(QStringLiteral("stable"), &s.stable) || !names(QStringLiteral("canary"), &s.canary))
        return false;
    auto timeout = [&o, error](const QString &key, int *ms) {
        if (!o.contains(key))
            return true;
        const int v = o.value(key).toInt(-1);
        if (v < 10 || v > 120000) {
            *error = QStringLiteral("haproxy.%1: must be a whole number of ms between 10 and 120000").arg(key);
            return false;
        }
        *ms = v;
        return true;
    };
    if (!timeout(QStringLiteral("connectTimeoutMs"), &s.timeouts.connectMs)
        || !timeout(QStringLiteral("commandTimeoutMs"), &s.timeouts.commandMs))
        return false;
    if (o.contains(QStringLiteral("fastSignalMs"))) {
        const int v = o.value(QStringLiteral("fastSignalMs")).toInt(-1);
        if (v != 0 && (v < 50 || v > 60000)) {
            *error = QStringLiteral("haproxy.fastSignalMs: must be 0 (off) or a whole number of ms between 50 and 60000");
            return false;
        }
        s.fastSignalMs = v;
    }
    if (!timeout(QStringLiteral("fastWindowMs"), &s.fastWindowMs))
        return false;
    if (o.contains(QStringLiteral("leaseMap"))) {
        static const QRegularExpression mapFile(QStringLiteral("^/[^\\s;]+$"));
        s.leaseMap = o.value(QStringLiteral("leaseMap")).toString();
        if (!mapFile.match(s.leaseMap).hasMatch()) {
            *error = QStringLiteral("haproxy.leaseMap: expected the absolute path of a map file the configuration loads (no spaces)");
            return false;
        }
    }
    const QJsonArray routes = o.value(QStringLiteral("routes")).toArray();
    for (qsizetype i = 0; i < routes.size(); ++i) {
        const QJsonObject r = routes.at(i).toObject();
        HaproxyRouteAcl acl;
        const bool header = r.contains(QStringLiteral("header"));
        acl.match = header ? TrafficRoute::Match::Header : TrafficRoute::Match::Cookie;
        acl.name = r.value(header ? QStringLiteral("header") : QStringLiteral("cookie")).toString();
        acl.aclFile = r.value(QStringLiteral("acl")).toString();
        static const QRegularExpression file(QStringLiteral("^/[^\\s;]+$"));
        QString why;
        if (header == r.contains(QStringLiteral("cookie")) || !TrafficRoute::validate({acl.match, acl.name, QStringLiteral("x")}, &why)
            || !file.match(acl.aclFile).hasMatch()) {
            *error = QStringLiteral("haproxy.routes[%1]: expected {\"header\": NAME, \"acl\": \"/absolute/file.acl\"} or "
                                    "{\"cookie\": NAME, \"acl\": ...} (no spaces or ';' in the path)%2")
                         .arg(i)
                         .arg(why.isEmpty() ? QString() : QStringLiteral(": ") + why);
            return false;
        }
        s.routes.append(acl);
    }
    *out = s;
    return true;
}

HaproxyRuntime::HaproxyRuntime(const HaproxyEndpoint &endpoint, const HaproxyTimeouts &timeouts)
    : m_endpoint(endpoint)
    , m_timeouts(timeouts)
{
}

bool HaproxyRuntime::execute(const QStringList &commands, QString *answer, QString *error, bool *delivered) const
{
    if (delivered)
        *delivered = false;
    answer->clear();
    const QDeadlineTimer deadline(m_timeouts.commandMs);
    auto fail = [this, error](const QString &what) {
        *error = name() + QStringLiteral(": ") + what;
        return false;
    };

    Connection c(m_endpoint);
    c.connectTo(m_endpoint);
    const int connectMs = int(std::min<qint64>(m_timeouts.connectMs, deadline.remainingTime()));
    if (!c.isConnected() && !c.waitForConnected(connectMs)) {
        if (c.timedOut())
            return fail(QStringLiteral("no connection within %1 ms").arg(connectMs));
        return fail(c.errorText());
    }

    QIODevice *dev = c.device();
    const QByteArray line = commands.join(QStringLiteral("; ")).toUtf8() + '\n';
    if (dev->write(line) != line.size())
        return fail(QStringLiteral("cannot send the command: %1").arg(c.errorText()));
    while (dev->bytesToWrite() > 0) {
        if (deadline.hasExpired() || !dev->waitForBytesWritten(int(deadline.remainingTime())))
            return fail(QStringLiteral("cannot send the command: %1")
                            .arg(c.timedOut() || deadline.hasExpired() ? QStringLiteral("timed out") : c.errorText()));
    }
    if (delivered)
        *delivered = true;

    // HAProxy answers and closes; the close is the end of the answer.
    QByteArray data;
    while (c.isConnected()) {
        if (deadline.hasExpired())
            return fail(QStringLiteral("no complete answer within %1 ms").arg(m_timeouts.commandMs));
        if (dev->waitForReadyRead(int(std::max<qint64>(1, deadline.remainingTime())))) {
            data += dev->readAll();
            continue;
        }
        if (c.closedByPeer())
            break;
        if (!c.timedOut())
            return fail(c.errorText());
    }
    data += dev->readAll();
    *answer = QString::fromUtf8(data);
    return true;
}

QString HaproxyRuntime::showStatCommand(const QString &backend)
{
    // 4 = servers only, -1 = every server id.
    return QStringLiteral("show stat %1 4 -1").arg(backend);
}

QString HaproxyRuntime::setWeightCommand(const QString &backend, const QString &server, int weight)
{
    return QStringLiteral("set weight %1/%2 %3").arg(backend, server).arg(weight);
}

bool HaproxyRuntime::showStat(const QString &backend, QList<HaproxyServerStat> *servers, QString *error) const
{
    QString answer;
    if (!execute({showStatCommand(backend)}, &answer, error))
        return false;
    QString parseError;
    if (!parseStat(answer, servers, &parseError)) {
        *error = QStringLiteral("%1: show stat %2: %3").arg(name(), backend, parseError);
        return false;
    }
    return true;
}

bool HaproxyRuntime::getWeight(const QString &backend, const QString &server, int *weight, QString *error) const
{
    QString answer;
    if (!execute({QStringLiteral("get weight %1/%2").arg(backend, server)}, &answer, error))
        return false;
    if (!parseWeightAnswer(answer, weight)) {
        const QString e = errorsIn(answer);
        *error = QStringLiteral("%1: get weight %2/%3: %4")
                     .arg(name(), backend, server, e.isEmpty() ? QStringLiteral("unexpected answer \"%1\"").arg(answer.trimmed()) : e);
        return false;
    }
    return true;
}

bool HaproxyRuntime::parseStat(const QString &answer, QList<HaproxyServerStat> *rows, QString *error)
{
    rows->clear();
    const QStringList lines = answer.split(QLatin1Char('\n'));
    qsizetype i = 0;
    while (i < lines.size() && !lines.at(i).startsWith(QLatin1String("# pxname,")))
        ++i;
    if (i == lines.size()) {
        const QString e = errorsIn(answer);
        const QString text = answer.trimmed();
        *error = !e.isEmpty() ? e
               : text.isEmpty() ? QStringLiteral("empty answer")
                                : QStringLiteral("not CSV: \"%1\"").arg(text.left(200));
        return false;
    }
    const std::shared_ptr<const QHash<QString, qsizetype>> columns = statColumns(lines.at(i));
    const auto column = [&columns](const char *name) { return columns->value(QLatin1String(name), -1); };
    const qsizetype px = column("pxname");
    const qsizetype sv = column("svname");
    if (px < 0 || sv < 0) {
        *error = QStringLiteral("CSV header without pxname/svname");
        return false;
    }
    const qsizetype status = column("status");
    const qsizetype checkStatus = column("check_status");
    // uweight (HAProxy >= 2.4) is what `set weight` sets; `weight` is the effective weight,
    // which may differ (slowstart, scaling).
    const qsizetype uweight = column("uweight");
    const qsizetype weight = column("weight");
    for (++i; i < lines.size(); ++i) {
        const QString line = lines.at(i).trimmed();
        if (line.isEmpty())
            break; // the end of this command's answer
        HaproxyServerStat r;
        r.columns = columns;
        r.cells = splitCsvLine(line);
        r.proxy = r.cells.value(px);
        r.server = r.cells.value(sv);
        r.status = r.cells.value(status);
        r.checkStatus = r.cells.value(checkStatus);
        const QString uw = r.cells.value(uweight);
        bool ok = false;
        r.weight = (uw.isEmpty() ? r.cells.value(weight) : uw).toInt(&ok);
        // Range-checked: HAProxy's weights are 0..256; anything else is not a weight we know.
        if (!ok || r.weight < 0 || r.weight > maxMemberWeight)
            r.weight = -1;
        rows->append(r);
    }
    return true;
}

bool HaproxyRuntime::parseWeightAnswer(const QString &answer, int *weight, int *initial)
{
    static const QRegularExpression re(QStringLiteral("^(\\d+) \\(initial (\\d+)\\)$"));
    const QRegularExpressionMatch m = re.match(answer.trimmed());
    if (!m.hasMatch())
        return false;
    // Range-checked before use: digits that overflow int or exceed 256 are not a weight.
    bool okWeight = false;
    bool okInitial = false;
    const int w = m.captured(1).toInt(&okWeight);
    const int i = m.captured(2).toInt(&okInitial);
    if (!okWeight || !okInitial || w > maxMemberWeight || i > maxMemberWeight)
        return false;
    *weight = w;
    if (initial)
        *initial = i;
    return true;
}

QString HaproxyRuntime::errorsIn(const QString &answer)
{
    QStringList found;
    const QStringList lines = answer.split(QLatin1Char('\n'));
    for (const QString &l : lines) {
        const QString t = l.trimmed();
        if (isErrorLine(t))
            found.append(t);
    }
    return found.join(QStringLiteral(" / "));
}

QStringList HaproxyRuntime::splitAnswers(const QString &answer, int count)
{
    QStringList out;
    QStringList lines = answer.split(QLatin1Char('\n'));
    if (!lines.isEmpty() && lines.constLast().isEmpty())
        lines.removeLast(); // what follows the final newline
    QStringList current;
    for (const QString &l : std::as_const(lines)) {
        if (l.isEmpty()) {
            out.append(current.join(QLatin1Char('\n')));
            current.clear();
        } else {
            current.append(l);
        }
    }
    if (!current.isEmpty()) {
        if (out.size() < count)
            out.append(current.join(QLatin1Char('\n')));
        else if (!out.isEmpty())
            out.last() += QLatin1Char('\n') + current.join(QLatin1Char('\n'));
    }
    while (out.size() > count && count > 0) {
        // More blocks than commands: extra empty lines; fold them into the last answer.
        const QString extra = out.takeLast();
        if (!extra.isEmpty())
            out.last() += (out.last().isEmpty() ? QString() : QStringLiteral("\n")) + extra;
    }
    while (out.size() < count)
        out.append(QString());
    return out;
}

} // namespace Switchboard
