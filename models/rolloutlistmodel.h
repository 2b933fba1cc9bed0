#pragma once
// One target's rollouts as the audit log tells them (RolloutHistory), newest first, for the
// rollout history view: when, which plan, who, how it ended, and its id (the report's --rollout).
// load() reads the log on a pool thread; the rows change here when it is in.

#include "rolloutrecord.h"

#include <QAbstractTableModel>

namespace Switchboard {

class RolloutListModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Started, Plan, StartedBy, Steps, Outcome, Id, ColumnCount };
    static constexpr int IdRole = Qt::UserRole + 1; // the rollout's id, QString

    explicit RolloutListModel(QObject *parent = nullptr);

    // Reads `auditPath` off this thread and shows `target`'s rollouts; loaded() answers.
    void load(const QString &auditPath, const QString &target);
    void setRollouts(const QList<RolloutRecord> &rollouts); // oldest first, as RolloutHistory gives them
    const RolloutRecord *rollout(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    // The rows are the file's (empty error), or the file could not be read (rows unchanged).
    void loaded(const QString &error);

private:
    QList<RolloutRecord> m_rollouts; // newest first
    quint64 m_loads = 0;             // only the newest load's answer counts
};

} // namespace Switchboard
