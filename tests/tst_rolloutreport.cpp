// A rollout's evidence (issue 16): a real rollout on the simulator that a failing gate rolls
// back, written to an audit log; the history rebuilt from that log alone; the report made from it
// as Markdown, HTML and PDF, its numbers checked against the log's own entries, and the PDF
// turned into PNG pages with pdftoppm and checked for ink.
#include "auditlog.h"
#include "reportexport.h"
#include "reportexporter.h"
#include "reportwriter.h"
#include "rolloutengine.h"
#include "rollouthistory.h"
#include "rollouthistorydialog.h"
#include "rolloutlistmodel.h"
#include "rolloutplan.h"
#include "rolloutreporttext.h"
#include "simtarget.h"
#include "simworld.h"
#include "targetcontroller.h"
#include "timeseriesmodel.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QImage>
#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Switchboard;

namespace {

GateSpec reportErrorGate()
{
    GateSpec g;
    g.name = QStringLiteral("error-ratio");
    g.metric = GateSpec::Metric::ErrorRatio;
    g.max = 0.01;
    g.failureLimit = 1;
    g.minRequests = 5;
    return g;
}

QList<QJsonObject> readEntries(const QString &path, const QString &action = {})
{
    QList<QJsonObject> all;
    QString error;
    if (!RolloutHistory::readFile(path, &all, &error))
        qWarning("%s", qPrintable(error));
    QList<QJsonObject> out;
    for (const QJsonObject &o : all)
        if (action.isEmpty() || o.value(QStringLiteral("action")).toString() == action)
            out.append(o);
    return out;
}

} // namespace

class TestRolloutReport : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_auditPath;
    std::unique_ptr<AuditLog> m_audit;
    std::unique_ptr<SimTarget> m_target;
    QString m_rolloutId;

    ReportExport::Request request(const QString &out) const
    {
        ReportExport::Request r;
        r.auditPath = m_auditPath;
        r.target = QStringLiteral("demo");
        r.kind = QStringLiteral("sim");
        r.outPath = m_dir.filePath(out);
        r.nowMs = QDateTime::currentMSecsSinceEpoch();
        r.healthColumns = m_target->controller->healthHistory()->valueColumns();
        r.health = m_target->controller->healthHistory()->rows();
        r.splitColumns = m_target->controller->splitHistory()->valueColumns();
        r.split = m_target->controller->splitHistory()->rows();
        return r;
    }

