// Issue 14: the webhook senders against an in-test HTTP server (support/fakewebhookserver.h).
// Each service's body has the shape its vendor documents; DingTalk's and Feishu's signatures are
// checked against an HMAC-SHA256 computed here from its definition (not with the code under
// test); a 5xx is tried again, a robot's refusal is not; a server that never answers costs the
// webhook's timeout on its own thread, never the caller's time; no error names a secret.
#include "fakewebhookserver.h"
#include "notification.h"
#include "webhookconfig.h"
#include "webhookdispatcher.h"
#include "webhookredactor.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

using namespace Switchboard;
using Service = WebhookConfig::Service;

namespace {

// RFC 2104 from its definition, on QCryptographicHash alone.
QByteArray hmacSha256(QByteArray key, const QByteArray &message)
{
    const int block = 64;
    if (key.size() > block)
        key = QCryptographicHash::hash(key, QCryptographicHash::Sha256);
    key = key.leftJustified(block, '\0');
    QByteArray inner(block, '\0');
    QByteArray outer(block, '\0');
    for (int i = 0; i < block; ++i) {
        inner[i] = char(key.at(i) ^ 0x36);
        outer[i] = char(key.at(i) ^ 0x5c);
    }
    return QCryptographicHash::hash(QByteArray(outer + QCryptographicHash::hash(QByteArray(inner + message), QCryptographicHash::Sha256)),
                                    QCryptographicHash::Sha256);
}

Notification gateRollback()
{
    Notification n;
    n.kind = Notification::Kind::RolledBack;
    n.target = QStringLiteral("shop");
    n.plan = QStringLiteral("canary-5-25-50-100");
    n.what = QStringLiteral("rolled back automatically");
    n.reason = QStringLiteral("gate error-ratio FAIL: canary 20.00% > 1.20%");
    n.figures = {QStringLiteral("gate error-ratio FAIL: canary 20.00% > 1.20%"), QStringLiteral("canary now 0% of traffic (set)")};
    n.who = QStringLiteral("Switchboard (automatic; rollout run by ana)");
    n.timeMs = 1700000000000;
    return n;
}

WebhookConfig hook(Service service, const QString &url, const QString &secret = {})
{
    WebhookConfig w;
    w.service = service;
    w.name = WebhookConfig::serviceName(service);
    w.url = url;
    w.secret = secret;
    w.timeoutMs = 2000;
    w.retries = 2;
    w.backoffMs = 20;
    return w;
}

// Sends `n` through one webhook and waits for its answer; the server's requests after it.
struct OneHook
{
    explicit OneHook(const WebhookConfig &w) : dispatcher({w}), delivered(&dispatcher, &WebhookDispatcher::delivered),
        failed(&dispatcher, &WebhookDispatcher::failed) {}
    bool send(const Notification &n = gateRollback(), int timeoutMs = 10000)
    {
        if (dispatcher.dispatch(n) != 1)
            return false;
        QElapsedTimer t;
        t.start();
        while (delivered.isEmpty() && failed.isEmpty() && t.elapsed() < timeoutMs)
            QTest::qWait(10);
        return !delivered.isEmpty() || !failed.isEmpty();
    }
    WebhookDispatcher dispatcher;
    QSignalSpy delivered;
    QSignalSpy failed;
};

QJsonObject bodyOf(const FakeWebhookServer::Request &r)
{
    return QJsonDocument::fromJson(r.body).object();
}

// The message says the target, what happened, the numbers and who.
void checkMessage(const QString &text)
{
    QVERIFY2(text.contains(QStringLiteral("shop")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("rolled back")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("20.00% > 1.20%")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("ana")), qPrintable(text));
}

} // namespace

