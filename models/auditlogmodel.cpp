#include "auditlogmodel.h"

#include "offthread.h"

#include <QFile>
#include <QJsonDocument>

namespace Switchboard {

namespace {

QString weights(const QJsonValue &v)
{
    const QJsonObject o = v.toObject();
    QStringList parts;
    for (auto it = o.begin(); it != o.end(); ++it)
        parts.append(QStringLiteral("%1=%2").arg(it.key(), it.value().toVariant().toString()));
    return parts.join(QLatin1Char(' '));
}

} // namespace

AuditLogModel::AuditLogModel(const QString &path, QObject *parent)
    : QAbstractTableModel(parent)
    , m_path(path)
{
    reload();
}

int AuditLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

int AuditLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AuditLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const QJsonObject &e = m_entries.at(index.row());
    if (role == EntryRole)
        return e;
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    switch (Column(index.column())) {
    case Time: return e.value(QStringLiteral("time")).toString();
    case User: return e.value(QStringLiteral("user")).toString();
    case Target: return e.value(QStringLiteral("target")).toString();
    case Action: return e.value(QStringLiteral("action")).toString();
    case Before: return weights(e.value(QStringLiteral("before")));
    case After: return weights(e.value(QStringLiteral("after")));
    case Reason: return e.value(QStringLiteral("reason")).toString();
    case Result: return e.value(QStringLiteral("result")).toString();
    case ColumnCount: break;
    }
    return {};
}

QVariant AuditLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char *const names[] = {QT_TR_NOOP("time"),  QT_TR_NOOP("user"),   QT_TR_NOOP("target"),
                                        QT_TR_NOOP("action"), QT_TR_NOOP("before"), QT_TR_NOOP("after"),
                                        QT_TR_NOOP("reason"), QT_TR_NOOP("result")};
    return section >= 0 && section < ColumnCount ? tr(names[section]) : QVariant();
}

namespace {

void addLine(const QByteArray &line, AuditLogModel::Chunk *c)
{
    if (line.trimmed().isEmpty())
        return;
    const QJsonDocument doc = QJsonDocument::fromJson(line);
    if (doc.isObject()) {
        c->entries.append(doc.object());
    } else {
        ++c->broken;
        c->entries.append(QJsonObject{{QStringLiteral("action"), QStringLiteral("(unreadable line)")},
                                      {QStringLiteral("reason"), QString::fromUtf8(line.left(200))}});
    }
    c->lines.append(line);
}

} // namespace

AuditLogModel::Chunk AuditLogModel::readChunk(const QString &path, qint64 offset, bool whole)
{
    Chunk c;
    c.offset = offset;
    QFile f(path);
    if (!f.exists()) {
        // None yet, or gone: no rows (a view that showed some is emptied).
        c.restart = whole || offset > 0;
        c.offset = 0;
        return c;
    }
    if (!whole && f.size() == offset)
        return c; // nothing new: the usual case, one stat
    if (f.size() < offset)
        whole = true;
    if (!f.open(QIODevice::ReadOnly) || (!whole && !f.seek(offset))) {
        c.error = QStringLiteral("%1: %2").arg(path, f.errorString());
        return c;
    }
    const QByteArray text = f.readAll();
    if (whole) {
        // Everything, a last line without its end too: on opening, that is what a crash left.
        c.restart = true;
        c.offset = text.size();
        for (const QByteArray &line : text.split('\n'))
            addLine(line, &c);
        return c;
    }
    const qsizetype end = text.lastIndexOf('\n');
    if (end < 0)
        return c;
    c.offset = offset + end + 1;
    for (const QByteArray &line : text.left(end).split('\n'))
        addLine(line, &c);
    return c;
}

void AuditLogModel::reload()
{
    startRead(true);
}

void AuditLogModel::readAppended()
{
    startRead(false);
}

void AuditLogModel::startRead(bool whole)
{
    if (m_reading) {
        m_again = true;
        m_againWhole = m_againWhole || whole;
        return;
    }
    m_reading = true;
    runOffThread(
        this, [path = m_path, offset = m_offset, whole] { return readChunk(path, offset, whole); },
        [this](const Chunk &c) {
            m_reading = false;
            apply(c);
            if (m_again) {
                const bool againWhole = m_againWhole;
                m_again = m_againWhole = false;
                startRead(againWhole);
            }
        });
}

void AuditLogModel::apply(const Chunk &c)
{
    if (!c.error.isEmpty()) {
        Q_EMIT readFinished(0, false, c.error);
        return;
    }
    if (c.restart) {
        beginResetModel();
        m_entries = c.entries;
        m_lines = c.lines;
        m_broken = c.broken;
        m_offset = c.offset;
        endResetModel();
        Q_EMIT readFinished(int(m_entries.size()), true, QString());
        return;
    }
    m_offset = c.offset;
    if (!c.entries.isEmpty()) {
        beginInsertRows({}, int(m_entries.size()), int(m_entries.size() + c.entries.size() - 1));
        m_entries.append(c.entries);
        m_lines.append(c.lines);
        m_broken += c.broken;
        endInsertRows();
    }
    Q_EMIT readFinished(int(c.entries.size()), false, QString());
}

} // namespace Switchboard
