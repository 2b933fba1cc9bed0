#include "metricssource.h"

namespace Switchboard {

void MetricsSource::requestStop()
{
    m_stop.store(true, std::memory_order_relaxed);
    onStopRequested();
}

} // namespace Switchboard