class TestWebhooks : public QObject
{
    Q_OBJECT

private slots:
    void hmacHelperMatchesRfc4231()
    {
        // RFC 4231 test case 2, so the independent HMAC above is itself right.
        QCOMPARE(hmacSha256("Jefe", "what do ya want for nothing?").toHex(),
                 QByteArray("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
    }

    void slackBody()
    {
        FakeWebhookServer server;
        server.push({200, "ok", false});
        OneHook h(hook(Service::Slack, server.url(QStringLiteral("/services/T0001/B0002/abcdefghijklmnopqrstuvwx"))));
        QVERIFY(h.send());
        QCOMPARE(h.delivered.size(), 1);
        const auto r = server.requests().constFirst();
        QCOMPARE(r.method, QByteArray("POST"));
        QCOMPARE(r.path, QByteArray("/services/T0001/B0002/abcdefghijklmnopqrstuvwx"));
        QVERIFY(r.headers.value("content-type").startsWith("application/json"));
        const QJsonObject o = bodyOf(r);
        QCOMPARE(o.keys(), QStringList{QStringLiteral("text")});
        checkMessage(o.value(QStringLiteral("text")).toString());
    }

    void dingTalkSigned_data()
    {
        QTest::addColumn<QString>("msgtype");
        QTest::newRow("markdown") << QStringLiteral("markdown");
        QTest::newRow("text") << QStringLiteral("text");
    }
    void dingTalkSigned()
    {
        QFETCH(QString, msgtype);
        FakeWebhookServer server;
        const QString secret = QStringLiteral("SECb6d2d3a1f0e94c1b8e7a5c4d3b2a1908f7e6d5c4b3a2");
        WebhookConfig w = hook(Service::DingTalk, server.url(QStringLiteral("/robot/send?access_token=tok3n0123456789")), secret);
        w.msgtype = msgtype;
        OneHook h(w);
        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        QVERIFY(h.send());
        const qint64 after = QDateTime::currentMSecsSinceEpoch();
        QCOMPARE(h.delivered.size(), 1);
        const auto r = server.requests().constFirst();
        QCOMPARE(r.path, QByteArray("/robot/send"));
        QCOMPARE(r.query.queryItemValue(QStringLiteral("access_token")), QStringLiteral("tok3n0123456789"));
        const QByteArray ts = r.rawValue("timestamp");
        QVERIFY(ts.toLongLong() >= before && ts.toLongLong() <= after); // milliseconds
        // sign = urlencode(base64(HMAC-SHA256(key = secret, message = timestamp + "\n" + secret)))
        const QByteArray expected = hmacSha256(secret.toUtf8(), ts + '\n' + secret.toUtf8()).toBase64();
        const QByteArray sign = r.rawValue("sign");
        QVERIFY2(!sign.contains('+') && !sign.contains('/') && !sign.contains('='), sign.constData()); // URL-encoded
        QCOMPARE(QByteArray::fromPercentEncoding(sign), expected);
        const QJsonObject o = bodyOf(r);
        QCOMPARE(o.value(QStringLiteral("msgtype")).toString(), msgtype);
        if (msgtype == QLatin1String("markdown")) {
            const QJsonObject md = o.value(QStringLiteral("markdown")).toObject();
            QCOMPARE(md.value(QStringLiteral("title")).toString(), QStringLiteral("shop: rolled back"));
            checkMessage(md.value(QStringLiteral("text")).toString());
        } else {
            checkMessage(o.value(QStringLiteral("text")).toObject().value(QStringLiteral("content")).toString());
        }
    }

    void dingTalkUnsignedHasNoSignature()
    {
        FakeWebhookServer server;
        OneHook h(hook(Service::DingTalk, server.url(QStringLiteral("/robot/send?access_token=abcdef123"))));
        QVERIFY(h.send());
        const auto r = server.requests().constFirst();
        QVERIFY(!r.query.hasQueryItem(QStringLiteral("sign")));
        QVERIFY(!r.query.hasQueryItem(QStringLiteral("timestamp")));
    }

    void feishuSigned()
    {
        FakeWebhookServer server;
        server.push({200, R"({"code":0,"msg":"success","data":{}})", false});
        const QString secret = QStringLiteral("qvTrSWXWkDuBzd1Y7AkqMd");
        OneHook h(hook(Service::Feishu, server.url(QStringLiteral("/open-apis/bot/v2/hook/0e3b7a52-1c2d-4e5f-8a9b-0c1d2e3f4a5b")), secret));
        const qint64 before = QDateTime::currentSecsSinceEpoch();
        QVERIFY(h.send());
        const qint64 after = QDateTime::currentSecsSinceEpoch();
        QCOMPARE(h.delivered.size(), 1);
        const QJsonObject o = bodyOf(server.requests().constFirst());
        QCOMPARE(o.value(QStringLiteral("msg_type")).toString(), QStringLiteral("text"));
        checkMessage(o.value(QStringLiteral("content")).toObject().value(QStringLiteral("text")).toString());
        QVERIFY(o.value(QStringLiteral("timestamp")).isString()); // seconds, as a string
        const QByteArray ts = o.value(QStringLiteral("timestamp")).toString().toLatin1();
        QVERIFY(ts.toLongLong() >= before && ts.toLongLong() <= after);
        // sign = base64(HMAC-SHA256(key = timestamp + "\n" + secret, message = ""))
        QCOMPARE(o.value(QStringLiteral("sign")).toString().toLatin1(), hmacSha256(ts + '\n' + secret.toUtf8(), QByteArray()).toBase64());
    }

    void wecomBody_data()
    {
        QTest::addColumn<QString>("msgtype");
        QTest::newRow("markdown") << QStringLiteral("markdown");
        QTest::newRow("text") << QStringLiteral("text");
    }
    void wecomBody()
    {
        QFETCH(QString, msgtype);
        FakeWebhookServer server;
        WebhookConfig w = hook(Service::WeCom, server.url(QStringLiteral("/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa")));
        w.msgtype = msgtype;
        OneHook h(w);
        QVERIFY(h.send());
        QCOMPARE(h.delivered.size(), 1);
        const auto r = server.requests().constFirst();
        QCOMPARE(r.query.queryItemValue(QStringLiteral("key")), QStringLiteral("693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"));
        const QJsonObject o = bodyOf(r);
        QCOMPARE(o.value(QStringLiteral("msgtype")).toString(), msgtype);
        checkMessage(o.value(msgtype).toObject().value(QStringLiteral("content")).toString());
    }

    void genericBody()
    {
        FakeWebhookServer server;
        WebhookConfig w = hook(Service::Generic, server.url(QStringLiteral("/switchboard")));
        w.headers.insert(QStringLiteral("Authorization"), QStringLiteral("Bearer s3cr3t-bearer-token"));
        OneHook h(w);
        QVERIFY(h.send());
        QCOMPARE(h.delivered.size(), 1);
        const auto r = server.requests().constFirst();
        QCOMPARE(r.headers.value("authorization"), QByteArray("Bearer s3cr3t-bearer-token"));
        const QJsonObject o = bodyOf(r);
        QCOMPARE(o.value(QStringLiteral("event")).toString(), QStringLiteral("rolled-back"));
        QCOMPARE(o.value(QStringLiteral("target")).toString(), QStringLiteral("shop"));
        QCOMPARE(o.value(QStringLiteral("plan")).toString(), QStringLiteral("canary-5-25-50-100"));
        QCOMPARE(o.value(QStringLiteral("who")).toString(), QStringLiteral("Switchboard (automatic; rollout run by ana)"));
        QCOMPARE(o.value(QStringLiteral("time")).toString(), QStringLiteral("2023-11-14T22:13:20.000Z"));
        QCOMPARE(o.value(QStringLiteral("figures")).toArray().size(), 2);
        checkMessage(o.value(QStringLiteral("text")).toString());
    }

    void eventsAndTargetsFilter()
    {
        FakeWebhookServer server;
        WebhookConfig w = hook(Service::Generic, server.url());
        w.events = {Notification::Kind::Failed};
        WebhookDispatcher d({w});
        QCOMPARE(d.dispatch(gateRollback()), 0);
        w.events.clear();
        w.targets = {QStringLiteral("cart")};
        WebhookDispatcher e({w});
        QCOMPARE(e.dispatch(gateRollback()), 0);
        QCOMPARE(server.requestCount(), 0);
    }

    void retriesOn500()
    {
        FakeWebhookServer server;
        server.push({500, "busy", false});
        server.push({503, "busy", false});
        server.push({200, "ok", false});
        OneHook h(hook(Service::Slack, server.url()));
        QVERIFY(h.send());
        QCOMPARE(h.delivered.size(), 1);
        QCOMPARE(h.delivered.constFirst().at(2).toInt(), 3); // attempts
        QCOMPARE(server.requestCount(), 3);
    }

    void retriesAreBounded()
    {
        FakeWebhookServer server;
        for (int i = 0; i < 5; ++i)
            server.push({500, "still busy", false});
        OneHook h(hook(Service::Slack, server.url())); // retries 2: three attempts
        QVERIFY(h.send());
        QCOMPARE(h.failed.size(), 1);
        QCOMPARE(h.failed.constFirst().at(2).toInt(), 3);
        QVERIFY(h.failed.constFirst().at(3).toString().contains(QStringLiteral("HTTP 500")));
        QCOMPARE(server.requestCount(), 3);
    }

    void robotRefusalIsNotRetried()
    {
        FakeWebhookServer server;
        server.push({200, R"({"errcode":310000,"errmsg":"sign not match"})", false});
        OneHook h(hook(Service::DingTalk, server.url(QStringLiteral("/robot/send?access_token=abcdef123")), QStringLiteral("SECwrongsecret")));
        QVERIFY(h.send());
        QCOMPARE(h.failed.size(), 1);
        QVERIFY(h.failed.constFirst().at(3).toString().contains(QStringLiteral("310000")));
        QCOMPARE(server.requestCount(), 1);
    }

    void serverThatNeverAnswersTimesOutOffTheCallersThread()
    {
        FakeWebhookServer server;
        server.push({200, {}, true});
        server.push({200, {}, true});
        WebhookConfig w = hook(Service::Slack, server.url());
        w.timeoutMs = 400;
        w.retries = 1;
        OneHook h(w);
        QElapsedTimer t;
        t.start();
        QCOMPARE(h.dispatcher.dispatch(gateRollback()), 1);
        QVERIFY2(t.elapsed() < 100, "dispatch waited for the network");
        QCOMPARE(h.dispatcher.pending(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(h.failed.size(), 1, 5000);
        QVERIFY(t.elapsed() >= 800); // two attempts of 400 ms each
        QVERIFY2(h.failed.constFirst().at(3).toString().contains(QStringLiteral("no answer within 400 ms")),
                 qPrintable(h.failed.constFirst().at(3).toString()));
        QCOMPARE(server.requestCount(), 2);
        QCOMPARE(h.dispatcher.pending(), 0);
    }

    void errorsNameNoSecret()
    {
        FakeWebhookServer server;
        const QString token = QStringLiteral("acc3ss7okenVALUE");
        const QString secret = QStringLiteral("SECsigningsecret99");
        // A server that echoes the URL it was called on, as some error pages do.
        server.push({403, "forbidden: /robot/send?access_token=" + token.toUtf8() + " with secret " + secret.toUtf8(), false});
        WebhookConfig w = hook(Service::DingTalk, server.url(QStringLiteral("/robot/send?access_token=") + token), secret);
        OneHook h(w);
        QVERIFY(h.send());
        QCOMPARE(h.failed.size(), 1);
        const QString label = h.failed.constFirst().at(0).toString();
        const QString error = h.failed.constFirst().at(3).toString();
        QVERIFY2(error.contains(QStringLiteral("HTTP 403")), qPrintable(error));
        for (const QString &text : {label, error}) {
            QVERIFY2(!text.contains(token), qPrintable(text));
            QVERIFY2(!text.contains(secret), qPrintable(text));
        }
        QCOMPARE(label, QStringLiteral("dingtalk \"dingtalk\" (127.0.0.1)"));
    }

    void redactorHidesPathTokensAndKeys()
    {
        WebhookConfig slack = hook(Service::Slack, QStringLiteral("https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"));
        const WebhookRedactor r(slack);
        const QString scrubbed = r.scrub(QStringLiteral("could not POST https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX "
                                                        "(token XXXXXXXXXXXXXXXXXXXXXXXX)"));
        QVERIFY2(!scrubbed.contains(QStringLiteral("XXXXXXXXXXXXXXXXXXXXXXXX")), qPrintable(scrubbed));
        QVERIFY2(!scrubbed.contains(QStringLiteral("T00000000")), qPrintable(scrubbed));
        QCOMPARE(r.label(), QStringLiteral("slack \"slack\" (hooks.slack.com)"));
    }
};

QTEST_GUILESS_MAIN(TestWebhooks)
#include "tst_webhooks.moc"
