#include "auditlogmodel.h"

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
    static const char *names[] = {"time", "user", "target", "action", "before", "after", "reason", "result"};
    return section >= 0 && section < ColumnCount ? QString::fromLatin1(names[section]) : QVariant();
}

bool AuditLogModel::reload(QString *error)
{
    beginResetModel();
    m_entries.clear();
    m_lines.clear();
    m_broken = 0;
    QFile f(m_path);
    bool ok = true;
    if (f.exists() && !f.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(m_path, f.errorString());
        ok = false;
    } else if (f.isOpen()) {
        const QList<QByteArray> lines = f.readAll().split('\n');
        for (const QByteArray &line : lines) {
            if (line.trimmed().isEmpty())
                continue;
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
    }
    endResetModel();
    return ok;
}

} // namespace Switchboard
