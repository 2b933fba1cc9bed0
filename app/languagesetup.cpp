#include "languagesetup.h"

#include <QCoreApplication>
#include <QLibraryInfo>

namespace Switchboard {

QStringList LanguageSetup::supported()
{
    return {QStringLiteral("en"), QStringLiteral("zh_CN")};
}

QString LanguageSetup::choose(const QString &requested, const QLocale &system)
{
    if (!requested.isEmpty())
        return requested;
    // uiLanguages() lists the user's preference order ("zh-Hans-CN", "zh-CN", "en-US", ...):
    // the first one we have wins. Any Chinese in Simplified script gets zh_CN.
    for (const QString &ui : system.uiLanguages()) {
        const QLocale l(ui);
        if (l.language() == QLocale::Chinese && l.script() != QLocale::TraditionalChineseScript)
            return QStringLiteral("zh_CN");
        if (l.language() == QLocale::English)
            return QStringLiteral("en");
    }
    return QStringLiteral("en");
}

QString LanguageSetup::requestedIn(const QStringList &arguments)
{
    const QString flag = QStringLiteral("--lang");
    for (int i = 1; i < arguments.size(); ++i) {
        const QString &a = arguments.at(i);
        if (a == flag)
            return i + 1 < arguments.size() ? arguments.at(i + 1) : QString();
        if (a.startsWith(flag + QLatin1Char('=')))
            return a.mid(flag.size() + 1);
    }
    return {};
}

bool LanguageSetup::install(const QString &lang, QString *error)
{
    if (!supported().contains(lang)) {
        *error = QStringLiteral("--lang must be one of %1, not \"%2\"").arg(supported().join(QStringLiteral(", ")), lang);
        return false;
    }
    if (lang == QLatin1String("en")) {
        // The source texts are English; numbers keep the system's conventions. Only the plural
        // forms ("%n gate(s) pass" → "2 gates pass") come from a translation.
        if (m_app.load(QStringLiteral(":/i18n/switchboard_en.qm")))
            QCoreApplication::installTranslator(&m_app);
        return true;
    }
    // Chinese asked for on a non-Chinese system: numbers and dates follow the language too.
    if (QLocale().language() != QLocale(lang).language())
        QLocale::setDefault(QLocale(lang));
    if (!m_app.load(QStringLiteral(":/i18n/switchboard_%1.qm").arg(lang))) {
        *error = QStringLiteral("the %1 translation is missing from the binary").arg(lang);
        return false;
    }
    QCoreApplication::installTranslator(&m_app);
    // Qt's translations come with Qt (Debian: qt6-translations-l10n).
    if (m_qt.load(QStringLiteral("qtbase_") + lang, QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(&m_qt);
    return true;
}

} // namespace Switchboard
