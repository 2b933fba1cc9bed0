// Test helper: appends audit entries to argv[1] as fast as it can until it is killed, so a test
// can kill it at an arbitrary moment and check that no completed entry is lost or corrupted.
// Each entry is drained before the next (that is when it is completed), and "drained N" is
// printed once entry N is: every entry the test saw reported must be in the file.
#include "auditlog.h"

#include <QCoreApplication>

#include <cstdio>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (argc < 3)
        return 2;
    const QString tag = QString::fromLocal8Bit(argv[2]); // tells the writers of several rounds apart
    Switchboard::AuditLog log(QString::fromLocal8Bit(argv[1]));
    for (qint64 i = 0;; ++i) {
        Switchboard::AuditLog::Entry e;
        e.target = QStringLiteral("shop");
        e.action = QStringLiteral("set-weight");
        e.reason = QStringLiteral("%1 entry %2 ").arg(tag).arg(i) + QString(200, QLatin1Char('x')); // a realistic size
        e.result = QStringLiteral("applied");
        e.extra.insert(QStringLiteral("writer"), tag);
        e.extra.insert(QStringLiteral("index"), i);
        log.append(e);
        if (!log.drain())
            return 1;
        std::printf("drained %lld\n", static_cast<long long>(i));
        std::fflush(stdout);
    }
}
