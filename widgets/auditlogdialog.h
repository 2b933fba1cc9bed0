#pragma once
// The audit view: every recorded action, filterable by target, action and free text, and the
// filtered entries exportable as JSON lines. It follows the file while open: an entry appended
// by this Switchboard, another one or a script shows within a second, without Reload. The file
// is read and the export written off the GUI thread (AuditLogModel, runOffThread).

#include <QDialog>
#include <QTimer>

class QComboBox;
class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;

namespace Switchboard {

class AuditLogModel;

class AuditLogDialog final : public QDialog
{
    Q_OBJECT
public:
    explicit AuditLogDialog(const QString &path, QWidget *parent = nullptr);

    void setTargetFilter(const QString &target); // empty: all
    void setActionFilter(const QString &action); // empty: all
    void setTextFilter(const QString &text);
    int visibleRows() const;
    // Writes the visible entries, one JSON object per line, atomically, off the GUI thread;
    // exportFinished() answers.
    void exportVisible(const QString &path);
    // Synchronous, for any thread: `lines` to `path` through QSaveFile. Empty, or the error.
    static QString writeLines(const QString &path, const QList<QByteArray> &lines);

Q_SIGNALS:
    void exportFinished(const QString &path, int entries, const QString &error);
    // The rows shown changed after a read of the file (the first one included).
    void rowsRead();

public Q_SLOTS:
    void reload();
    // Adds what was appended to the file since the last look (the timer calls it every second).
    void follow();

private:
    void applyFilters();
    void updateChoices(); // the target and action lists, from the rows; the choices kept
    void showCount(const QString &error = {});
    void onRead(int added, bool restarted, const QString &error);

    AuditLogModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_view;
    QComboBox *m_target;
    QComboBox *m_action;
    QLineEdit *m_text;
    QLabel *m_status;
    QTimer m_follow;
    bool m_stickToBottom = true; // the view was at the bottom when rows came in
    bool m_wasEmpty = true;      // ... and had none yet (columns sized to the headers alone)
};

} // namespace Switchboard