private slots:
    // One real rollout for every test below: 10%, an analysis, a long pause; the canary starts
    // failing 20% during the pause and the gate rolls it back.
    void initTestCase()
    {
        m_auditPath = m_dir.filePath(QStringLiteral("audit.jsonl"));
        m_audit = std::make_unique<AuditLog>(m_auditPath);
        m_target = std::make_unique<SimTarget>(100, m_audit.get());
        TargetController *c = m_target->controller.get();
        c->start();
        QTRY_VERIFY(c->hasSnapshot());
        RolloutPlan plan;
        plan.name = QStringLiteral("evidence");
        plan.steps = {RolloutStep::setWeight(10), RolloutStep::analysis(600, 2), RolloutStep::pause(60000), RolloutStep::setWeight(100)};
        plan.gates = {reportErrorGate()};
        RolloutEngine *e = c->startRollout(plan);
        QVERIFY(e);
        m_rolloutId = e->id();
        QSignalSpy finished(e, &RolloutEngine::finished);
        QTRY_COMPARE_WITH_TIMEOUT(e->currentStep(), 2, 15000);
        m_target->world->setCanaryFault(0.2, 13, 55, QDateTime::currentMSecsSinceEpoch());
        QVERIFY(finished.wait(15000) || !finished.isEmpty());
        QCOMPARE(e->state(), RolloutEngine::State::RolledBack);
        // An operator elsewhere (another process) looks in after it: not part of the rollout's window.
        QVERIFY(m_audit->drain(10000));
    }

    void cleanupTestCase()
    {
        m_target.reset();
        m_audit.reset();
    }

    void historyIsRebuiltFromTheAuditLogAlone()
    {
        const QList<RolloutRecord> all = RolloutHistory::fromEntries(readEntries(m_auditPath));
        QCOMPARE(all.size(), 1);
        const RolloutRecord &r = all.constFirst();
        QCOMPARE(r.id, m_rolloutId);
        QCOMPARE(r.target, QStringLiteral("demo"));
        QCOMPARE(r.plan, QStringLiteral("evidence"));
        QCOMPARE(r.outcome, QStringLiteral("rolled back"));
        QVERIFY2(r.outcomeReason.contains(QStringLiteral("error-ratio")), qPrintable(r.outcomeReason));
        QCOMPARE(r.startedBy, AuditLog::currentUser());
        QVERIFY(r.isFinished());
        QVERIFY(r.endMs >= r.startMs);
        // Steps 1..3 were entered, in order, each with its time.
        QCOMPARE(r.steps.size(), 3);
        for (int i = 0; i < r.steps.size(); ++i) {
            QCOMPARE(r.steps.at(i).number, i + 1);
            QVERIFY(r.steps.at(i).timeMs >= r.startMs);
        }
        QCOMPARE(r.steps.at(0).label, QStringLiteral("10%"));
        // The failing gate is there with the numbers the engine judged.
        const auto failed = std::find_if(r.gates.cbegin(), r.gates.cend(), [](const auto &g) { return g.outcome == QStringLiteral("FAIL"); });
        QVERIFY(failed != r.gates.cend());
        QVERIFY(failed->canary > 0.01);
        QCOMPARE(failed->threshold, 0.01);
        // Every action of the window: the start, the 10% change, the rollback, the end.
        QStringList actions;
        for (const auto &a : r.actions)
            actions << a.action;
        for (const char *a : {"rollout-start", "set-weight", "rollback", "rollout-end"})
            QVERIFY2(actions.contains(QLatin1String(a)), qPrintable(actions.join(QLatin1Char(','))));
        // A second rollout that died without an end (killed CLI) is listed as unfinished, and
        // closes nothing of the first.
        QList<QJsonObject> more = readEntries(m_auditPath);
        QJsonObject start = readEntries(m_auditPath, QStringLiteral("rollout-start")).constFirst();
        start.insert(QStringLiteral("rollout"), QStringLiteral("killed-one"));
        start.insert(QStringLiteral("time"), QStringLiteral("2099-01-01T00:00:00.000Z"));
        more.append(start);
        const QList<RolloutRecord> two = RolloutHistory::fromEntries(more);
        QCOMPARE(two.size(), 2);
        QCOMPARE(two.at(0).outcome, QStringLiteral("rolled back"));
        QCOMPARE(two.at(1).id, QStringLiteral("killed-one"));
        QCOMPARE(two.at(1).outcome, QStringLiteral("unfinished"));
    }

    void reportNumbersMatchTheAuditLog()
    {
        const ReportExport::Result result = ReportExport::run(request(QStringLiteral("report.md")));
        QVERIFY2(result.ok, qPrintable(result.error));
        QCOMPARE(result.rolloutId, m_rolloutId);
        QCOMPARE(result.outcome, QStringLiteral("rolled back"));
        QCOMPARE(result.files.size(), 5); // four charts next to the Markdown
        QFile f(m_dir.filePath(QStringLiteral("report.md")));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString md = QString::fromUtf8(f.readAll());
        QVERIFY(md.contains(QStringLiteral("demo (sim)")));
        QVERIFY(md.contains(m_rolloutId));
        QVERIFY(md.contains(QStringLiteral("**Outcome:** rolled back: ")));
        // Each gate entry of the log, with its numbers as the log has them.
        const QList<QJsonObject> gates = readEntries(m_auditPath, QStringLiteral("rollout-gate"));
        QVERIFY(!gates.isEmpty());
        for (const QJsonObject &e : gates) {
            const QJsonObject g = e.value(QStringLiteral("gateResult")).toObject();
            const QString metric = g.value(QStringLiteral("metric")).toString();
            const QString row = QStringLiteral("| %1 | error-ratio (%2) | %3 | %4 | ")
                                    .arg(RolloutReportText::time(QDateTime::fromString(e.value(QStringLiteral("time")).toString(),
                                                                                       Qt::ISODateWithMs).toMSecsSinceEpoch()),
                                         metric, g.value(QStringLiteral("outcome")).toString(),
                                         RolloutReportText::gateValue(metric, g.value(QStringLiteral("canary")).toDouble(unknown())));
            QVERIFY2(md.contains(row), qPrintable(row + QStringLiteral("\nnot in\n") + md));
        }
        // The rollback with who did it and why, as the log says.
        const QJsonObject rollback = readEntries(m_auditPath, QStringLiteral("rollback")).constFirst();
        QVERIFY(md.contains(QStringLiteral("| %1 (pid %2) | rollback | %3 |")
                                .arg(rollback.value(QStringLiteral("user")).toString())
                                .arg(rollback.value(QStringLiteral("pid")).toInteger())
                                .arg(rollback.value(QStringLiteral("result")).toString())));
        QVERIFY(md.contains(rollback.value(QStringLiteral("reason")).toString().replace(QLatin1Char('|'), QStringLiteral("\\|"))));
        // The set-weight step's percent.
        QVERIFY(md.contains(QStringLiteral("| set-weight | applied | 10% |")));
        for (int i = 1; i <= 4; ++i) {
            QVERIFY(md.contains(QStringLiteral("report-chart-%1.png").arg(i)));
            QImage chart(m_dir.filePath(QStringLiteral("report-chart-%1.png").arg(i)));
            QVERIFY(!chart.isNull());
        }
    }

    void htmlIsOneSelfContainedFile()
    {
        const ReportExport::Result result = ReportExport::run(request(QStringLiteral("report.html")));
        QVERIFY2(result.ok, qPrintable(result.error));
        QCOMPARE(result.files, QStringList{m_dir.filePath(QStringLiteral("report.html"))});
        QFile f(result.files.constFirst());
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray html = f.readAll();
        QCOMPARE(html.count("data:image/png;base64,"), 4);
        QVERIFY(html.contains("rolled back"));
    }

    // The GUI's Export report…: the rows taken on this thread, the file written on a worker,
    // the answer back here.
    void guiExportWritesOnAWorkerThread()
    {
        ReportExporter exporter;
        QSignalSpy done(&exporter, &ReportExporter::finished);
        const QString path = m_dir.filePath(QStringLiteral("gui.html"));
        exporter.exportLast(m_target->controller.get(), m_auditPath, path);
        QVERIFY(exporter.isBusy());
        QVERIFY(done.wait(30000));
        const auto result = done.constFirst().at(0).value<ReportExport::Result>();
        QVERIFY2(result.ok, qPrintable(result.error));
        QCOMPARE(result.rolloutId, m_rolloutId);
        QVERIFY(!exporter.isBusy());
        QVERIFY(QFile::exists(path));
    }

    void unknownRolloutAndExtensionAreRefused()
    {
        ReportExport::Request r = request(QStringLiteral("report.docx"));
        ReportExport::Result result = ReportExport::run(r);
        QVERIFY(!result.ok);
        QVERIFY2(result.error.contains(QStringLiteral(".pdf, .html or .md")), qPrintable(result.error));
        r = request(QStringLiteral("x.pdf"));
        r.rolloutId = QStringLiteral("nope");
        result = ReportExport::run(r);
        QVERIFY(!result.ok);
        QVERIFY2(result.error.startsWith(QStringLiteral("no rollout nope of demo")), qPrintable(result.error));
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("x.pdf"))));
    }

    void pdfPagesHaveInk()
    {
        const ReportExport::Result result = ReportExport::run(request(QStringLiteral("report.pdf")));
        QVERIFY2(result.ok, qPrintable(result.error));
        QFile pdf(m_dir.filePath(QStringLiteral("report.pdf")));
        QVERIFY(pdf.open(QIODevice::ReadOnly));
        QVERIFY(pdf.read(5) == "%PDF-");
        const QString pdftoppm = QStandardPaths::findExecutable(QStringLiteral("pdftoppm"));
        if (pdftoppm.isEmpty())
            QSKIP("pdftoppm (poppler-utils) is not installed: the PDF was written but not looked at");
        QProcess p;
        p.start(pdftoppm, {QStringLiteral("-r"), QStringLiteral("100"), QStringLiteral("-png"), pdf.fileName(), m_dir.filePath(QStringLiteral("page"))});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        const QStringList pages = QDir(m_dir.path()).entryList({QStringLiteral("page*.png")}, QDir::Files, QDir::Name);
        QVERIFY2(!pages.isEmpty(), "pdftoppm made no page");
        // For a person to look at: SWITCHBOARD_REPORT_PNG_DIR keeps the pages.
        const QString keep = qEnvironmentVariable("SWITCHBOARD_REPORT_PNG_DIR");
        if (!keep.isEmpty()) {
            QDir().mkpath(keep);
            for (const QString &name : pages)
                QFile::copy(m_dir.filePath(name), QDir(keep).filePath(name));
            QFile::copy(pdf.fileName(), QDir(keep).filePath(QStringLiteral("report.pdf")));
        }
        int amberPixels = 0;
        for (const QString &name : pages) {
            const QImage page(m_dir.filePath(name));
            QVERIFY(!page.isNull());
            int ink = 0;
            for (int y = 0; y < page.height(); y += 2)
                for (int x = 0; x < page.width(); ++x) {
                    const QColor c = page.pixelColor(x, y);
                    ink += c.lightness() < 200 ? 1 : 0;
                    amberPixels += (c.red() > 200 && c.red() - c.blue() > 80 && c.green() > 100) ? 1 : 0; // amber, anti-aliased
                }
            QVERIFY2(ink > 200, qPrintable(QStringLiteral("%1 looks blank (%2 dark samples)").arg(name).arg(ink)));
        }
        QVERIFY2(amberPixels > 20, "no canary line (amber) on any page: the charts are missing");
    }

    // View → Rollout history…: the target's rollouts from the log, newest first (one another
    // process started and never ended included), any of them exported. Last: it adds a rollout.
    void historyDialogListsAndExports()
    {
        AuditLog::Entry start;
        start.target = QStringLiteral("demo");
        start.action = QStringLiteral("rollout-start");
        start.reason = QStringLiteral("10% → 100%");
        start.result = QStringLiteral("applied");
        start.extra.insert(QStringLiteral("rollout"), QStringLiteral("other-1"));
        start.extra.insert(QStringLiteral("plan"), QStringLiteral("quick"));
        QVERIFY(m_audit->append(start));
        QVERIFY(m_audit->drain(10000));

        RolloutHistoryDialog dialog(m_target->controller.get(), m_auditPath);
        QAbstractItemModelTester tester(dialog.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy loaded(dialog.model(), &RolloutListModel::loaded);
        QVERIFY(loaded.wait(10000)); // read off the GUI thread
        QCOMPARE(loaded.constFirst().at(0).toString(), QString());
        RolloutListModel *m = dialog.model();
        QCOMPARE(m->rowCount(), 2);
        QCOMPARE(m->index(0, RolloutListModel::Id).data().toString(), QStringLiteral("other-1"));
        QCOMPARE(m->index(0, RolloutListModel::Plan).data().toString(), QStringLiteral("quick"));
        QCOMPARE(m->index(0, RolloutListModel::Outcome).data().toString(), QStringLiteral("unfinished"));
        QCOMPARE(m->index(1, RolloutListModel::Id).data().toString(), m_rolloutId);
        QCOMPARE(m->index(1, RolloutListModel::Plan).data().toString(), QStringLiteral("evidence"));
        QCOMPARE(m->index(1, RolloutListModel::Outcome).data().toString(), QStringLiteral("rolled back"));
        QCOMPARE(m->index(1, RolloutListModel::StartedBy).data().toString(), AuditLog::currentUser());
        QVERIFY(m->index(1, RolloutListModel::Started).data().toString().endsWith(QStringLiteral(" UTC")));
        QCOMPARE(dialog.selectedId(), QStringLiteral("other-1")); // the newest, selected

        dialog.selectRow(1);
        QSignalSpy done(&dialog, &RolloutHistoryDialog::reportFinished);
        const QString path = m_dir.filePath(QStringLiteral("history.md"));
        QVERIFY(dialog.exportSelected(path));
        QVERIFY(done.wait(30000));
        const auto result = done.constFirst().at(0).value<ReportExport::Result>();
        QVERIFY2(result.ok, qPrintable(result.error));
        QCOMPARE(result.rolloutId, m_rolloutId);
        QCOMPARE(result.outcome, QStringLiteral("rolled back"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.readAll().contains(m_rolloutId.toUtf8()));
    }
};

QTEST_MAIN(TestRolloutReport)
#include "tst_rolloutreport.moc"
