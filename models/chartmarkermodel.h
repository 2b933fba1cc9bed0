#pragma once
// Moments worth seeing on a target's time charts: weight changes that took effect (Switchboard's
// own and, as External, those it did not make) and gate results that changed, each with a time
// and a short label. TargetController fills it; charts draw the markers that fall inside their
// window. Capped, so a long session cannot grow it without bound.

#include "analysisgate.h"
#include "domain.h"

#include <QAbstractListModel>
#include <QHash>
#include <QList>

namespace Switchboard {

class ChartMarkerModel final : public QAbstractListModel
{
    Q_OBJECT
public:
    enum class Kind { WeightChange, GatePass, GateFail, GateInconclusive, Rollback, External, Route };
    Q_ENUM(Kind)
    struct Marker
    {
        qint64 timeMs = 0;
        Kind kind = Kind::WeightChange;
        QString label;  // short: "canary 25%", "gate error-ratio FAIL 20.00% > 1.20%"
        QString detail; // the whole story for a tooltip: the change's message, the gate's text
    };
    enum Roles { TimeRole = Qt::UserRole + 1, KindRole, LabelRole, DetailRole };
    // A marker every few seconds for a whole day would still fit; older ones are dropped.
    static constexpr int Capacity = 500;

    explicit ChartMarkerModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Inserts in time order (after markers of the same time); beyond Capacity the oldest goes.
    void add(const Marker &marker);
    // A finished action ("set-weight", "promote", "rollback", ...). Marked only when it moved
    // traffic, fully (Applied) or partly (Partial): a refused, conflicting or failed change left
    // the weights as they were. `canaryAfter` is the canary percent now in force, NaN if unknown
    // (then the requested percent is shown).
    void addChange(qint64 timeMs, const QString &action, const ChangeResult &result, double canaryAfter);
    // Weights that changed without Switchboard changing them (another tool, a hand edit), seen
    // by a read at `timeMs`: canary percents before and after, NaN when unknown.
    void addExternalChange(qint64 timeMs, double canaryBefore, double canaryAfter);
    // Tester routes changed (ours or, with detail "external change", someone else's):
    // "testers +X-Canary: always", "testers cleared".
    void addRouteChange(qint64 timeMs, const QList<TrafficRoute> &before, const QList<TrafficRoute> &after, const QString &detail);
    // "canary 10% → 40%", the words the event log uses for the same change.
    static QString externalChangeText(double canaryBefore, double canaryAfter);
    // One evaluation of a rollout's gates. A gate is marked when its outcome (or, inconclusive,
    // the reason) differs from its previous evaluation, and on every failure: a gate passing on
    // every poll marks once, not once a second. Marked at the time of the sample judged; a
    // result without a usable sample (no data) at `nowMs`.
    void addGateResults(const QList<GateResult> &results, qint64 nowMs);
    // A new rollout starts: the first result of each of its gates is news again.
    void forgetGateOutcomes();

    const QList<Marker> &markers() const { return m_markers; }

private:
    QList<Marker> m_markers; // oldest first
    QHash<QString, QPair<GateResult::Outcome, GateResult::Cause>> m_lastGate; // gate -> previous result
};

} // namespace Switchboard
