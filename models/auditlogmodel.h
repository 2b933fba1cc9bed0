#pragma once
// The audit log (audit.jsonl) as a table for the audit view: one row per entry, newest last.
// A line that does not parse (a disk that lied, a hand edit) is shown as such, never dropped.

#include <QAbstractTableModel>
#include <QJsonObject>
#include <QList>

namespace Switchboard {

class AuditLogModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Time, User, Target, Action, Before, After, Reason, Result, ColumnCount };
    static constexpr int EntryRole = Qt::UserRole + 1; // the whole entry, QJsonObject

    explicit AuditLogModel(const QString &path, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Re-reads the file. False with *error when it exists but cannot be read.
    bool reload(QString *error = nullptr);
    QString path() const { return m_path; }
    int brokenLines() const { return m_broken; }
    // The raw line of a row, for export.
    QByteArray line(int row) const { return m_lines.value(row); }

private:
    QString m_path;
    QList<QJsonObject> m_entries;
    QList<QByteArray> m_lines;
    int m_broken = 0;
};

} // namespace Switchboard
