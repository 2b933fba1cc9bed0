#pragma once
// The body of a transfer under way (CurlEasy::performStreaming's pull) as a PromChunkSource,
// so PromResponse::parseStream reads the answer while libcurl receives it.

#include "curleasy.h"
#include "promchunksource.h"

namespace Switchboard {

class PromCurlSource final : public PromChunkSource
{
public:
    explicit PromCurlSource(const CurlEasy::Pull &pull);
    bool next(const char **data, std::size_t *size) override;

private:
    const CurlEasy::Pull &m_pull;
};

} // namespace Switchboard
