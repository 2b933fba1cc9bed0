// HealthWait: the rolling plans' wait for health checks, decided from member lists and clock
// values alone: before a move, after it, while paused, and on the clock after the timeout; and
// the waiting line said once.
#include "healthwait.h"

#include <QTest>

using namespace Switchboard;
using Kind = HealthWait::Decision::Kind;

Q_DECLARE_METATYPE(QList<Switchboard::Member>)

namespace {

const QString step = QStringLiteral("step 1/3 (1 server)");
constexpr qint64 t0 = 1'000'000;

// "v2-…" servers are the new version.
Member member(const char *name, int weight, const char *state, const char *check = "")
{
    const QString n = QString::fromLatin1(name);
    return {n, n.startsWith(QLatin1String("v2")) ? Version::Canary : Version::Stable, weight, QString::fromLatin1(state),
            QString::fromLatin1(check)};
}

const Member oldUp = member("v1-a", 256, "UP", "L7OK");

} // namespace

class TestHealthWait final : public QObject
{
    Q_OBJECT
private slots:
    // Each row: optionally start() at t0 (a move was applied), then one read at t0 ("before":
    // the servers about to get traffic are `added`; "after": every new server with traffic;
    // "none": no read), then optionally a tick `tickAfterMs` later. The last decision is checked.
    void decides_data()
    {
        QTest::addColumn<bool>("started");
        QTest::addColumn<QString>("read");
        QTest::addColumn<QList<Member>>("members");
        QTest::addColumn<QStringList>("added");
        QTest::addColumn<bool>("deciding");
        QTest::addColumn<qint64>("tickAfterMs");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("reason");
        QTest::addColumn<QString>("line");

        const QStringList a{QStringLiteral("v2-a")};
        const QString none;
        const qint64 noTick = -1;
        const qint64 late = HealthWait::timeoutMs + 1;
        const QString before = QStringLiteral("before");
        const QString after = QStringLiteral("after");
        const QString noRead = QStringLiteral("none");

        // Before the move.
        QTest::newRow("before: checks pass") << false << before << QList<Member>{oldUp, member("v2-a", 0, "UP", "L7OK")} << a
                                             << true << noTick << int(Kind::Passed) << none << none;
        QTest::newRow("before: no check") << false << before << QList<Member>{member("v2-a", 0, "UP")} << a << true << noTick
                                          << int(Kind::Passed) << none << none;
        QTest::newRow("before: DOWN rolls back") << false << before << QList<Member>{member("v2-a", 0, "DOWN", "L7STS")} << a
                                                 << true << noTick << int(Kind::RollBack)
                                                 << QStringLiteral("health check: v2-a DOWN (check L7STS) fails before getting traffic") << none;
        QTest::newRow("before: coming up waits") << false << before << QList<Member>{member("v2-a", 0, "DOWN 1/2", "L7OK")} << a
                                                 << true << noTick << int(Kind::Wait) << none
                                                 << QStringLiteral("step 1/3 (1 server): waiting for v2-a DOWN 1/2 (check L7OK) before giving it traffic");
        QTest::newRow("before: maintenance waits") << false << before << QList<Member>{member("v2-a", 0, "MAINT", "L7OK")} << a
                                                   << true << noTick << int(Kind::Wait) << none
                                                   << QStringLiteral("step 1/3 (1 server): waiting for v2-a MAINT (check L7OK) before giving it traffic");
        QTest::newRow("before: only the added ones count")
            << false << before << QList<Member>{member("v2-a", 0, "UP", "L7OK"), member("v2-b", 0, "DOWN", "L7STS")} << a << true
            << noTick << int(Kind::Passed) << none << none;
        QTest::newRow("before: waited too long pauses")
            << false << before << QList<Member>{member("v2-a", 0, "DOWN 1/2", "L7OK")} << a << true << late << int(Kind::Pause)
            << QStringLiteral("step 1/3 (1 server): health checks undecided after 30 s (waiting for v2-a DOWN 1/2 (check L7OK) before "
                              "giving it traffic); resume waits again, rollback goes to 0%")
            << none;

        // After the move.
        QTest::newRow("after: checks pass") << true << after << QList<Member>{oldUp, member("v2-a", 256, "UP", "L7OK")} << a
                                            << true << noTick << int(Kind::Passed) << none
                                            << QStringLiteral("step 1/3 (1 server): health checks pass: v2-a UP (check L7OK)");
        QTest::newRow("after: checked and unchecked")
            << true << after << QList<Member>{member("v2-a", 256, "UP", "L7OK"), member("v2-b", 256, "UP")} << a << true << noTick
            << int(Kind::Passed) << none
            << QStringLiteral("step 1/3 (1 server): health checks pass: v2-a UP (check L7OK); no health check on v2-b (the gates judge it)");
        QTest::newRow("after: going down waits") << true << after << QList<Member>{member("v2-a", 256, "UP 1/3", "L7STS")} << a
                                                 << true << noTick << int(Kind::Wait) << none
                                                 << QStringLiteral("step 1/3 (1 server): waiting for health checks: v2-a UP 1/3 (check L7STS)");
        QTest::newRow("after: DOWN with traffic rolls back")
            << true << after << QList<Member>{member("v2-a", 256, "DOWN", "L7STS")} << a << true << noTick << int(Kind::RollBack)
            << QStringLiteral("health check: v2-a DOWN (check L7STS) with traffic") << none;
        QTest::newRow("after: DOWN without traffic is not judged")
            << true << after << QList<Member>{member("v2-a", 256, "UP", "L7OK"), member("v2-b", 0, "DOWN", "L7STS")} << a << true
            << noTick << int(Kind::Passed) << none << QStringLiteral("step 1/3 (1 server): health checks pass: v2-a UP (check L7OK)");
        QTest::newRow("after: old version DOWN is not the new one failing")
            << true << after << QList<Member>{member("v1-a", 256, "DOWN", "L7STS"), member("v2-a", 256, "UP", "L7OK")} << a << true
            << noTick << int(Kind::Passed) << none << QStringLiteral("step 1/3 (1 server): health checks pass: v2-a UP (check L7OK)");
        QTest::newRow("after: undecided too long pauses")
            << true << after << QList<Member>{member("v2-a", 256, "UP 1/3", "L7STS")} << a << true << late << int(Kind::Pause)
            << QStringLiteral("step 1/3 (1 server): health checks undecided after 30 s (waiting for health checks: v2-a UP 1/3 "
                              "(check L7STS)); resume waits again, rollback goes to 0%")
            << none;
        QTest::newRow("after: exactly the timeout still waits")
            << true << after << QList<Member>{member("v2-a", 256, "UP 1/3", "L7STS")} << a << true << HealthWait::timeoutMs
            << int(Kind::Idle) << none << none;
        QTest::newRow("after: no read at all pauses too")
            << true << noRead << QList<Member>{} << a << true << late << int(Kind::Pause)
            << QStringLiteral("step 1/3 (1 server): health checks undecided after 30 s (no fresh read of the servers); resume waits "
                              "again, rollback goes to 0%")
            << none;
        QTest::newRow("after: passed, then the clock does nothing")
            << true << after << QList<Member>{member("v2-a", 256, "UP", "L7OK")} << a << true << late << int(Kind::Idle) << none << none;

        // Paused (not deciding) or no move waiting: only a failure with traffic matters.
        QTest::newRow("paused: undecided is left for later")
            << true << after << QList<Member>{member("v2-a", 256, "UP 1/3", "L7STS")} << a << false << noTick << int(Kind::Idle)
            << none << none;
        QTest::newRow("paused: DOWN with traffic still rolls back")
            << true << after << QList<Member>{member("v2-a", 256, "DOWN", "L7STS")} << a << false << noTick << int(Kind::RollBack)
            << QStringLiteral("health check: v2-a DOWN (check L7STS) with traffic") << none;
        QTest::newRow("no wait: healthy says nothing") << false << after << QList<Member>{member("v2-a", 256, "UP", "L7OK")} << a
                                                       << true << noTick << int(Kind::Idle) << none << none;
        QTest::newRow("no wait: DOWN with traffic rolls back")
            << false << after << QList<Member>{member("v2-a", 256, "DOWN", "L7STS")} << a << true << noTick << int(Kind::RollBack)
            << QStringLiteral("health check: v2-a DOWN (check L7STS) with traffic") << none;
        QTest::newRow("no wait: the clock does nothing") << false << noRead << QList<Member>{} << a << true << late << int(Kind::Idle)
                                                         << none << none;
    }
    void decides()
    {
        QFETCH(bool, started);
        QFETCH(QString, read);
        QFETCH(QList<Member>, members);
        QFETCH(QStringList, added);
        QFETCH(bool, deciding);
        QFETCH(qint64, tickAfterMs);
        QFETCH(int, kind);
        QFETCH(QString, reason);
        QFETCH(QString, line);

        HealthWait w;
        if (started)
            w.start(t0);
        HealthWait::Decision d;
        if (read == QLatin1String("before"))
            d = w.beforeTraffic(step, members, added, t0);
        else if (read == QLatin1String("after"))
            d = w.withTraffic(step, members, deciding);
        if (tickAfterMs >= 0)
            d = w.onTick(step, t0 + tickAfterMs);
        QCOMPARE(int(d.kind), kind);
        QCOMPARE(d.reason, reason);
        QCOMPARE(d.line, line);
    }

