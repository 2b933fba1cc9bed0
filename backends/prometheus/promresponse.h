#pragma once
// Turns the JSON body of a Prometheus query API answer into plain values, or into an error that
// names the offending field. Pure (no I/O) and free of Qt so that it can be fuzzed on its own.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace Switchboard {

class PromChunkSource;

struct PromSample
{
    std::int64_t timeMs = 0; // Prometheus gives seconds with millisecond precision
    double value = 0;        // "NaN", "+Inf" and "-Inf" are kept as NaN / +inf / -inf
};

struct PromSeries
{
    std::map<std::string, std::string> labels;
    std::vector<PromSample> samples; // exactly one for a vector result, any number for a matrix
};

struct PromResponse
{
    enum class ResultType { None, Scalar, String, Vector, Matrix };
    // What went wrong, coarse enough to act on (tests assert it; the client words its messages
    // from it), with `message` naming the field.
    enum class Error {
        None,
        Empty,        // zero bytes (or only whitespace)
        NotJson,      // a syntax error before the end of the body
        Truncated,    // valid so far, but the body ends early
        WrongType,    // a field has the wrong JSON type ("value" as a number, "data" as a string...)
        MissingField, // a field the format requires is absent
        BadValue,     // right type, impossible content (unknown status or resultType, "1.2.3")
        ApiError,     // a well-formed {"status":"error"} answer from Prometheus
    };

    Error error = Error::None;
    std::string message;   // empty when ok; one line
    std::string errorType; // ApiError: Prometheus' errorType ("bad_data", "execution", ...)
    std::string apiError;  // ApiError: Prometheus' own error text
    std::vector<std::string> warnings;

    ResultType resultType = ResultType::None;
    std::vector<PromSeries> series; // Vector and Matrix
    PromSample scalar;              // Scalar (and String's timestamp)
    std::string text;               // String

    bool ok() const { return error == Error::None; }

    static PromResponse parse(std::string_view body);
    // The same, parsing the body while it arrives: the parser pulls each piece from `source`
    // as it needs it, and the answer is never held whole. Errors are worded as by parse().
    static PromResponse parseStream(PromChunkSource &source);
    // Prometheus' spelling of a sample value: "NaN", "+Inf", "-Inf" or a finite decimal number.
    // False for anything else (a lone "inf", "1e999", "0x10", "", " 1").
    static bool parseValue(std::string_view text, double *out);
};

const char *promErrorName(PromResponse::Error e);
const char *promResultTypeName(PromResponse::ResultType t);

} // namespace Switchboard
