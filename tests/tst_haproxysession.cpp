// The persistent runtime API session (HaproxySession) against a real haproxy (MiniHaproxy):
// interactive mode keeps one connection, answers line up with the commands of a batch, a
// restarted HAProxy is reconnected to transparently, and several endpoints are served at once.

#include "backendhost.h"
#include "fakehaproxy.h"
#include "haproxysession.h"
#include "haproxytrafficbackend.h"
#include "minihaproxy.h"

#include <QElapsedTimer>
#include <QLocalServer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

#include <memory>

using namespace Switchboard;

namespace {

HaproxyEndpoint endpointOf(const QString &text)
{
    HaproxyEndpoint e;
    QString error;
    HaproxyEndpoint::parse(text, &e, &error);
    return e;
}

} // namespace

class TestHaproxySession final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        registerMetaTypes();
        if (!MiniHaproxy::installed())
            QSKIP("haproxy is not installed");
        QVERIFY2(m_haproxy.start(), qPrintable(m_haproxy.error()));
    }

    void splitPrompted()
    {
        QStringList answers;
        QCOMPARE(HaproxySession::splitPrompted("\n> \n> 5 (initial 10)\n\n> No such", &answers), 3);
        QCOMPARE(answers, (QStringList{QString(), QString(), QStringLiteral("5 (initial 10)\n")}));
    }

    void oneConnectionManyBatches_data()
    {
        QTest::addColumn<bool>("unix");
        QTest::newRow("tcp") << false;
        QTest::newRow("unix") << true;
    }
    void oneConnectionManyBatches()
    {
        QFETCH(bool, unix);
        HaproxySession s(endpointOf(unix ? m_haproxy.unixEndpoint() : m_haproxy.tcpEndpoint()));
        QStringList answers;
        QString error;
        for (int w : {7, 9, 0}) {
            // A change and its read-back in one write: one answer per command, in order.
            QVERIFY2(s.execute({QStringLiteral("set weight shop/shop-v2-a %1").arg(w), QStringLiteral("get weight shop/shop-v2-a")},
                               &answers, &error), qPrintable(error));
            QCOMPARE(answers, (QStringList{QString(), QStringLiteral("%1 (initial 0)\n").arg(w)}));
        }
        // An error answer does not shift the answers after it.
        QVERIFY2(s.execute({QStringLiteral("set weight shop/nope 1"), QStringLiteral("get weight shop/shop-v1-a"),
                            QStringLiteral("show stat shop 4 -1")}, &answers, &error), qPrintable(error));
        QCOMPARE(answers.size(), 3);
        QCOMPARE(answers.at(0), QStringLiteral("No such server.\n"));
        QCOMPARE(answers.at(1), QStringLiteral("256 (initial 256)\n"));
        QList<HaproxyServerStat> rows;
        QVERIFY2(HaproxyRuntime::parseStat(answers.at(2), &rows, &error), qPrintable(error));
        QCOMPARE(rows.size(), 3);
        QCOMPARE(s.connects(), 1);
    }

    void reconnectsAfterRestart()
    {
        HaproxySession s(endpointOf(m_haproxy.tcpEndpoint()));
        QStringList answers;
        QString error;
        QVERIFY2(s.execute({QStringLiteral("get weight shop/shop-v1-a")}, &answers, &error), qPrintable(error));
        QCOMPARE(s.connects(), 1);
        // A crash and a restart between two batches: the next one goes through on a new connection.
        m_haproxy.stop();
        QVERIFY2(m_haproxy.start(), qPrintable(m_haproxy.error()));
        QVERIFY2(s.execute({QStringLiteral("set weight shop/shop-v2-a 3"), QStringLiteral("get weight shop/shop-v2-a")},
                           &answers, &error), qPrintable(error));
        QCOMPARE(answers.value(1), QStringLiteral("3 (initial 0)\n"));
        QCOMPARE(s.connects(), 2);
    }

    void followsAReload_data()
    {
        QTest::addColumn<bool>("unix");
        QTest::newRow("tcp") << false;
        QTest::newRow("unix") << true;
    }
    void followsAReload()
    {
        // After a reload (-sf) the old process still answers on the connection we hold, but it
        // serves no traffic and cannot exit while we hold it: the session must move to the new one.
        QFETCH(bool, unix);
        HaproxySession s(endpointOf(unix ? m_haproxy.unixEndpoint() : m_haproxy.tcpEndpoint()));
        QStringList answers;
        QString error;
        QVERIFY2(s.execute({QStringLiteral("show info")}, &answers, &error), qPrintable(error));
        const QString oldPid = QStringLiteral("\nPid: %1\n").arg(m_haproxy.pid());
        QVERIFY2(answers.value(0).contains(oldPid), qPrintable(answers.value(0)));
        QVERIFY2(m_haproxy.reload(), qPrintable(m_haproxy.error()));
        QVERIFY2(s.execute({QStringLiteral("set weight shop/shop-v2-a 5"), QStringLiteral("show info")}, &answers, &error),
                 qPrintable(error));
        QVERIFY2(answers.value(1).contains(QStringLiteral("\nPid: %1\n").arg(m_haproxy.pid())), qPrintable(answers.value(1)));
        QCOMPARE(s.connects(), 2);
        // The old process let go: nothing of ours keeps it alive.
        QVERIFY(m_haproxy.replacedEnded(10000));
        // And the weight is on the process that serves.
        HaproxySession fresh(endpointOf(m_haproxy.tcpEndpoint()));
        QVERIFY2(fresh.execute({QStringLiteral("get weight shop/shop-v2-a")}, &answers, &error), qPrintable(error));
        QCOMPARE(answers.value(0), QStringLiteral("5 (initial 0)\n"));
    }

    void failsWhileDownThenRecovers()
    {
        HaproxySession s(endpointOf(m_haproxy.tcpEndpoint()), {300, 1000});
        QStringList answers;
        QString error;
        QVERIFY2(s.execute({QStringLiteral("show cli level")}, &answers, &error), qPrintable(error));
        QCOMPARE(answers.value(0), QStringLiteral("admin\n"));
        m_haproxy.stop();
        bool delivered = true;
        QVERIFY(!s.execute({QStringLiteral("show cli level")}, &answers, &error, &delivered));
        QCOMPARE(error, m_haproxy.tcpEndpoint() + QStringLiteral(": connection refused"));
        QVERIFY(!delivered);
        QVERIFY2(m_haproxy.start(), qPrintable(m_haproxy.error()));
        QVERIFY2(s.execute({QStringLiteral("show cli level")}, &answers, &error), qPrintable(error));
        QCOMPARE(answers.value(0), QStringLiteral("admin\n"));
    }

    void backendRollbackAcrossRestart()
    {
        // The traffic backend on both sockets of the real HAProxy: a rollback right after a
        // restart still lands on both, and is verified from their own read-back.
        HaproxyTrafficBackend b(settingsFor({m_haproxy.unixEndpoint(), m_haproxy.tcpEndpoint()}));
        QCOMPARE(applyNow(b, 50, {}, true).status, ChangeResult::Status::Applied);
        m_haproxy.stop();
        QVERIFY2(m_haproxy.start(), qPrintable(m_haproxy.error())); // weights back to the config's
        QCOMPARE(applyNow(b, 50, {}, true).status, ChangeResult::Status::Applied);
        const ChangeResult r = applyNow(b, 0, {}, true);
        QCOMPARE(r.status, ChangeResult::Status::Applied);
        QVERIFY2(r.message.contains(QStringLiteral("on all 2 endpoints")), qPrintable(r.message));
        QCOMPARE(r.after, labStart());
    }

    void endpointsAtOnce()
    {
        // Two endpoints that accept and never answer: waited for together, so the batch takes
        // one command timeout, not two; the real HAProxy next to them answers meanwhile.
        QTcpServer silentA;
        QTcpServer silentB;
        QVERIFY(silentA.listen(QHostAddress::LocalHost, 0));
        QVERIFY(silentB.listen(QHostAddress::LocalHost, 0));
        const HaproxyTimeouts t{300, 600};
        HaproxySession a(endpointOf(QStringLiteral("tcp:127.0.0.1:%1").arg(silentA.serverPort())), t);
        HaproxySession b(endpointOf(QStringLiteral("tcp:127.0.0.1:%1").arg(silentB.serverPort())), t);
        HaproxySession real(endpointOf(m_haproxy.unixEndpoint()), t);
        QList<HaproxySession::Batch> batches;
        for (HaproxySession *s : {&a, &b, &real})
            batches.append(HaproxySession::Batch{s, {QStringLiteral("get weight shop/shop-v1-a")}, {}, {}, false, false});
        QElapsedTimer timer;
        timer.start();
        HaproxySession::executeAll(&batches);
        const qint64 ms = timer.elapsed();
        QVERIFY2(ms >= 550 && ms < 1100, qPrintable(QString::number(ms)));
        QVERIFY(!batches.at(0).ok);
        QVERIFY(!batches.at(1).ok);
        QVERIFY2(batches.at(0).error.endsWith(QStringLiteral("no complete answer within 600 ms")), qPrintable(batches.at(0).error));
        QVERIFY(batches.at(0).delivered);
        QVERIFY2(batches.at(2).ok, qPrintable(batches.at(2).error));
        QCOMPARE(batches.at(2).answers, QStringList{QStringLiteral("256 (initial 256)\n")});
    }

private:
    MiniHaproxy m_haproxy;
};

QTEST_GUILESS_MAIN(TestHaproxySession)
#include "tst_haproxysession.moc"
