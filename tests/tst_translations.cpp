// The translations (issue 14): lupdate finds every GUI string translated in zh_CN (none
// unfinished, none obsolete), the placeholders survive translation, the language follows the
// system or --lang, Qt's own dialogs are translated, and the CLI's output stays English.
#include "languagesetup.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QLibraryInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

using namespace Switchboard;

namespace {

struct TsEntry
{
    QString context;
    QString source;
    QString translation;
    QString type; // "", "unfinished", "vanished", "obsolete"
};

QList<TsEntry> readTs(const QString &path)
{
    QList<TsEntry> out;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return out;
    QXmlStreamReader xml(&f);
    QString context;
    TsEntry e;
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement())
            continue;
        if (xml.name() == QLatin1String("name"))
            context = xml.readElementText();
        else if (xml.name() == QLatin1String("message"))
            e = TsEntry{context, {}, {}, {}};
        else if (xml.name() == QLatin1String("source"))
            e.source = xml.readElementText();
        else if (xml.name() == QLatin1String("translation")) {
            e.type = xml.attributes().value(QLatin1String("type")).toString();
            e.translation = xml.readElementText(QXmlStreamReader::IncludeChildElements);
            out.append(e);
        }
    }
    return out;
}

QSet<QString> placeholders(const QString &s)
{
    static const QRegularExpression re(QStringLiteral("%(\\d+|n)"));
    QSet<QString> out;
    for (auto it = re.globalMatch(s); it.hasNext();)
        out.insert(it.next().captured(0));
    return out;
}

} // namespace

class TestTranslations : public QObject
{
    Q_OBJECT

private slots:
    void lupdateFindsNothingUnfinishedOrObsolete()
    {
        // lupdate over the sources into a copy: what `update_translations` would change.
        QTemporaryDir dir;
        const QString copy = dir.filePath(QStringLiteral("switchboard_zh_CN.ts"));
        QVERIFY(QFile::copy(QStringLiteral(SWITCHBOARD_SOURCE_DIR "/resources/translations/switchboard_zh_CN.ts"), copy));
        QFile::setPermissions(copy, QFile::ReadOwner | QFile::WriteOwner);
        QProcess lupdate;
        lupdate.setWorkingDirectory(QStringLiteral(SWITCHBOARD_SOURCE_DIR));
        QStringList args = QStringLiteral(LUPDATE_OPTIONS).split(QLatin1Char('|'), Qt::SkipEmptyParts);
        args += QStringLiteral(LUPDATE_DIRS).split(QLatin1Char('|'), Qt::SkipEmptyParts);
        args << QStringLiteral("-ts") << copy;
        lupdate.start(QStringLiteral(LUPDATE_BINARY), args);
        QVERIFY(lupdate.waitForFinished(60000));
        QVERIFY2(lupdate.exitCode() == 0, lupdate.readAllStandardError().constData());

        const QList<TsEntry> entries = readTs(copy);
        QVERIFY(entries.size() > 150);
        QStringList problems;
        for (const TsEntry &e : entries) {
            if (e.type == QLatin1String("unfinished") || e.translation.isEmpty())
                problems << QStringLiteral("unfinished: %1 \"%2\"").arg(e.context, e.source);
            else if (e.type == QLatin1String("vanished") || e.type == QLatin1String("obsolete"))
                problems << QStringLiteral("%1: %2 \"%3\"").arg(e.type, e.context, e.source);
        }
        QVERIFY2(problems.isEmpty(), qPrintable(QStringLiteral("run `cmake --build build --target update_translations` and translate:\n")
                                                + problems.join(QLatin1Char('\n'))));
    }

    void translationsKeepTheirPlaceholders()
    {
        const QList<TsEntry> entries = readTs(QStringLiteral(SWITCHBOARD_SOURCE_DIR "/resources/translations/switchboard_zh_CN.ts"));
        QVERIFY(!entries.isEmpty());
        for (const TsEntry &e : entries)
            QVERIFY2(placeholders(e.source) == placeholders(e.translation), qPrintable(e.context + QLatin1Char(' ') + e.source));
    }

