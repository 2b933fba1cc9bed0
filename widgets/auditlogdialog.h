#pragma once
// The audit view: every recorded action, filterable by target, action and free text, and the
// filtered entries exportable as JSON lines.

#include <QDialog>

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
    // Writes the visible entries, one JSON object per line, atomically.
    bool exportVisible(const QString &path, QString *error);

public Q_SLOTS:
    void reload();

private:
    void applyFilters();

    AuditLogModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_view;
    QComboBox *m_target;
    QComboBox *m_action;
    QLineEdit *m_text;
    QLabel *m_status;
};

} // namespace Switchboard
