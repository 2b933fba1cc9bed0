#include "eventlogmodel.h"

#include <QDateTime>

#include <utility>

namespace Switchboard {

EventLogModel::EventLogModel(QObject *parent)
    : QAbstractListModel(parent)
{
    m_connectedFlush.setSingleShot(true);
    m_connectedFlush.setInterval(1500);
    connect(&m_connectedFlush, &QTimer::timeout, this, &EventLogModel::flushConnected);
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

void EventLogModel::addConnected(const QString &target, const QString &text)
{
    m_connected.append(Event{QDateTime::currentMSecsSinceEpoch(), target, Severity::Info, text});
    if (!m_connectedFlush.isActive())
        m_connectedFlush.start();
}

void EventLogModel::flushConnected()
{
    m_connectedFlush.stop();
    const QList<Event> held = std::exchange(m_connected, {});
    if (held.isEmpty())
        return;
    if (held.size() == 1)
        return add(held.constFirst().target, held.constFirst().severity, held.constFirst().text, held.constFirst().timeMs);
    constexpr int named = 8;
    // In name order: connections arrive in whatever order the threads answer.
    QStringList names;
    for (const auto &h : held)
        names << h.target;
    names.sort();
    QString list = names.mid(0, named).join(QStringLiteral(", "));
    if (held.size() > named)
        list += tr(", … and %1 more").arg(held.size() - named);
    add(QString(), Severity::Info, tr("%1 targets connected: %2").arg(held.size()).arg(list),
        held.constFirst().timeMs);
}

} // namespace Switchboard
