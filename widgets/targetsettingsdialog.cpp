#include "targetsettingsdialog.h"
#include "offthread.h"

#include "targetconfigwriter.h"
#include "targetcontroller.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonObject>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QVBoxLayout>

namespace Switchboard {

TargetSettingsDialog::TargetSettingsDialog(TargetController *controller, const QString &targetsPath, QWidget *parent)
    : QDialog(parent)
    , m_controller(controller)
    , m_path(targetsPath)
    , m_result(new QLabel(this))
{
    setWindowTitle(tr("%1 · metrics settings").arg(controller->name()));
    const QJsonObject prom = controller->config().settings.value(QStringLiteral("prometheus")).toObject();
    const QJsonObject queries = prom.value(QStringLiteral("queries")).toObject();
    auto *form = new QFormLayout;
    for (const QString &key : queryKeys()) {
        auto *edit = new QPlainTextEdit(queries.value(key).toString(), this);
        edit->setObjectName(QStringLiteral("query_") + key);
        edit->setPlaceholderText(tr("built-in default (empty)"));
        edit->setFixedHeight(edit->fontMetrics().height() * 3 + 12);
        auto *test = new QPushButton(tr("Test"), this);
        test->setObjectName(QStringLiteral("test_") + key);
        connect(test, &QPushButton::clicked, this, [this, key] { testQuery(key); });
        auto *row = new QHBoxLayout;
        row->addWidget(edit, 1);
        row->addWidget(test);
        form->addRow(key, row);
        m_edits.append(edit);
    }
    m_result->setObjectName(QStringLiteral("testResult"));
    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *hint = new QLabel(tr("Placeholders: {{version}}, {{versions}}, {{window}}, {{backend}}. "
                               "Saved to %1 and applied at once (the event log says so).")
                                .arg(m_path.isEmpty() ? tr("(no file: demo target)") : m_path), this);
    hint->setWordWrap(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Close, this);
    // A read-only target (or app) writes nothing, not even its own targets.json; Test still runs.
    QPushButton *saveButton = buttons->button(QDialogButtonBox::Save);
    saveButton->setObjectName(QStringLiteral("saveButton"));
    saveButton->setEnabled(!m_path.isEmpty() && !controller->isReadOnly());
    if (controller->isReadOnly())
        saveButton->setToolTip(tr("read-only: %1").arg(controller->readOnlyReason()));
    // Save closes the dialog once the file has the queries (written off the GUI thread).
    connect(buttons, &QDialogButtonBox::accepted, this, [this] { m_closeWhenSaved = save(); });
    connect(this, &TargetSettingsDialog::saved, this, [this](bool ok) {
        if (ok && m_closeWhenSaved)
            accept();
        m_closeWhenSaved = false;
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(controller, &TargetController::testQueryFinished, this, [this](quint64 token, bool ok, const QString &text) {
        if (token != m_token)
            return; // an answer to an earlier click
        m_result->setText((ok ? QStringLiteral("✓ ") : QStringLiteral("✗ ")) + text);
        m_result->setStyleSheet(ok ? QString() : QStringLiteral("color: #c62828;"));
        Q_EMIT testFinished(ok, text);
    });
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_result);
    layout->addWidget(hint);
    layout->addWidget(buttons);
    resize(760, 420);
}

QStringList TargetSettingsDialog::queryKeys()
{
    return {QStringLiteral("rps"), QStringLiteral("errorRatio"), QStringLiteral("p50"), QStringLiteral("p95"), QStringLiteral("p99")};
}

QString TargetSettingsDialog::query(const QString &key) const
{
    const int i = int(queryKeys().indexOf(key));
    return i < 0 ? QString() : m_edits.at(i)->toPlainText().trimmed();
}

void TargetSettingsDialog::setQuery(const QString &key, const QString &text)
{
    const int i = int(queryKeys().indexOf(key));
    if (i >= 0)
        m_edits.at(i)->setPlainText(text);
}

QString TargetSettingsDialog::lastResult() const
{
    return m_result->text();
}

void TargetSettingsDialog::testQuery(const QString &key)
{
    if (!m_controller)
        return;
    const QString q = query(key);
    if (q.isEmpty()) {
        m_result->setText(tr("empty: the built-in default is used"));
        return;
    }
    m_result->setText(tr("running…"));
    m_token = m_controller->testQuery(q);
}

bool TargetSettingsDialog::save()
{
    if (!m_controller || m_path.isEmpty() || m_controller->isReadOnly() || m_saving)
        return false;
    // Start from what the file had: keys this dialog does not show (sampleTime, ...) stay, and
    // a query deliberately set to "" (metric switched off) stays off when left empty here.
    QJsonObject queries = m_controller->config().settings.value(QStringLiteral("prometheus")).toObject()
                              .value(QStringLiteral("queries")).toObject();
    for (const QString &key : queryKeys()) {
        if (!query(key).isEmpty())
            queries.insert(key, query(key));
        else if (queries.value(key).toString() != QString())
            queries.remove(key); // emptied by the operator: back to the built-in default
    }
    m_saving = true;
    m_result->setText(tr("saving to %1…").arg(m_path));
    // The file is written on a pool thread; the answer goes to the controller even if this
    // dialog was closed meanwhile (the file has them: the running target takes them too).
    QPointer<TargetSettingsDialog> dialog(this);
    TargetController *controller = m_controller; // the answer's context: alive whenever it comes
    const QString path = m_path;
    runOffThread(
        controller,
        [path, target = controller->name(), queries] {
            QString error;
            updateTargetSetting(path, target, QStringLiteral("prometheus"), QStringLiteral("queries"), queries, &error);
            return error;
        },
        [dialog, controller, path, queries](const QString &error) {
            if (error.isEmpty()) {
                // The running target takes them too: no restart to find out whether they work.
                QJsonObject settings = controller->config().settings;
                QJsonObject prom = settings.value(QStringLiteral("prometheus")).toObject();
                prom.insert(QStringLiteral("queries"), queries);
                settings.insert(QStringLiteral("prometheus"), prom);
                controller->applySettings(settings);
            }
            if (!dialog)
                return;
            dialog->m_saving = false;
            dialog->m_result->setText(error.isEmpty() ? tr("saved to %1").arg(path) : QStringLiteral("✗ ") + error);
            Q_EMIT dialog->saved(error.isEmpty());
        });
    return true;
}

} // namespace Switchboard
