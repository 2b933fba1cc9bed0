#include "reportexporter.h"

#include "targetcontroller.h"
#include "timeseriesmodel.h"

#include <QDateTime>
#include <QPointer>
#include <QThread>

namespace Switchboard {

ReportExporter::ReportExporter(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<ReportExport::Result>();
}

ReportExporter::~ReportExporter()
{
    for (QThread *t : std::as_const(m_threads)) {
        t->wait();
        delete t;
    }
}

void ReportExporter::exportLast(const TargetController *target, const QString &auditPath, const QString &outPath)
{
    exportRollout(target, auditPath, QString(), outPath);
}

void ReportExporter::exportRollout(const TargetController *target, const QString &auditPath, const QString &rolloutId,
                                   const QString &outPath)
{
    ReportExport::Request request;
    request.auditPath = auditPath;
    request.rolloutId = rolloutId;
    request.target = target->name();
    request.kind = target->config().kind;
    request.outPath = outPath;
    request.nowMs = QDateTime::currentMSecsSinceEpoch();
    request.healthColumns = target->healthHistory()->valueColumns();
    request.health = target->healthHistory()->rows();
    request.splitColumns = target->splitHistory()->valueColumns();
    request.split = target->splitHistory()->rows();
    if (!target->hasMetrics())
        request.chartNote = tr("no metrics layer configured for this target");
    else if (request.health.isEmpty() && !target->metricsError().isEmpty())
        request.chartNote = tr("no metrics: %1").arg(target->metricsError());

    ++m_running;
    QPointer<ReportExporter> self(this);
    QThread *worker = QThread::create([request, self] {
        const ReportExport::Result result = ReportExport::run(request);
        // Back on the GUI thread; dropped if the exporter is gone.
        QMetaObject::invokeMethod(self.data(), [self, result] {
            if (!self)
                return;
            --self->m_running;
            Q_EMIT self->finished(result);
        }, Qt::QueuedConnection);
    });
    worker->setObjectName(QStringLiteral("report"));
    connect(worker, &QThread::finished, this, [this, worker] {
        m_threads.removeOne(worker);
        worker->deleteLater();
    });
    m_threads.append(worker);
    worker->start();
}

} // namespace Switchboard