    void languageFollowsTheSystemUnlessAsked()
    {
        QCOMPARE(LanguageSetup::choose(QString(), QLocale(QLocale::Chinese, QLocale::China)), QStringLiteral("zh_CN"));
        QCOMPARE(LanguageSetup::choose(QString(), QLocale(QLocale::English, QLocale::UnitedStates)), QStringLiteral("en"));
        QCOMPARE(LanguageSetup::choose(QString(), QLocale(QLocale::German, QLocale::Germany)), QStringLiteral("en"));
        QCOMPARE(LanguageSetup::choose(QStringLiteral("en"), QLocale(QLocale::Chinese, QLocale::China)), QStringLiteral("en"));
        QCOMPARE(LanguageSetup::choose(QStringLiteral("zh_CN"), QLocale::c()), QStringLiteral("zh_CN"));
        const QString app = QStringLiteral("switchboard");
        QCOMPARE(LanguageSetup::requestedIn({app, QStringLiteral("--demo"), QStringLiteral("--lang"), QStringLiteral("zh_CN")}), QStringLiteral("zh_CN"));
        QCOMPARE(LanguageSetup::requestedIn({app, QStringLiteral("--lang=en")}), QStringLiteral("en"));
        QCOMPARE(LanguageSetup::requestedIn({app, QStringLiteral("--demo")}), QString());
        LanguageSetup unsupported;
        QString error;
        QVERIFY(!unsupported.install(QStringLiteral("fr"), &error));
        QVERIFY(error.contains(QStringLiteral("zh_CN")));
    }

    void chineseTranslatesOursAndQtsOwn()
    {
        QCOMPARE(QCoreApplication::translate("Switchboard::WeightControlsWidget", "ROLLBACK"), QStringLiteral("ROLLBACK"));
        LanguageSetup language;
        QString error;
        QVERIFY2(language.install(QStringLiteral("zh_CN"), &error), qPrintable(error));
        QCOMPARE(QCoreApplication::translate("Switchboard::WeightControlsWidget", "ROLLBACK"), QStringLiteral("回滚"));
        QCOMPARE(QCoreApplication::translate("Switchboard::MainWindow", "&Help"), QStringLiteral("帮助(&H)"));
        // Standard buttons and file dialogs: Qt's own translation (qt6-translations-l10n).
        QVERIFY2(language.qtTranslated(), qPrintable(QLibraryInfo::path(QLibraryInfo::TranslationsPath)));
        QCOMPARE(QCoreApplication::translate("QPlatformTheme", "Cancel"), QStringLiteral("取消"));
        QLocale::setDefault(QLocale::c());
    }

    void cliStaysEnglishHelpFollowsTheLanguage()
    {
        QTemporaryDir home;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("LANG"), QStringLiteral("zh_CN.UTF-8"));
        env.insert(QStringLiteral("LC_ALL"), QStringLiteral("zh_CN.UTF-8"));
        env.insert(QStringLiteral("LANGUAGE"), QStringLiteral("zh_CN"));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral("data")));
        auto run = [&env](const QStringList &args, QByteArray *out, QByteArray *err) {
            QProcess p;
            p.setProcessEnvironment(env);
            p.start(QStringLiteral(SWITCHBOARD_BINARY), args);
            if (!p.waitForFinished(30000))
                return -1;
            *out = p.readAllStandardOutput();
            *err = p.readAllStandardError();
            return p.exitCode();
        };
        QByteArray out, err;
        // A CLI error under a Chinese system and --lang zh_CN: English, one line, as scripts expect.
        QCOMPARE(run({QStringLiteral("status"), QStringLiteral("--target"), QStringLiteral("nope"), QStringLiteral("--lang"),
                      QStringLiteral("zh_CN")}, &out, &err), 2);
        QVERIFY2(err.startsWith("switchboard: "), err.constData());
        for (QChar c : QString::fromUtf8(err))
            QVERIFY2(c.unicode() < 0x2e80, err.constData()); // no CJK
        // --help follows the system's language; --lang en overrides it.
        QCOMPARE(run({QStringLiteral("--help")}, &out, &err), 0);
        QVERIFY2(QString::fromUtf8(out).contains(QStringLiteral("使用内置模拟器打开")), out.constData());
        QCOMPARE(run({QStringLiteral("--help"), QStringLiteral("--lang"), QStringLiteral("en")}, &out, &err), 0);
        QVERIFY2(out.contains("Open on the built-in simulator."), out.constData());
        QCOMPARE(run({QStringLiteral("--version"), QStringLiteral("--lang"), QStringLiteral("xx")}, &out, &err), 2);
        QVERIFY2(err.startsWith("switchboard: --lang"), err.constData());
    }
};

QTEST_GUILESS_MAIN(TestTranslations)
#include "tst_translations.moc"
