// `switchboard report` (issue 16) after a `switchboard run` that a failing gate rolled back, as a
// change-record script uses it: the rollouts listed, the report written as PDF and Markdown with
// no display, and the errors (no rollout, an unknown extension, both --last and --rollout).
#include "clirunner.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

class TestReportCli : public QObject
{
    Q_OBJECT

    QTemporaryDir m_home;
    QString m_config;
    using Run = CliRunner::Result;

    Run run(const QStringList &args)
    {
        QStringList all = args;
        all << QStringLiteral("--config") << m_config;
        return CliRunner(QStringLiteral(SWITCHBOARD_BINARY), m_home.path()).run(all, 90000);
    }

private slots:
    void initTestCase()
    {
        m_config = m_home.filePath(QStringLiteral("cfg"));
        QDir().mkpath(m_config);
        QFile targets(m_config + QStringLiteral("/targets.json"));
        QVERIFY(targets.open(QIODevice::WriteOnly));
        targets.write("{\"targets\":[{\"name\":\"shop\",\"kind\":\"sim\",\"pollMs\":200,\"group\":\"payments\","
                      "\"sim\":{\"initialCanaryPercent\":0,\"canaryErrorRatio\":0.2}},"
                      "{\"name\":\"quiet\",\"kind\":\"sim\"}]}");
        targets.close();
        const QString presets = m_home.filePath(QStringLiteral("config/switchboard/presets"));
        QDir().mkpath(presets);
        QFile preset(presets + QStringLiteral("/quick.json"));
        QVERIFY(preset.open(QIODevice::WriteOnly));
        preset.write("{\"strategy\":\"canary\",\"gates\":[{\"name\":\"errors\",\"metric\":\"errorRatio\",\"max\":0.05,"
                     "\"failureLimit\":1}],\"steps\":[{\"setWeight\":10},{\"analysis\":{\"durationMs\":300,\"intervals\":2}},"
                     "{\"setWeight\":100}]}");
        preset.close();
        const Run r = run({QStringLiteral("run"), QStringLiteral("--target"), QStringLiteral("shop"), QStringLiteral("--preset"),
                           QStringLiteral("quick")});
        QVERIFY2(r.code == 3, qPrintable(r.out + r.err)); // rolled back
    }

    void listsTheRollouts()
    {
        const Run r = run({QStringLiteral("report"), QStringLiteral("--target"), QStringLiteral("shop"), QStringLiteral("--list")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QStringList lines = r.out.trimmed().split(QLatin1Char('\n'));
        QCOMPARE(lines.size(), 1);
        QVERIFY2(lines.constFirst().contains(QStringLiteral("quick")), qPrintable(r.out));
        QVERIFY2(lines.constFirst().endsWith(QStringLiteral("rolled back")), qPrintable(r.out));
    }

    void writesPdfAndMarkdownWithoutADisplay()
    {
        const QString pdf = m_home.filePath(QStringLiteral("shop.pdf"));
        Run r = run({QStringLiteral("report"), QStringLiteral("--target"), QStringLiteral("shop"), QStringLiteral("--last"),
                     QStringLiteral("--out"), pdf});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(QStringLiteral("(rolled back) written to ")), qPrintable(r.out));
        QFile f(pdf);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.read(5), QByteArray("%PDF-"));
        QVERIFY(f.size() > 10000); // text and four charts, not an empty page
        // --rollout ID picks the same one, as Markdown.
        const QString id = run({QStringLiteral("report"), QStringLiteral("--target"), QStringLiteral("shop"), QStringLiteral("--list")})
                               .out.section(QLatin1Char(' '), 0, 0);
        const QString md = m_home.filePath(QStringLiteral("shop.md"));
        r = run({QStringLiteral("report"), QStringLiteral("--target"), QStringLiteral("shop"), QStringLiteral("--rollout"), id,
                 QStringLiteral("--out"), md});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile m(md);
        QVERIFY(m.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(m.readAll());
        QVERIFY(text.contains(id));
        QVERIFY(text.contains(QStringLiteral("| errors (errorRatio) | FAIL |")));
        QVERIFY(text.contains(QStringLiteral("| rollback | applied |")));
        QVERIFY(QFile::exists(m_home.filePath(QStringLiteral("shop-chart-1.png"))));
    }

    void errorsAreOneLineAndExitTwo()
    {
        const QList<QStringList> cases = {
            {QStringLiteral("report"), QStringLiteral("--target"), QStringLiteral("quiet"), QStringLiteral("--out"), m_home.filePath(QStringLiteral("q.pdf"))},
            {QStringLiteral("report"), QStringLiteral("--target"), QStringLiteral("shop"), QStringLiteral("--out"), m_home.filePath(QStringLiteral("s.docx"))},
            {QStringLiteral("report"), QStringLiteral("--target"), QStringLiteral("shop"), QStringLiteral("--last"), QStringLiteral("--rollout"),
             QStringLiteral("x"), QStringLiteral("--out"), m_home.filePath(QStringLiteral("s.pdf"))},
            {QStringLiteral("report"), QStringLiteral("--target"), QStringLiteral("shop")}};
        const QStringList expected = {QStringLiteral("no rollout of quiet"), QStringLiteral(".pdf, .html or .md"),
                                      QStringLiteral("--last or --rollout ID, not both"), QStringLiteral("needs --out")};
        for (int i = 0; i < cases.size(); ++i) {
            const Run r = run(cases.at(i));
            QCOMPARE(r.code, 2);
            QVERIFY2(r.err.startsWith(QStringLiteral("switchboard: ")) && r.err.count(QLatin1Char('\n')) == 1, qPrintable(r.err));
            QVERIFY2(r.err.contains(expected.at(i)), qPrintable(r.err));
        }
        QVERIFY(!QFile::exists(m_home.filePath(QStringLiteral("q.pdf"))));
    }
};

QTEST_GUILESS_MAIN(TestReportCli)
#include "tst_report_cli.moc"
