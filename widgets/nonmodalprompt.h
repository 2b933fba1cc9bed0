#pragma once
// Small questions (a file to save to or open, a name) asked in windows that block nothing, so
// that Rollback and Ctrl+Shift+R stay reachable while one is open. The answer comes later, to
// `answered`, only if the operator gives one; `context` going away drops it.

#include <QString>

#include <functional>

class QObject;
class QWidget;

namespace Switchboard {

class NonModalPrompt final
{
public:
    using Answer = std::function<void(const QString &)>;

    static void saveFile(QWidget *parent, const QString &caption, const QString &suggested, const QString &filter,
                         const QObject *context, Answer answered);
    static void openFile(QWidget *parent, const QString &caption, const QString &filter, const QObject *context,
                         Answer answered);
    static void text(QWidget *parent, const QString &title, const QString &label, const QString &initial,
                     const QObject *context, Answer answered);
};

} // namespace Switchboard
