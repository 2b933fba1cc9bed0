#pragma once
// Chooses the GUI's language (the system's, or --lang) and installs its translators: ours, from
// the resources compiled into the binary, and Qt's own (qtbase: file dialogs, standard buttons).
// The CLI never installs one, so what scripts read stays English.

#include <QLocale>
#include <QString>
#include <QStringList>
#include <QTranslator>

namespace Switchboard {

class LanguageSetup final
{
public:
    // The languages the GUI has: "en" (the source texts) and "zh_CN".
    static QStringList supported();
    // `requested` (--lang) when given, else the first of the user's UI languages we have,
    // else English. A requested language we do not have is returned as is: check supported().
    static QString choose(const QString &requested, const QLocale &system);
    // The value of --lang in argv ("--lang X" or "--lang=X"), empty when absent. Read before
    // the command line is parsed, so that --help is already in the chosen language.
    static QString requestedIn(const QStringList &arguments);

    // Installs the translators for `lang` on the running QCoreApplication and makes it the
    // default locale's language. False (with the reason) when our translation cannot be loaded;
    // Qt's own missing is not an error (its dialogs then stay English).
    bool install(const QString &lang, QString *error);
    bool qtTranslated() const { return !m_qt.isEmpty(); }

private:
    QTranslator m_app;
    QTranslator m_qt;
};

} // namespace Switchboard
