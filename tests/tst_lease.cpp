// Operator leases: LeaseKeeper's rules (take, refuse, take over, expiry, renew, release) over the
// real file store, a kill -9 in the middle of nothing losing the lease, and the wiring from the
// factory to a backend's lease slot.

#include "backendfactory.h"
#include "fileleasestore.h"
#include "haproxyleasestore.h"
#include "kubeleasestore.h"
#include "operatorlease.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Switchboard;

class TstLease : public QObject
{
    Q_OBJECT

    static LeaseRequest take(const QString &who, bool takeOver = false, int durationS = 30)
    {
        LeaseRequest r;
        r.op = LeaseRequest::Op::Take;
        r.holder = who;
        r.purpose = QStringLiteral("release 42");
        r.durationS = durationS;
        r.takeOver = takeOver;
        return r;
    }
    static LeaseRequest op(LeaseRequest::Op o, const QString &who)
    {
        LeaseRequest r;
        r.op = o;
        r.holder = who;
        return r;
    }

private Q_SLOTS:
    void textRoundTrip()
    {
        OperatorLease l{QStringLiteral("alice@host; rm -rf"), QStringLiteral("rollout a,b c"), 1000, 2000, 30, 2};
        const QString text = l.toText();
        QVERIFY(!text.contains(QLatin1Char(' ')));
        QVERIFY(!text.contains(QLatin1Char(';')));
        OperatorLease back;
        QVERIFY(OperatorLease::fromText(text, &back));
        QCOMPARE(back, l);
        QVERIFY(!OperatorLease::fromText(QStringLiteral("v1,alice"), &back));
        QVERIFY(!OperatorLease::fromText(QStringLiteral("v1,a,b,x,2,3,0"), &back));
    }

    void takeRefuseTakeOverExpireRelease()
    {
        QTemporaryDir dir;
        FileLeaseStore store(dir.filePath(QStringLiteral("upstream.conf.lease")));
        const qint64 t0 = 1'700'000'000'000;

        LeaseResult r = LeaseKeeper::handle(&store, take(QStringLiteral("alice")), t0);
        QCOMPARE(r.outcome, LeaseResult::Outcome::Taken);
        QCOMPARE(r.lease.holder, QStringLiteral("alice"));
        QCOMPARE(r.lease.acquiredMs, t0);

        // Bob is refused while it is live, and sees who holds it and since when.
        r = LeaseKeeper::handle(&store, take(QStringLiteral("bob")), t0 + 5000);
        QCOMPARE(r.outcome, LeaseResult::Outcome::HeldByOther);
        QVERIFY(!r.ok());
        QVERIFY2(r.message.contains(QLatin1String("held by alice since")), qPrintable(r.message));
        QVERIFY2(r.message.contains(QLatin1String("release 42")), qPrintable(r.message));

        // Alice renews: acquiredMs stays, renewedMs moves.
        r = LeaseKeeper::handle(&store, op(LeaseRequest::Op::Renew, QStringLiteral("alice")), t0 + 10000);
        QCOMPARE(r.outcome, LeaseResult::Outcome::Renewed);
        QCOMPARE(r.lease.acquiredMs, t0);
        QCOMPARE(r.lease.renewedMs, t0 + 10000);

        // Bob takes it over explicitly.
        r = LeaseKeeper::handle(&store, take(QStringLiteral("bob"), true), t0 + 11000);
        QCOMPARE(r.outcome, LeaseResult::Outcome::TakenOver);
        QCOMPARE(r.previous.holder, QStringLiteral("alice"));
        QCOMPARE(r.lease.holder, QStringLiteral("bob"));
        QCOMPARE(r.lease.transitions, 1);

        // Alice's next renewal learns she lost it; her release writes nothing.
        r = LeaseKeeper::handle(&store, op(LeaseRequest::Op::Renew, QStringLiteral("alice")), t0 + 12000);
        QCOMPARE(r.outcome, LeaseResult::Outcome::HeldByOther);
        r = LeaseKeeper::handle(&store, op(LeaseRequest::Op::Release, QStringLiteral("alice")), t0 + 12000);
        QCOMPARE(r.outcome, LeaseResult::Outcome::NotHeld);
        QCOMPARE(r.lease.holder, QStringLiteral("bob"));

        // Bob crashes (never renews): after 30 s the lease is free for anyone, no take-over needed.
        r = LeaseKeeper::handle(&store, op(LeaseRequest::Op::Read, QStringLiteral("carol")), t0 + 11000 + 30001);
        QCOMPARE(r.outcome, LeaseResult::Outcome::Read);
        QVERIFY(!r.lease.isLive(t0 + 11000 + 30001));
        QVERIFY2(r.message.startsWith(QLatin1String("free (bob's lease expired")), qPrintable(r.message));
        r = LeaseKeeper::handle(&store, take(QStringLiteral("carol")), t0 + 11000 + 30001);
        QCOMPARE(r.outcome, LeaseResult::Outcome::Taken);

        // Carol releases: free at once, the record keeps who held it last.
        r = LeaseKeeper::handle(&store, op(LeaseRequest::Op::Release, QStringLiteral("carol")), t0 + 50000);
        QCOMPARE(r.outcome, LeaseResult::Outcome::Released);
        r = LeaseKeeper::handle(&store, take(QStringLiteral("alice")), t0 + 50001);
        QCOMPARE(r.outcome, LeaseResult::Outcome::Taken);
        QCOMPARE(r.lease.transitions, 3);
    }

