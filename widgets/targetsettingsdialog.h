#pragma once
// A target's metrics settings: the PromQL templates (rate, error ratio, p50, p99) with a
// "test query" button that runs one on the target's metrics thread and shows the result or
// the error, and Save, which writes them into targets.json (atomically, other keys kept).

#include <QDialog>
#include <QPointer>

class QLabel;
class QLineEdit;
class QPlainTextEdit;

namespace Switchboard {

class TargetController;

class TargetSettingsDialog final : public QDialog
{
    Q_OBJECT
public:
    // `targetsPath` empty: the target did not come from a file (the demo); Save is disabled.
    TargetSettingsDialog(TargetController *controller, const QString &targetsPath, QWidget *parent = nullptr);

    static QStringList queryKeys();
    QString query(const QString &key) const;
    void setQuery(const QString &key, const QString &text);
    QString lastResult() const;

public Q_SLOTS:
    void testQuery(const QString &key);
    // Writes the queries to the target's entry in targets.json, off the GUI thread, then
    // applies them to the running target; saved() answers. False when refused at once (no
    // file, read-only, a save under way).
    bool save();

Q_SIGNALS:
    void testFinished(bool ok, const QString &text);
    void saved(bool ok);

private:
    QPointer<TargetController> m_controller;
    QString m_path;
    QList<QPlainTextEdit *> m_edits;
    QLabel *m_result;
    quint64 m_token = 0;
    bool m_saving = false;
    bool m_closeWhenSaved = false;
};

} // namespace Switchboard
