#include "fleettablemodel.h"

#include "rolloutengine.h"
#include "targetcontroller.h"
#include "targetlistmodel.h"

#include <QDateTime>
#include <QTimer>

#include <algorithm>
#include <cmath>

namespace Switchboard {

namespace {

QString fleetPercent(double v)
{
    return isKnown(v) ? QStringLiteral("%1%").arg(v, 0, 'f', v == std::round(v) ? 0 : 1) : QStringLiteral("?");
}

QString fleetDuration(qint64 ms)
{
    const qint64 s = (ms + 999) / 1000;
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

// Unknown numbers sort after every known one, whichever way the column is sorted first.
QVariant fleetNumberKey(double v)
{
    return isKnown(v) ? QVariant(v) : QVariant(std::numeric_limits<double>::max());
}

} // namespace

FleetTableModel::FleetTableModel(TargetListModel *targets, Clock now, QObject *parent)
    : QAbstractTableModel(parent)
    , m_targets(targets)
    , m_now(now ? std::move(now) : Clock([] { return QDateTime::currentMSecsSinceEpoch(); }))
{
    connect(m_targets, &QAbstractItemModel::dataChanged, this, &FleetTableModel::onSourceChanged);
    // TargetListModel only ever resets; anything structural is taken as a reset here too.
    connect(m_targets, &QAbstractItemModel::modelAboutToBeReset, this, &FleetTableModel::beginResetModel);
    connect(m_targets, &QAbstractItemModel::modelReset, this, &FleetTableModel::endResetModel);
    connect(m_targets, &QAbstractItemModel::rowsAboutToBeInserted, this, &FleetTableModel::beginResetModel);
    connect(m_targets, &QAbstractItemModel::rowsInserted, this, &FleetTableModel::endResetModel);
    connect(m_targets, &QAbstractItemModel::rowsAboutToBeRemoved, this, &FleetTableModel::beginResetModel);
    connect(m_targets, &QAbstractItemModel::rowsRemoved, this, &FleetTableModel::endResetModel);
    // A controller gone, another maybe at its address: nothing cached outlives a reset.
    connect(this, &QAbstractItemModel::modelAboutToBeReset, this, [this] { m_attention.clear(); });
}

int FleetTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_targets->rowCount();
}

int FleetTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

TargetController *FleetTableModel::controllerAt(int row) const
{
    return m_targets->controllerAt(row);
}

int FleetTableModel::rowOf(const QString &name) const
{
    for (int row = 0; row < rowCount(); ++row)
        if (controllerAt(row)->name() == name)
            return row;
    return -1;
}

QString FleetTableModel::groupOf(const TargetController *c)
{
    return c->config().settings.value(QStringLiteral("group")).toString();
}

QStringList FleetTableModel::groups() const
{
    QStringList out;
    for (int row = 0; row < rowCount(); ++row)
        out << groupOf(controllerAt(row));
    out.removeDuplicates();
    out.removeAll(QString());
    out.sort(Qt::CaseInsensitive);
    return out;
}

QStringList FleetTableModel::kinds() const
{
    QStringList out;
    for (int row = 0; row < rowCount(); ++row)
        out << controllerAt(row)->config().kind;
    out.removeDuplicates();
    out.sort();
    return out;
}

const QString &FleetTableModel::cachedAttention(const TargetController *c) const
{
    // Kept for one pass of the event loop: a re-sort asks thousands of times in one pass, and
    // the next pass sees whatever changed meanwhile, signalled or not.
    if (m_attention.isEmpty())
        QTimer::singleShot(0, this, [this] { m_attention.clear(); });
    auto it = m_attention.find(c);
    if (it == m_attention.end())
        it = m_attention.insert(c, attentionReason(c));
    return *it;
}

QString FleetTableModel::attentionReason(const TargetController *c) const
{
    if (c->connectionState() == ConnectionState::Disconnected)
        return tr("disconnected: %1").arg(c->lastError());
    if (const RolloutEngine *r = c->rollout()) {
        switch (r->state()) {
        case RolloutEngine::State::Paused:
            return tr("paused: %1").arg(r->reason());
        case RolloutEngine::State::RollingBack:
        case RolloutEngine::State::RolledBack:
            return tr("rolled back: %1").arg(r->reason());
        case RolloutEngine::State::Failed:
            return tr("rollout failed: %1").arg(r->reason());
        default:
            break;
        }
        for (const GateResult &g : r->lastGateResults())
            if (g.outcome == GateResult::Outcome::Fail && !r->isFinished())
                return tr("failing: %1").arg(g.text);
    }
    if (c->connectionState() == ConnectionState::Connecting)
        return {}; // just started: nothing to look at yet
    const qint64 age = c->dataAgeMs(now());
    if (age < 0 || age > c->staleAfterMs())
        return age < 0 ? tr("stale: no data yet") : tr("stale: data %1 s old").arg(double(age) / 1000.0, 0, 'f', 1);
    if (c->hasMetrics() && c->isHealthStale(now()))
        return c->metricsError().isEmpty() ? tr("stale: no fresh health data") : tr("stale: %1").arg(c->metricsError());
    return {};
}

QString FleetTableModel::stateLabel(const QString &state)
{
    // The words stateOf() gives (StateRole, the filter and scripts keep them), as shown.
    if (state == QLatin1String("healthy")) return tr("healthy");
    if (state == QLatin1String("watch")) return tr("watch");
    if (state == QLatin1String("failing")) return tr("failing");
    if (state == QLatin1String("no data")) return tr("no data");
    if (state == QLatin1String("progressing")) return tr("progressing");
    if (state == QLatin1String("paused")) return tr("paused");
    if (state == QLatin1String("degraded")) return tr("degraded");
    if (state == QLatin1String("connecting")) return tr("connecting");
    if (state == QLatin1String("disconnected")) return tr("disconnected");
    return state;
}

QString FleetTableModel::healthText(const TargetController *c) const
{
    if (!c->hasMetrics())
        return tr("no metrics");
    if (!c->hasHealth() || c->isHealthStale(now()))
        return tr("no data");
    const HealthSnapshot h = c->health();
    auto err = [](double v) { return isKnown(v) ? QStringLiteral("%1%").arg(v * 100.0, 0, 'f', 1) : QStringLiteral("?"); };
    auto ms = [](double v) { return isKnown(v) ? QString::number(v, 'f', 0) : QStringLiteral("?"); };
    return tr("err %1 / %2 · p99 %3 / %4 ms")
        .arg(err(h.canary.errorRatio), err(h.stable.errorRatio), ms(h.canary.p99Ms), ms(h.stable.p99Ms));
}

QString FleetTableModel::stepText(const TargetController *c) const
{
    const RolloutEngine *r = c->rollout();
    if (!r || r->currentStep() < 0)
        return {};
    const int n = int(r->plan().steps.size());
    if (r->currentStep() >= n)
        return tr("done (%1)").arg(RolloutEngine::stateName(r->state()));
    return tr("%1/%2 %3").arg(r->currentStep() + 1).arg(n).arg(r->plan().steps.at(r->currentStep()).label());
}

qint64 FleetTableModel::timeLeftMs(const TargetController *c) const
{
    const RolloutEngine *r = c->rollout();
    return r && !r->isFinished() ? r->remainingMs() : -1;
}

QVariant FleetTableModel::display(const TargetController *c, int column) const
{
    switch (Column(column)) {
    case Name:
        return c->name();
    case State:
        return stateLabel(TargetListModel::stateOf(c));
    case Health:
        return healthText(c);
    case Split:
        return tr("%1 / %2").arg(fleetPercent(c->snapshot().split.canary), fleetPercent(c->measuredCanaryPercent()));
    case Step:
        return stepText(c);
    case TimeLeft: {
        const qint64 left = timeLeftMs(c);
        return left < 0 ? QString() : fleetDuration(left);
    }
    case DataAge: {
        const qint64 age = c->dataAgeMs(now());
        return age < 0 ? tr("none") : tr("%1 s").arg(double(age) / 1000.0, 0, 'f', 1);
    }
    case LastAction: {
        const auto it = m_last.constFind(c->name());
        if (it == m_last.cend())
            return QString();
        return tr("%1 %2 · %3 %4")
            .arg(it->action, it->result, it->user,
                 QDateTime::fromMSecsSinceEpoch(it->timeMs).toString(QStringLiteral("HH:mm:ss")));
    }
    case Lease: {
        // Who drives it: someone else's live lease by name, ours as "you", nothing when free.
        const LeaseGuard *g = c->lease();
        if (g->isHeldByOther(now()))
            return g->lease().holder;
        return g->isHeldByMe(now()) ? tr("you") : QString();
    }
    case Kind:
        return c->config().kind;
    case Group:
        return groupOf(c);
    case ColumnCount:
        break;
    }
    return {};
}

QVariant FleetTableModel::sortKey(const TargetController *c, int column) const
{
    switch (Column(column)) {
    case Split:
        return fleetNumberKey(c->snapshot().split.canary);
    case Health:
        return fleetNumberKey(c->hasHealth() && !c->isHealthStale(now()) ? c->health().canary.errorRatio : unknown());
    case Step: {
        const RolloutEngine *r = c->rollout();
        return r && r->currentStep() >= 0 ? r->currentStep() : std::numeric_limits<int>::max();
    }
    case TimeLeft: {
        const qint64 left = timeLeftMs(c);
        return left < 0 ? std::numeric_limits<qint64>::max() : left;
    }
    case DataAge: {
        const qint64 age = c->dataAgeMs(now());
        return age < 0 ? std::numeric_limits<qint64>::max() : age;
    }
    case LastAction:
        return m_last.value(c->name()).timeMs;
    default:
        return display(c, column).toString().toLower();
    }
}

QVariant FleetTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const TargetController *c = controllerAt(index.row());
    if (!c)
        return {};
    switch (role) {
    case Qt::DisplayRole:
        return display(c, index.column());
    case Qt::ToolTipRole: {
        QString tip = QStringLiteral("%1 · %2 · %3").arg(c->name(), c->config().kind, TargetListModel::stateOf(c));
        const QString why = attentionReason(c);
        if (!why.isEmpty())
            tip += QLatin1Char('\n') + why;
        if (index.column() == Health)
            tip += QLatin1Char('\n') + tr("error ratio and p99: canary / stable");
        if (index.column() == Split)
            tip += QLatin1Char('\n') + tr("canary share: set / measured");
        if (index.column() == Lease && c->lease()->isKnown())
            tip += QLatin1Char('\n') + c->lease()->lease().describe(now());
        if (index.column() == LastAction) {
            const auto it = m_last.constFind(c->name());
            if (it != m_last.cend() && !it->reason.isEmpty())
                tip += QLatin1Char('\n') + it->reason;
        }
        return tip;
    }
    case SortRole:
        return sortKey(c, index.column());
    case AttentionRole:
        return !cachedAttention(c).isEmpty();
    case AttentionReasonRole:
        return cachedAttention(c);
    case StateRole:
        return TargetListModel::stateOf(c);
    case KindRole:
        return c->config().kind;
    case GroupRole:
        return groupOf(c);
    case ControllerRole:
        return QVariant::fromValue(const_cast<TargetController *>(c));
    case SearchTextRole:
        return QStringList{c->name(), groupOf(c), c->config().kind, TargetListModel::stateOf(c)}.join(QLatin1Char(' '));
    default:
        return {};
    }
}

