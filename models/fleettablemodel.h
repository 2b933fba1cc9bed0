#pragma once
// The fleet as a table, one row per target, for the fleet view: name, state, health, split set
// and measured, rollout step and time left, data age, last action and who, kind and group. It
// adapts TargetListModel (rows, controllers) and adds what a table of hundreds needs: a sort
// key per column, whether the target needs someone now (and why), and the last audited action.

#include <QAbstractTableModel>
#include <QHash>
#include <QJsonObject>

#include <functional>

namespace Switchboard {

class TargetController;
class TargetListModel;

class FleetTableModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Name, State, Health, Split, Step, TimeLeft, DataAge, LastAction, Lease, Kind, Group, ColumnCount };
    Q_ENUM(Column)
    enum Roles {
        SortRole = Qt::UserRole + 1, // a value that sorts the column (numbers as numbers, unknown last)
        AttentionRole,               // bool: failing, paused, disconnected or stale: someone is needed
        AttentionReasonRole,         // QString: why, empty when not needed
        StateRole,                   // QString as TargetListModel::stateOf
        KindRole,
        GroupRole,                   // targets.json "group", empty when none
        ControllerRole,              // TargetController*
        SearchTextRole,              // what the search box matches: name, group, kind, state
    };
    using Clock = std::function<qint64()>;

    // `targets` must outlive this model. `now` defaults to the wall clock.
    explicit FleetTableModel(TargetListModel *targets, Clock now = {}, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    TargetController *controllerAt(int row) const;
    // The row of the target named `name`, -1 when none.
    int rowOf(const QString &name) const;
    // Every group and kind present, sorted (for the filters).
    QStringList groups() const;
    QStringList kinds() const;
    static QString groupOf(const TargetController *c);

public Q_SLOTS:
    // An audit log entry (ours, the CLI's or another operator's): the target's last action.
    void noteAuditEntry(const QJsonObject &entry);
    // Ages, time left and staleness move with the clock: the view calls this periodically.
    void tick();

private:
    struct LastEntry
    {
        qint64 timeMs = 0;
        QString action;
        QString user;
        QString result;
        QString reason;
    };

    QVariant display(const TargetController *c, int column) const;
    QVariant sortKey(const TargetController *c, int column) const;
    QString attentionReason(const TargetController *c) const;
    const QString &cachedAttention(const TargetController *c) const;
    static QString stateLabel(const QString &state);
    QString healthText(const TargetController *c) const;
    QString stepText(const TargetController *c) const;
    qint64 timeLeftMs(const TargetController *c) const;
    qint64 now() const { return m_now(); }
    void onSourceChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight);

    TargetListModel *m_targets;
    Clock m_now;
    QHash<QString, LastEntry> m_last; // by target name
    // attentionReason() per target for one pass of the event loop (and until its next change
    // or tick): the proxy's "urgent first" sort asks for it twice per comparison, thousands of
    // times per tick with 300 targets.
    mutable QHash<const TargetController *, QString> m_attention;
};

} // namespace Switchboard
