#pragma once
// An input iterator over a PromChunkSource, the shape nlohmann's SAX parser reads from: it
// walks the current piece and asks the source for the next one when that runs out, so the
// parser pulls the body as it arrives. Counts the bytes it gave and whether any was not
// blank (an all-blank body is "empty", not "truncated"). The piece loop is inline: it runs
// once per byte of the answer.

#include "promchunksource.h"

#include <cstddef>
#include <iterator>

namespace Switchboard {

class PromChunkIterator final
{
public:
    using iterator_category = std::input_iterator_tag;
    using value_type = char;
    using difference_type = std::ptrdiff_t;
    using pointer = const char *;
    using reference = const char &;

    // The end: compares equal to an iterator whose source has nothing more.
    PromChunkIterator() = default;
    explicit PromChunkIterator(PromChunkSource *source, std::size_t *bytes = nullptr, bool *sawText = nullptr);

    reference operator*() const { return *m_at; }
    PromChunkIterator &operator++()
    {
        ++m_at;
        return *this;
    }
    // Only ever compared with the end, which is where the next piece is fetched.
    bool operator!=(const PromChunkIterator &) const { return m_at != m_end || refill(); }
    bool operator==(const PromChunkIterator &other) const { return !(*this != other); }

private:
    bool refill() const;

    mutable PromChunkSource *m_source = nullptr;
    std::size_t *m_bytes = nullptr;
    bool *m_sawText = nullptr;
    // Mutable: the parser compares a const-looking iterator with the end to learn whether there
    // is more, and that is when the next piece must come in.
    mutable const char *m_at = nullptr;
    mutable const char *m_end = nullptr;
};

} // namespace Switchboard
