#pragma once
// The audit log (audit.jsonl) as a table for the audit view: one row per entry, newest last.
// A line that does not parse (a disk that lied, a hand edit) is shown as such, never dropped.
// It follows the file: readAppended() adds what others (this process's audit thread, another
// operator's Switchboard, a CLI in a script) appended since the last read, reading only those
// bytes, so a view open during an incident shows the rollback it just made.

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
    // Adds the whole lines appended since the last read (AuditLog appends each line in one
    // write; a line still without its end waits for the next call). A file that shrank (cut,
    // replaced) is read again from the start. Returns the rows added, -1 with *error when the
    // file cannot be read.
    int readAppended(QString *error = nullptr);
    QString path() const { return m_path; }
    int brokenLines() const { return m_broken; }
    // The raw line of a row, for export.
    QByteArray line(int row) const { return m_lines.value(row); }

private:
    void addLine(const QByteArray &line);

    QString m_path;
    qint64 m_offset = 0; // bytes of the file read into rows
    QList<QJsonObject> m_entries;
    QList<QByteArray> m_lines;
    int m_broken = 0;
};

} // namespace Switchboard
