#include "rolloutlistmodel.h"

#include "offthread.h"
#include "rollouthistory.h"

#include <QDateTime>

#include <algorithm>

namespace Switchboard {

namespace {

struct Loaded
{
    QList<RolloutRecord> rollouts;
    QString error;
};

} // namespace

RolloutListModel::RolloutListModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void RolloutListModel::load(const QString &auditPath, const QString &target)
{
    const quint64 load = ++m_loads;
    runOffThread(
        this,
        [auditPath, target] {
            Loaded out;
            QList<QJsonObject> entries;
            if (RolloutHistory::readFile(auditPath, &entries, &out.error))
                out.rollouts = RolloutHistory::forTarget(RolloutHistory::fromEntries(entries), target);
            return out;
        },
        [this, load](const Loaded &out) {
            if (load != m_loads)
                return; // a newer load is under way
            if (out.error.isEmpty())
                setRollouts(out.rollouts);
            Q_EMIT loaded(out.error);
        });
}

void RolloutListModel::setRollouts(const QList<RolloutRecord> &rollouts)
{
    beginResetModel();
    m_rollouts = rollouts;
    std::reverse(m_rollouts.begin(), m_rollouts.end()); // the newest on top
    endResetModel();
}

const RolloutRecord *RolloutListModel::rollout(int row) const
{
    return row >= 0 && row < m_rollouts.size() ? &m_rollouts.at(row) : nullptr;
}

int RolloutListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rollouts.size());
}

int RolloutListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RolloutListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const RolloutRecord &r = m_rollouts.at(index.row());
    if (role == IdRole)
        return r.id;
    if (role == Qt::ToolTipRole)
        return r.outcomeReason.isEmpty() ? r.summary : r.summary + QLatin1Char('\n') + r.outcomeReason;
    if (role != Qt::DisplayRole)
        return {};
    switch (Column(index.column())) {
    case Started: // UTC, as the reports and the audit log have it
        return QDateTime::fromMSecsSinceEpoch(r.startMs, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss 'UTC'"));
    case Plan: return r.plan;
    case StartedBy: return r.startedBy;
    case Steps: return int(r.steps.size());
    case Outcome: return r.outcome; // the log's words (promoted, rolled back, failed, unfinished)
    case Id: return r.id;
    case ColumnCount: break;
    }
    return {};
}

QVariant RolloutListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char *const names[] = {QT_TR_NOOP("started"), QT_TR_NOOP("plan"), QT_TR_NOOP("by"),
                                        QT_TR_NOOP("steps"), QT_TR_NOOP("outcome"), QT_TR_NOOP("id")};
    return section >= 0 && section < ColumnCount ? tr(names[section]) : QVariant();
}

} // namespace Switchboard
