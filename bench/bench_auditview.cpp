// How long does opening the audit view hold the GUI thread? Writes an audit log of N entries
// (realistic lines: a weight change with before/after, about 400 bytes each), then, in the same
// run:
//   - on the GUI thread, as the audit view did before: read and parse the whole file there
//     (AuditLogModel::readChunk called directly), the time the event loop stood still;
//   - as it does now: AuditLogModel reads and parses on a pool thread; a 1 ms timer on the GUI
//     thread measures the longest gap between its ticks until the rows are in (the reset of the
//     model with N rows is the only part left on the GUI thread).
// Each is run RUNS times; medians and worst printed.
//
// Usage: bench_auditview [ENTRIES] [RUNS]   (default 200000 entries, 5 runs)

#include "auditlogmodel.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>

using namespace Switchboard;

namespace {

double median(QList<double> v)
{
    std::sort(v.begin(), v.end());
    return v.isEmpty() ? 0 : v.at(v.size() / 2);
}

double worst(const QList<double> &v)
{
    return v.isEmpty() ? 0 : *std::max_element(v.cbegin(), v.cend());
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int entries = argc > 1 ? std::max(1, QString::fromLocal8Bit(argv[1]).toInt()) : 200000;
    const int runs = argc > 2 ? std::max(1, QString::fromLocal8Bit(argv[2]).toInt()) : 5;
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("audit.jsonl"));
    {
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly)) {
            std::fprintf(stderr, "bench_auditview: cannot write %s\n", qPrintable(path));
            return 2;
        }
        for (int i = 0; i < entries; ++i) {
            const int c = i % 101;
            const QJsonObject e{{QStringLiteral("time"), QStringLiteral("2026-12-03T08:%1:%2.000Z").arg(i / 60 % 60, 2, 10, QLatin1Char('0')).arg(i % 60, 2, 10, QLatin1Char('0'))},
                                {QStringLiteral("user"), QStringLiteral("ana")},
                                {QStringLiteral("pid"), 4242},
                                {QStringLiteral("target"), QStringLiteral("svc-%1").arg(i % 300)},
                                {QStringLiteral("action"), QStringLiteral("set-weight")},
                                {QStringLiteral("reason"), QStringLiteral("canary step")},
                                {QStringLiteral("result"), QStringLiteral("applied")},
                                {QStringLiteral("canaryPercent"), c},
                                {QStringLiteral("before"), QJsonObject{{QStringLiteral("shop-v1-a"), 256}, {QStringLiteral("shop-v2-a"), 0}}},
                                {QStringLiteral("after"), QJsonObject{{QStringLiteral("shop-v1-a"), 256 - c}, {QStringLiteral("shop-v2-a"), c}}},
                                {QStringLiteral("message"), QStringLiteral("canary %1% · stable %2% on all 2 endpoints").arg(c).arg(100 - c)}};
            f.write(QJsonDocument(e).toJson(QJsonDocument::Compact) + '\n');
        }
    }
    const double mb = double(QFile(path).size()) / (1024.0 * 1024.0);
    std::printf("bench_auditview: an audit log of %d entries (%.1f MiB), %d runs each\n\n", entries, mb, runs);

    QList<double> before; // the GUI thread reading and parsing it itself
    QList<double> nowStall;
    QList<double> nowShown;
    for (int r = 0; r < runs; ++r) {
        QElapsedTimer t;
        t.start();
        const AuditLogModel::Chunk c = AuditLogModel::readChunk(path, 0, true);
        before.append(double(t.nsecsElapsed()) / 1e6);
        if (c.entries.size() != entries) {
            std::fprintf(stderr, "bench_auditview: read %lld of %d entries\n", qint64(c.entries.size()), entries);
            return 1;
        }

        AuditLogModel model(path); // starts its read off this thread
        QSignalSpy read(&model, &AuditLogModel::readFinished);
        QElapsedTimer shown;
        shown.start();
        QElapsedTimer sinceTick;
        sinceTick.start();
        double longest = 0;
        QTimer ticker;
        ticker.setTimerType(Qt::PreciseTimer);
        QObject::connect(&ticker, &QTimer::timeout, &ticker, [&] {
            longest = std::max(longest, double(sinceTick.nsecsElapsed()) / 1e6);
            sinceTick.restart();
        });
        ticker.start(1);
        if (!read.wait(60000) || model.rowCount() != entries) {
            std::fprintf(stderr, "bench_auditview: the model showed %d of %d entries\n", model.rowCount(), entries);
            return 1;
        }
        nowShown.append(double(shown.nsecsElapsed()) / 1e6);
        // The reset itself ran in the pass that delivered readFinished: count it.
        longest = std::max(longest, double(sinceTick.nsecsElapsed()) / 1e6);
        nowStall.append(longest);
    }
    std::printf("| method                                         | GUI thread held, median | worst     | rows shown after |\n");
    std::printf("|------------------------------------------------|-------------------------|-----------|------------------|\n");
    std::printf("| read + parse on the GUI thread (before)        | %20.1f ms | %6.1f ms | %13.1f ms |\n", median(before), worst(before), median(before));
    std::printf("| AuditLogModel: pool thread, rows applied here  | %20.1f ms | %6.1f ms | %13.1f ms |\n", median(nowStall), worst(nowStall), median(nowShown));
    std::printf("\n(the second row's \"held\" is the longest gap between 1 ms ticks on the GUI thread while loading)\n");
    return 0;
}
