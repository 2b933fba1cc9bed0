#pragma once
// The audit log (audit.jsonl) as a table for the audit view: one row per entry, newest last.
// A line that does not parse (a disk that lied, a hand edit) is shown as such, never dropped.
// It follows the file: readAppended() adds what others (this process's audit thread, another
// operator's Switchboard, a CLI in a script) appended since the last read, reading only those
// bytes, so a view open during an incident shows the rollback it just made.
// Reading and parsing happen on a pool thread (a year of entries is tens of megabytes); the rows
// change on the model's thread when a read is in, and readFinished() says so.

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

    // What one read of the file found, made off the model's thread (readChunk).
    struct Chunk
    {
        bool restart = false; // the rows are these, from the start of the file (else: appended)
        qint64 offset = 0;    // bytes of the file read into rows after this chunk
        QList<QJsonObject> entries;
        QList<QByteArray> lines;
        int broken = 0;
        QString error; // the file exists but cannot be read: nothing changes
    };
    // Reads `path` from `offset` (or all of it when `whole`): the whole lines appended (a line
    // still without its end waits for the next read, as AuditLog writes each line in one
    // write); a file that shrank (cut, replaced) or is gone is read again from the start.
    // Touches no model: safe on any thread.
    static Chunk readChunk(const QString &path, qint64 offset, bool whole);

    // Reads the whole file again, off this thread (the constructor starts one).
    void reload();
    // Reads what was appended since the last read, off this thread. While a read is under way
    // the request waits for it and runs once after it.
    void readAppended();
    bool isReading() const { return m_reading; }
    QString path() const { return m_path; }
    int brokenLines() const { return m_broken; }
    // The raw line of a row, for export.
    QByteArray line(int row) const { return m_lines.value(row); }

Q_SIGNALS:
    // A read is in: `added` rows were appended, or (restarted) the rows were replaced by the
    // file's; `error` when the file could not be read (the rows stay as they were).
    void readFinished(int added, bool restarted, const QString &error);

private:
    void startRead(bool whole);
    void apply(const Chunk &c);

    QString m_path;
    qint64 m_offset = 0; // bytes of the file read into rows
    QList<QJsonObject> m_entries;
    QList<QByteArray> m_lines;
    int m_broken = 0;
    bool m_reading = false;
    bool m_again = false;      // a read asked for while one was under way
    bool m_againWhole = false; // ... and it was a reload
};

} // namespace Switchboard
