#include "fakeprometheus.h"

#include "targetconfig.h"

using namespace Switchboard;

void FakePrometheus::read(QTcpSocket *s)
{
    QByteArray &buf = m_buffers[s];
    buf += s->readAll();
    const qsizetype end = buf.indexOf("\r\n\r\n");
    if (end < 0)
        return;
    const QList<QByteArray> lines = buf.left(end).split('\n');
    buf.remove(0, end + 4);
    Request req;
    const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
    req.method = first.value(0);
    const QByteArray target = first.value(1);
    req.path = target.left(target.indexOf('?'));
    if (target.contains('?'))
        req.query = QUrlQuery(QString::fromLatin1(target.mid(target.indexOf('?') + 1)));
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines[i].trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon > 0)
            req.headers.insert(line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed());
    }
    Response resp;
    std::function<void()> onRequest;
    {
        QMutexLocker lock(&m_mutex);
        m_requests.append(req);
        if (!m_queue.isEmpty())
            resp = m_queue.takeFirst();
        else if (m_responder)
            resp = m_responder(req);
        onRequest = m_onRequest;
    }
    if (onRequest)
        onRequest();
    if (resp.mode == Response::Mode::Hang)
        return;
    if (resp.mode == Response::Mode::Close) {
        s->abort();
        return;
    }
    QByteArray out = "HTTP/1.1 " + QByteArray::number(resp.status) + " X\r\n";
    out += "Content-Type: " + resp.contentType + "\r\n";
    out += "Content-Length: " + QByteArray::number(resp.body.size()) + "\r\n";
    out += "Connection: close\r\n\r\n";
    out += resp.body;
    s->write(out);
    s->disconnectFromHost();
}

Response answer(int status, const QByteArray &body, const QByteArray &type)
{
    Response r;
    r.status = status;
    r.body = body;
    r.contentType = type;
    return r;
}

Response mode(Response::Mode m)
{
    Response r;
    r.mode = m;
    return r;
}

const QByteArray kVector = R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"version":"v1"},"value":[1700000000,"12.5"]}]}})";

PrometheusClient::Settings settingsFor(const QString &url)
{
    PrometheusClient::Settings s;
    s.url = url;
    s.backoffMs = 20; // keep retry tests quick; the doubling is what matters
    s.timeoutMs = 3000;
    return s;
}

QByteArray vectorOf(const QList<QPair<QString, QString>> &points, qint64 timeMs)
{
    QByteArray items;
    for (const auto &[version, value] : points) {
        if (!items.isEmpty())
            items += ',';
        items += R"({"metric":{"version":")" + version.toUtf8() + R"("},"value":[)" + QByteArray::number(double(timeMs) / 1000, 'f', 3)
                 + R"(,")" + value.toUtf8() + R"("]})";
    }
    return R"({"status":"success","data":{"resultType":"vector","result":[)" + items + "]}}";
}

PrometheusMetricsSource::Settings sourceSettings(const QString &url, const QJsonObject &extra)
{
    QJsonObject p{{QStringLiteral("url"), url}, {QStringLiteral("stableLabel"), QStringLiteral("v1")},
                  {QStringLiteral("canaryLabel"), QStringLiteral("v2")}};
    for (auto it = extra.begin(); it != extra.end(); ++it)
        p.insert(it.key(), it.value());
    TargetConfig t;
    t.name = QStringLiteral("shop");
    t.kind = QStringLiteral("haproxy");
    t.settings = QJsonObject{{QStringLiteral("prometheus"), p},
                             {QStringLiteral("haproxy"), QJsonObject{{QStringLiteral("backend"), QStringLiteral("shop")}}}};
    PrometheusMetricsSource::Settings s;
    QString error;
    if (!PrometheusMetricsSource::Settings::fromTarget(t, &s, &error))
        qFatal("settings: %s", qPrintable(error));
    s.client.backoffMs = 20;
    return s;
}
