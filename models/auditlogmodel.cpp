#include "auditlogmodel.h"

#include <QFile>
#include <QJsonDocument>

#include <algorithm>

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

void AuditLogModel::addLine(const QByteArray &line)
{
    if (line.trimmed().isEmpty())
        return;
    const QJsonDocument doc = QJsonDocument::fromJson(line);
    if (doc.isObject()) {
        m_entries.append(doc.object());
    } else {
        ++m_broken;
        m_entries.append(QJsonObject{{QStringLiteral("action"), QStringLiteral("(unreadable line)")},
                                     {QStringLiteral("reason"), QString::fromUtf8(line.left(200))}});
    }
    m_lines.append(line);
}

bool AuditLogModel::reload(QString *error)
{
    beginResetModel();
    m_entries.clear();
    m_lines.clear();
    m_broken = 0;
    m_offset = 0;
    QFile f(m_path);
    bool ok = true;
    if (f.exists() && !f.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(m_path, f.errorString());
        ok = false;
    } else if (f.isOpen()) {
        // Everything, a last line without its end too: on opening, that is what a crash left.
        const QByteArray text = f.readAll();
        m_offset = text.size();
        for (const QByteArray &line : text.split('\n'))
            addLine(line);
    }
    endResetModel();
    return ok;
}

int AuditLogModel::readAppended(QString *error)
{
    QFile f(m_path);
    if (!f.exists())
        return m_entries.isEmpty() ? 0 : (reload(error) ? 0 : -1);
    if (f.size() < m_offset) {
        const qsizetype before = m_entries.size();
        if (!reload(error))
            return -1;
        return int(std::max<qsizetype>(0, m_entries.size() - before));
    }
    if (f.size() == m_offset)
        return 0; // nothing new: the usual case, one stat
    if (!f.open(QIODevice::ReadOnly) || !f.seek(m_offset)) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(m_path, f.errorString());
        return -1;
    }
    const QByteArray text = f.readAll();
    const qsizetype end = text.lastIndexOf('\n');
    if (end < 0)
        return 0;
    QList<QByteArray> lines = text.left(end).split('\n');
    lines.removeIf([](const QByteArray &l) { return l.trimmed().isEmpty(); });
    m_offset += end + 1;
    if (lines.isEmpty())
        return 0;
    beginInsertRows({}, int(m_entries.size()), int(m_entries.size() + lines.size() - 1));
    for (const QByteArray &line : std::as_const(lines))
        addLine(line);
    endInsertRows();
    return int(lines.size());
}

} // namespace Switchboard
