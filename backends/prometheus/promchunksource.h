#pragma once
// A Prometheus answer's body as it arrives, piece by piece, for parsing while it is received
// (PromResponse::parseStream). Free of Qt like PromResponse.

#include <cstddef>

namespace Switchboard {

class PromChunkSource
{
public:
    virtual ~PromChunkSource() = default;
    // The next piece of the body; false at its end. The piece stays valid until the next call.
    virtual bool next(const char **data, std::size_t *size) = 0;
};

} // namespace Switchboard