QVariant FleetTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case Name:
        return tr("Target");
    case State:
        return tr("State");
    case Health:
        return tr("Health");
    case Split:
        return tr("Canary set / measured");
    case Step:
        return tr("Step");
    case TimeLeft:
        return tr("Left");
    case DataAge:
        return tr("Data age");
    case LastAction:
        return tr("Last action · who");
    case Lease:
        return tr("Lease");
    case Kind:
        return tr("Kind");
    case Group:
        return tr("Group");
    case ColumnCount:
        break;
    }
    return {};
}

void FleetTableModel::noteAuditEntry(const QJsonObject &entry)
{
    const QString target = entry.value(QStringLiteral("target")).toString();
    if (target.isEmpty())
        return;
    LastEntry a;
    const QDateTime time = QDateTime::fromString(entry.value(QStringLiteral("time")).toString(), Qt::ISODateWithMs);
    a.timeMs = time.isValid() ? time.toMSecsSinceEpoch() : now();
    const auto old = m_last.constFind(target);
    if (old != m_last.cend() && old->timeMs > a.timeMs)
        return; // an older entry read late
    a.action = entry.value(QStringLiteral("action")).toString();
    a.user = entry.value(QStringLiteral("user")).toString(tr("unknown"));
    a.result = entry.value(QStringLiteral("result")).toString();
    a.reason = entry.value(QStringLiteral("reason")).toString();
    m_last.insert(target, a);
    const int row = rowOf(target);
    if (row >= 0)
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

void FleetTableModel::tick()
{
    m_attention.clear(); // staleness moves with the clock
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

void FleetTableModel::onSourceChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight)
{
    for (int row = topLeft.row(); row <= bottomRight.row(); ++row)
        m_attention.remove(controllerAt(row));
    Q_EMIT dataChanged(index(topLeft.row(), 0), index(bottomRight.row(), ColumnCount - 1));
}

} // namespace Switchboard
