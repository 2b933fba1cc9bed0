#include "chartmarkermodel.h"

#include <QDateTime>

#include <algorithm>

namespace Switchboard {

namespace {

QString percent(double v)
{
    return QString::number(v, 'g', 4) + QLatin1Char('%');
}

QString gateLabel(const GateResult &r)
{
    const QString head = QStringLiteral("gate %1 %2").arg(r.gate, outcomeName(r.outcome));
    if (r.outcome == GateResult::Outcome::Inconclusive) {
        switch (r.cause) {
        case GateResult::Cause::NoData: return head + QStringLiteral(" (no data)");
        case GateResult::Cause::TooFewRequests: return head + QStringLiteral(" (too few requests)");
        case GateResult::Cause::Confirming:
            return head + QStringLiteral(" (breach %1 of %2)").arg(r.consecutiveFailures).arg(r.failureLimit);
        case GateResult::Cause::None: break;
        }
        return head;
    }
    if (!isKnown(r.canary) || !isKnown(r.threshold))
        return head;
    // The sign follows the numbers, so it reads right for lower bounds (rps) as for upper ones.
    const QString sign = r.canary > r.threshold ? QStringLiteral(">")
        : r.canary < r.threshold                ? QStringLiteral("<")
                                                : QStringLiteral("=");
    return QStringLiteral("%1 %2 %3 %4").arg(head, formatMetric(r.metric, r.canary), sign, formatMetric(r.metric, r.threshold));
}

ChartMarkerModel::Kind gateKind(GateResult::Outcome o)
{
    switch (o) {
    case GateResult::Outcome::Pass: return ChartMarkerModel::Kind::GatePass;
    case GateResult::Outcome::Fail: return ChartMarkerModel::Kind::GateFail;
    case GateResult::Outcome::Inconclusive: break;
    }
    return ChartMarkerModel::Kind::GateInconclusive;
}

} // namespace

ChartMarkerModel::ChartMarkerModel(QObject *parent)
    : QAbstractListModel(parent)
{
}

int ChartMarkerModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_markers.size());
}

QVariant ChartMarkerModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Marker &m = m_markers.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return QStringLiteral("%1  %2").arg(QDateTime::fromMSecsSinceEpoch(m.timeMs).toString(QStringLiteral("HH:mm:ss")), m.label);
    case Qt::ToolTipRole:
        return m.detail.isEmpty() ? m.label : m.detail;
    case TimeRole:
        return m.timeMs;
    case KindRole:
        return QVariant::fromValue(m.kind);
    case LabelRole:
        return m.label;
    case DetailRole:
        return m.detail;
    default:
        return {};
    }
}

QHash<int, QByteArray> ChartMarkerModel::roleNames() const
{
    auto names = QAbstractListModel::roleNames();
    names.insert(TimeRole, "time");
    names.insert(KindRole, "kind");
    names.insert(LabelRole, "label");
    names.insert(DetailRole, "detail");
    return names;
}

void ChartMarkerModel::add(const Marker &marker)
{
    auto it = std::upper_bound(m_markers.begin(), m_markers.end(), marker.timeMs,
                               [](qint64 t, const Marker &m) { return t < m.timeMs; });
    const int row = int(it - m_markers.begin());
    beginInsertRows({}, row, row);
    m_markers.insert(row, marker);
    endInsertRows();
    if (m_markers.size() > Capacity) {
        const int extra = int(m_markers.size()) - Capacity;
        beginRemoveRows({}, 0, extra - 1);
        m_markers.remove(0, extra);
        endRemoveRows();
    }
}

void ChartMarkerModel::addChange(qint64 timeMs, const QString &action, const ChangeResult &result, double canaryAfter)
{
    const bool partial = result.status == ChangeResult::Status::Partial;
    if (!result.ok() && !partial)
        return;
    const double canary = isKnown(canaryAfter) ? canaryAfter : result.requestedCanaryPercent;
    const QString to = isKnown(canary) ? QStringLiteral("canary ") + percent(canary) : QStringLiteral("next step");
    Marker m;
    m.timeMs = timeMs;
    m.kind = action == QStringLiteral("rollback") ? Kind::Rollback : Kind::WeightChange;
    // "set-weight" is the everyday case: the percent alone says it.
    m.label = action == QStringLiteral("set-weight") ? to : QStringLiteral("%1 → %2").arg(action, to);
    if (partial)
        m.label += QStringLiteral(" (partial)");
    m.detail = QStringLiteral("%1 %2: %3").arg(action, statusName(result.status), result.message);
    add(m);
}

void ChartMarkerModel::addExternalChange(qint64 timeMs, double canaryBefore, double canaryAfter)
{
    Marker m;
    m.timeMs = timeMs;
    m.kind = Kind::External;
    m.label = QStringLiteral("external: %1").arg(externalChangeText(canaryBefore, canaryAfter));
    m.detail = QStringLiteral("weights changed outside Switchboard: %1").arg(externalChangeText(canaryBefore, canaryAfter));
    add(m);
}

void ChartMarkerModel::addRouteChange(qint64 timeMs, const QList<TrafficRoute> &before, const QList<TrafficRoute> &after,
                                      const QString &detail)
{
    QStringList parts;
    for (const TrafficRoute &r : after)
        if (!before.contains(r))
            parts.append(QStringLiteral("+") + r.describe().section(QStringLiteral(" → "), 0, 0));
    for (const TrafficRoute &r : before)
        if (!after.contains(r))
            parts.append(QStringLiteral("-") + r.describe().section(QStringLiteral(" → "), 0, 0));
    if (parts.isEmpty())
        return;
    Marker m;
    m.timeMs = timeMs;
    m.kind = Kind::Route;
    m.label = after.isEmpty() ? QStringLiteral("testers cleared") : QStringLiteral("testers ") + parts.join(QStringLiteral(", "));
    m.detail = QStringLiteral("routes %1 → %2%3").arg(describeRoutes(before), describeRoutes(after),
                                                      detail.isEmpty() ? QString() : QStringLiteral(": ") + detail);
    add(m);
}

QString ChartMarkerModel::externalChangeText(double canaryBefore, double canaryAfter)
{
    auto show = [](double v) { return isKnown(v) ? percent(v) : QStringLiteral("?"); };
    return QStringLiteral("canary %1 → %2").arg(show(canaryBefore), show(canaryAfter));
}

void ChartMarkerModel::addGateResults(const QList<GateResult> &results, qint64 nowMs)
{
    for (const GateResult &r : results) {
        const QPair<GateResult::Outcome, GateResult::Cause> seen{r.outcome, r.cause};
        const auto previous = m_lastGate.constFind(r.gate);
        const bool news = previous == m_lastGate.cend() || *previous != seen || r.outcome == GateResult::Outcome::Fail;
        m_lastGate.insert(r.gate, seen);
        if (!news)
            continue;
        Marker m;
        // A no-data result carries the last (old) sample's time, if any: it happened now.
        m.timeMs = r.timeMs > 0 && !r.isNoData() ? r.timeMs : nowMs;
        m.kind = gateKind(r.outcome);
        m.label = gateLabel(r);
        m.detail = r.text;
        add(m);
    }
}

void ChartMarkerModel::forgetGateOutcomes()
{
    m_lastGate.clear();
}

} // namespace Switchboard
