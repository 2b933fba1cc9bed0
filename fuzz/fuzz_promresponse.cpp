// libFuzzer target for the Prometheus API body parser (backends/prometheus/promresponse.cpp): any bytes
// must give a value or an error, never a crash, a sanitizer report or a broken invariant; and
// the streaming parser must agree exactly (error kind, message, values) with the plain DOM
// implementation kept in promresponse_reference.cpp. Built and run by fuzz/run.

#include "promresponse.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string_view>

using Switchboard::PromResponse;
using Switchboard::PromSample;

namespace Reference {
PromResponse referenceParse(std::string_view body);
}

namespace {

bool same(double a, double b)
{
    return (std::isnan(a) && std::isnan(b)) || a == b;
}

bool same(const PromSample &a, const PromSample &b)
{
    return a.timeMs == b.timeMs && same(a.value, b.value);
}

bool agree(const PromResponse &a, const PromResponse &b)
{
    if (a.error != b.error || a.message != b.message || a.errorType != b.errorType || a.apiError != b.apiError
        || a.warnings != b.warnings || a.resultType != b.resultType || a.text != b.text || !same(a.scalar, b.scalar)
        || a.series.size() != b.series.size())
        return false;
    for (std::size_t i = 0; i < a.series.size(); ++i) {
        const auto &x = a.series[i];
        const auto &y = b.series[i];
        if (x.labels != y.labels || x.samples.size() != y.samples.size())
            return false;
        for (std::size_t k = 0; k < x.samples.size(); ++k) {
            if (!same(x.samples[k], y.samples[k]))
                return false;
        }
    }
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view body(reinterpret_cast<const char *>(data), size);
    const PromResponse r = PromResponse::parse(body);

    // Invariants callers rely on; a violation is a finding like a crash.
    if (r.ok() != r.message.empty())
        __builtin_trap();
    if (r.message.find('\n') != std::string::npos || r.message.find('\r') != std::string::npos)
        __builtin_trap(); // messages are one line
    if (!r.ok() && (!r.series.empty() || r.resultType != PromResponse::ResultType::None))
        __builtin_trap(); // an error carries no half-parsed values
    if (r.ok() && r.resultType == PromResponse::ResultType::Vector) {
        for (const auto &s : r.series) {
            if (s.samples.size() != 1)
                __builtin_trap();
        }
    }

    // Differential: the streaming parser against the straightforward DOM one.
    const PromResponse ref = Reference::referenceParse(body);
    if (!agree(r, ref)) {
        std::fprintf(stderr, "parsers disagree:\n  streaming: %s %s (%zu series)\n  reference: %s %s (%zu series)\n",
                     Switchboard::promErrorName(r.error), r.message.c_str(), r.series.size(),
                     Switchboard::promErrorName(ref.error), ref.message.c_str(), ref.series.size());
        __builtin_trap();
    }

    double v = 0;
    (void)PromResponse::parseValue(body.substr(0, 64), &v);
    return 0;
}