    void conflictingWriteIsRetriedOnWhatIsThere()
    {
        // A store whose first write meets another writer (it took the lease in between).
        class Racy final : public LeaseStore
        {
        public:
            QString where() const override { return QStringLiteral("racy"); }
            bool read(OperatorLease *out, QString *version, QString *) override
            {
                *out = m_lease;
                *version = m_lease.toText();
                return true;
            }
            Write write(const OperatorLease &l, const QString &version, QString *) override
            {
                if (!m_raced) {
                    m_raced = true;
                    m_lease = OperatorLease{QStringLiteral("bob"), {}, m_now, m_now, 30, 0};
                    return Write::Conflict;
                }
                if (version != m_lease.toText())
                    return Write::Conflict;
                m_lease = l;
                return Write::Ok;
            }
            bool m_raced = false;
            qint64 m_now = 1000;
            OperatorLease m_lease;
        } racy;
        const LeaseResult r = LeaseKeeper::handle(&racy, take(QStringLiteral("alice")), 1000);
        QCOMPARE(r.outcome, LeaseResult::Outcome::HeldByOther);
        QCOMPARE(racy.m_lease.holder, QStringLiteral("bob"));
    }

    void fileStoreRefusesAStaleVersionAndKeepsJunkIntact()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("x.lease"));
        FileLeaseStore a(path);
        FileLeaseStore b(path);
        OperatorLease now;
        QString version;
        QString error;
        QVERIFY(a.read(&now, &version, &error));
        QVERIFY(version.isEmpty());
        QCOMPARE(b.write(OperatorLease{QStringLiteral("bob"), {}, 1, 1, 30, 0}, version, &error), LeaseStore::Write::Ok);
        QCOMPARE(a.write(OperatorLease{QStringLiteral("alice"), {}, 1, 1, 30, 0}, version, &error), LeaseStore::Write::Conflict);
        QVERIFY(a.read(&now, &version, &error));
        QCOMPARE(now.holder, QStringLiteral("bob"));

        // Someone's junk in the file: a clear error, and the file is left as it was.
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("not a lease\n");
        f.close();
        const LeaseResult r = LeaseKeeper::handle(&a, take(QStringLiteral("alice")), 10);
        QCOMPARE(r.outcome, LeaseResult::Outcome::Failed);
        QVERIFY2(r.message.contains(QLatin1String("does not hold a lease")), qPrintable(r.message));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), QByteArray("not a lease\n"));
    }

    void noStoreSaysSo()
    {
        const LeaseResult r = LeaseKeeper::handle(nullptr, take(QStringLiteral("alice")), 10);
        QCOMPARE(r.outcome, LeaseResult::Outcome::NoStore);
        QVERIFY(!r.ok());
    }

    void haproxyShowMapEntry()
    {
        const QString answer = QStringLiteral("0x55d0a1b2c3d0 web v1,bob,,1,2,30,0\n0x55d0a1b2c3e0 shop v1,alice,rollout,5,6,30,1\n\n");
        QString value;
        QVERIFY(HaproxyLeaseStore::findEntry(answer, QStringLiteral("shop"), &value));
        QCOMPARE(value, QStringLiteral("v1,alice,rollout,5,6,30,1"));
        QVERIFY(!HaproxyLeaseStore::findEntry(answer, QStringLiteral("sho"), &value));
        QVERIFY(!HaproxyLeaseStore::findEntry(QStringLiteral("Unknown map identifier. Please use #<id> or <file>.\n"),
                                              QStringLiteral("shop"), &value));
    }

    void kubeLeaseName()
    {
        QCOMPARE(KubeLeaseStore::leaseName(QStringLiteral("gateway-api"), QStringLiteral("Shop_Route")),
                 QStringLiteral("switchboard-gateway-api-shop-route"));
        const QString longName = KubeLeaseStore::leaseName(QStringLiteral("deployments"), QString(80, QLatin1Char('a')));
        QVERIFY(longName.size() <= 63);
    }

    void simBackendAnswersThroughItsThread()
    {
        QTemporaryDir runtime;
        qputenv("XDG_RUNTIME_DIR", runtime.path().toLocal8Bit());
        TargetConfig t;
        t.name = QStringLiteral("lease-sim");
        t.kind = QStringLiteral("sim");
        t.settings = QJsonObject{{QStringLiteral("sim"), QJsonObject{}}};
        QString error;
        std::unique_ptr<BackendHost> host = createBackends(t, &error);
        QVERIFY2(host, qPrintable(error));
        QVERIFY(host->traffic()->hasLeaseStore());
        QSignalSpy answered(host->traffic(), &TrafficBackend::leaseAnswered);
        const LeaseRequest req = take(QStringLiteral("alice"));
        QMetaObject::invokeMethod(host->traffic(), [&] { host->traffic()->handleLease(req); }, Qt::QueuedConnection);
        QVERIFY(answered.wait(5000));
        const LeaseResult r = answered.at(0).at(0).value<LeaseResult>();
        QCOMPARE(r.outcome, LeaseResult::Outcome::Taken);
        QVERIFY2(r.where.contains(runtime.path()), qPrintable(r.where));
        QVERIFY(QFile::exists(runtime.filePath(QStringLiteral("switchboard/leases/sim-lease-sim.lease"))));
    }
};

QTEST_GUILESS_MAIN(TstLease)
#include "tst_lease.moc"
