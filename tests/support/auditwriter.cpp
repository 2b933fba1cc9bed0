// Test helper: appends audit entries to argv[1] as fast as it can until it is killed, so a test
// can kill it at an arbitrary moment and check that no completed entry is lost or corrupted.
#include "auditlog.h"

#include <QCoreApplication>

#include <cstdio>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (argc < 2)
        return 2;
    Switchboard::AuditLog log(QString::fromLocal8Bit(argv[1]));
    for (qint64 i = 0;; ++i) {
        Switchboard::AuditLog::Entry e;
        e.target = QStringLiteral("shop");
        e.action = QStringLiteral("set-weight");
        e.reason = QStringLiteral("entry %1 ").arg(i) + QString(200, QLatin1Char('x')); // a realistic size
        e.result = QStringLiteral("applied");
        if (!log.append(e))
            return 1;
        if (i == 0) {
            std::printf("started\n"); // the test waits for this before it starts counting
            std::fflush(stdout);
        }
    }
}
