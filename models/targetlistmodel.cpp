#include "targetlistmodel.h"

#include "rolloutengine.h"
#include "targetcontroller.h"

#include <QCoreApplication>
#include <QDateTime>

namespace Switchboard {

TargetListModel::TargetListModel(QObject *parent)
    : QAbstractListModel(parent)
{
}

int TargetListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_controllers.size());
}

QString TargetListModel::stateOf(const TargetController *c)
{
    switch (c->connectionState()) {
    case ConnectionState::Disconnected:
        return QStringLiteral("disconnected");
    case ConnectionState::Connecting:
        return QStringLiteral("connecting");
    case ConnectionState::Connected:
        break;
    }
    if (const RolloutEngine *r = c->rollout()) {
        switch (r->state()) {
        case RolloutEngine::State::Running:
        case RolloutEngine::State::Analysing:
            return QStringLiteral("progressing");
        case RolloutEngine::State::Paused:
            return QStringLiteral("paused");
        case RolloutEngine::State::RollingBack:
        case RolloutEngine::State::RolledBack:
        case RolloutEngine::State::Failed:
            return QStringLiteral("degraded"); // until the operator looks: a new rollout clears it
        case RolloutEngine::State::Idle:
        case RolloutEngine::State::Promoted:
            break;
        }
    }
    if (!c->hasSnapshot() || (c->hasMetrics() && c->isHealthStale(QDateTime::currentMSecsSinceEpoch())))
        return QStringLiteral("no data");
    // With canary traffic, "healthy" is the verdict's word to give, and "no data" is never it.
    const Verdict &v = c->verdict();
    if (v.applies && v.state != Verdict::State::Healthy)
        return Verdict::stateName(v.state);
    return QStringLiteral("healthy");
}

QVariant TargetListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const TargetController *c = m_controllers.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return c->name();
    case Qt::ToolTipRole: {
        QString tip = QStringLiteral("%1 · %2 · %3").arg(c->name(), c->config().kind, stateOf(c));
        if (c->verdict().applies)
            tip += QStringLiteral("\n") + QCoreApplication::translate("TargetListModel", "verdict %1").arg(c->verdict().details());
        return tip;
    }
    case VerdictRole:
        return c->verdict().applies ? Verdict::stateName(c->verdict().state) : QString();
    case KindRole:
        return c->config().kind;
    case StateRole:
        return stateOf(c);
    case CanaryPercentRole:
        return c->snapshot().split.canary;
    case ControllerRole:
        return QVariant::fromValue(const_cast<TargetController *>(c));
    default:
        return {};
    }
}

QHash<int, QByteArray> TargetListModel::roleNames() const
{
    auto names = QAbstractListModel::roleNames();
    names.insert(NameRole, "name");
    names.insert(KindRole, "kind");
    names.insert(StateRole, "state");
    names.insert(CanaryPercentRole, "canaryPercent");
    names.insert(VerdictRole, "verdict");
    return names;
}

void TargetListModel::setControllers(const QList<TargetController *> &controllers)
{
    beginResetModel();
    for (TargetController *c : std::as_const(m_controllers))
        disconnect(c, nullptr, this, nullptr);
    m_controllers = controllers;
    for (TargetController *c : std::as_const(m_controllers)) {
        connect(c, &TargetController::snapshotChanged, this, &TargetListModel::onControllerChanged);
        connect(c, &TargetController::healthChanged, this, &TargetListModel::onControllerChanged);
        connect(c, &TargetController::connectionStateChanged, this, &TargetListModel::onControllerChanged);
        connect(c, &TargetController::rolloutChanged, this, &TargetListModel::onControllerChanged);
        connect(c, &TargetController::verdictChanged, this, &TargetListModel::onControllerChanged);
        connect(c, &TargetController::leaseChanged, this, &TargetListModel::onControllerChanged);
    }
    endResetModel();
}

TargetController *TargetListModel::controllerAt(int row) const
{
    return m_controllers.value(row, nullptr);
}

void TargetListModel::onControllerChanged()
{
    const int row = int(m_controllers.indexOf(qobject_cast<TargetController *>(sender())));
    if (row >= 0)
        Q_EMIT dataChanged(index(row), index(row));
}

} // namespace Switchboard
