#include "eventlogmodel.h"

#include <QDateTime>

namespace Switchboard {

EventLogModel::EventLogModel(QObject *parent)
    : QAbstractListModel(parent)
{
}

int EventLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_events.size());
}

QVariant EventLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Event &e = m_events.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return QStringLiteral("%1  %2  %3")
            .arg(QDateTime::fromMSecsSinceEpoch(e.timeMs).toString(QStringLiteral("HH:mm:ss")), e.target, e.text);
    case TimeRole:
        return e.timeMs;
    case TargetRole:
        return e.target;
    case SeverityRole:
        return int(e.severity);
    case TextRole:
        return e.text;
    default:
        return {};
    }
}

QHash<int, QByteArray> EventLogModel::roleNames() const
{
    auto names = QAbstractListModel::roleNames();
    names.insert(TimeRole, "time");
    names.insert(TargetRole, "target");
    names.insert(SeverityRole, "severity");
    names.insert(TextRole, "text");
    return names;
}

void EventLogModel::add(const QString &target, Severity severity, const QString &text, qint64 timeMs)
{
    Event e{timeMs ? timeMs : QDateTime::currentMSecsSinceEpoch(), target, severity, text};
    if (m_events.size() >= m_limit) {
        beginRemoveRows({}, 0, 0);
        m_events.removeFirst();
        endRemoveRows();
    }
    const int row = int(m_events.size());
    beginInsertRows({}, row, row);
    m_events.append(e);
    endInsertRows();
    Q_EMIT eventAdded(e);
}

} // namespace Switchboard
