#include "promcurlsource.h"

namespace Switchboard {

PromCurlSource::PromCurlSource(const CurlEasy::Pull &pull)
    : m_pull(pull)
{
}

bool PromCurlSource::next(const char **data, std::size_t *size)
{
    return m_pull(data, size);
}

} // namespace Switchboard