    void saysTheWaitingLineOnce()
    {
        HealthWait w;
        w.start(t0);
        const QList<Member> goingDown{member("v2-a", 256, "UP 1/3", "L7STS")};
        QVERIFY(!w.withTraffic(step, goingDown, true).line.isEmpty());
        const HealthWait::Decision again = w.withTraffic(step, goingDown, true);
        QCOMPARE(int(again.kind), int(Kind::Wait));
        QCOMPARE(again.line, QString()); // nothing new to say
        // Something new is said again.
        QCOMPARE(w.withTraffic(step, {member("v2-a", 256, "UP 2/3", "L7STS")}, true).line,
                 QStringLiteral("step 1/3 (1 server): waiting for health checks: v2-a UP 2/3 (check L7STS)"));
        // A new step starts afresh: no wait, nothing said.
        w.reset();
        QVERIFY(!w.isWaiting());
        QCOMPARE(w.sinceMs(), -1);
        QCOMPARE(int(w.onTick(step, t0 + 10 * HealthWait::timeoutMs).kind), int(Kind::Idle));
        const QList<Member> comingUp{member("v2-a", 0, "DOWN 1/2", "L7OK")};
        QVERIFY(!w.beforeTraffic(step, comingUp, {QStringLiteral("v2-a")}, t0).line.isEmpty());
        QVERIFY(w.beforeTraffic(step, comingUp, {QStringLiteral("v2-a")}, t0 + 1000).line.isEmpty());
    }

    void timeoutCountsFromTheFirstUndecidedAnswerOrTheMove()
    {
        HealthWait w;
        const QList<Member> comingUp{member("v2-a", 0, "DOWN 1/2", "L7OK")};
        w.beforeTraffic(step, comingUp, {QStringLiteral("v2-a")}, t0);
        w.beforeTraffic(step, comingUp, {QStringLiteral("v2-a")}, t0 + 20000); // later reads do not restart it
        QCOMPARE(w.sinceMs(), t0);
        QCOMPARE(int(w.onTick(step, t0 + HealthWait::timeoutMs + 1).kind), int(Kind::Pause));
        // The move itself starts a new wait with its own 30 s.
        w.start(t0 + 25000);
        QVERIFY(w.isWaiting());
        QCOMPARE(int(w.onTick(step, t0 + HealthWait::timeoutMs + 1).kind), int(Kind::Idle));
        QCOMPARE(int(w.onTick(step, t0 + 25000 + HealthWait::timeoutMs + 1).kind), int(Kind::Pause));
    }
};

QTEST_GUILESS_MAIN(TestHealthWait)
#include "tst_healthwait.moc"
