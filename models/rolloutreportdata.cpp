#include "rolloutreportdata.h"

namespace Switchboard {

namespace {
constexpr qint64 reportMarginMs = 60 * 1000;
}

void RolloutReportData::setWindowFor(qint64 nowMs)
{
    fromMs = record.startMs - reportMarginMs;
    const qint64 end = record.isFinished() ? record.endMs : (record.actions.isEmpty() ? nowMs : record.actions.constLast().timeMs);
    toMs = std::min(nowMs, std::max(end, record.startMs) + reportMarginMs);
}

} // namespace Switchboard
