#include "promchunkiterator.h"

namespace Switchboard {

PromChunkIterator::PromChunkIterator(PromChunkSource *source, std::size_t *bytes, bool *sawText)
    : m_source(source)
    , m_bytes(bytes)
    , m_sawText(sawText)
{
}

bool PromChunkIterator::refill() const
{
    if (!m_source)
        return false;
    const char *data = nullptr;
    std::size_t size = 0;
    // Empty pieces are skipped: only the source's end ends the body.
    do {
        if (!m_source->next(&data, &size)) {
            m_source = nullptr;
            m_at = m_end = nullptr;
            return false;
        }
    } while (size == 0);
    m_at = data;
    m_end = data + size;
    if (m_bytes)
        *m_bytes += size;
    if (m_sawText && !*m_sawText) {
        for (const char *p = data; p != m_end; ++p) {
            if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') {
                *m_sawText = true;
                break;
            }
        }
    }
    return true;
}

} // namespace Switchboard
