#pragma once
// The GUI's "Export report…": takes the selected target's chart rows on the GUI thread (they
// live there), then reads the audit log and writes the report on a worker thread, and answers
// finished() back on the GUI thread. The window never waits on the disk.

#include "reportexport.h"

#include <QObject>

class QThread;

namespace Switchboard {

class TargetController;


class ReportExporter final : public QObject
{
    Q_OBJECT
public:
    explicit ReportExporter(QObject *parent = nullptr);
    // Waits for a report still being written (bounded by its own I/O) so no worker outlives us.
    ~ReportExporter() override;

    // The last rollout of `target` in the audit log at `auditPath`, to `outPath`.
    void exportLast(const TargetController *target, const QString &auditPath, const QString &outPath);
    // The rollout `rolloutId` of `target` (empty: the last).
    void exportRollout(const TargetController *target, const QString &auditPath, const QString &rolloutId,
                       const QString &outPath);
    bool isBusy() const { return m_running > 0; }

Q_SIGNALS:
    void finished(const Switchboard::ReportExport::Result &result);

private:
    int m_running = 0;
    QList<QThread *> m_threads;
};

} // namespace Switchboard

Q_DECLARE_METATYPE(Switchboard::ReportExport::Result)
