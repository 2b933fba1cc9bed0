#pragma once
// Builds the DOM of a Prometheus query answer while parsing it, except for the samples of
// data.result[*].value(s), which it captures as plain values; PromResponse::parse checks the rest.
// Internal to PromResponse (promresponse.cpp), and free of Qt like it.

#include "promchunkiterator.h"
#include "promresponse.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace Switchboard::PromParse {

using json = nlohmann::json;
using Error = PromResponse::Error;

// Thrown inside the parser only; PromResponse::parse() turns it into a returned error.
struct Failure
{
    Error kind;
    std::string message;
};

[[noreturn]] void fail(Error kind, std::string message);

// Strings from the body end up in one-line messages: no control characters, bounded length.
std::string oneLine(std::string_view s, std::size_t max);
std::string inQuotes(std::string_view s);

// What a [timestamp, "value"] array held, as far as the checks need it. Filled from the DOM
// for small answers and straight from the parser's events for a result's samples.
struct PairSeen
{
    std::size_t count = 0;
    const char *timeType = "null";
    bool timeIsNumber = false;
    double time = 0;
    const char *valueType = "null";
    bool valueIsString = false;
    bool valueParsed = false;
    double value = 0;
    std::string text; // the value's text, kept only when it does not parse (for the message)

    void element(const char *type, bool isNumber, double number, const std::string *string)
    {
        const std::size_t n = count++;
        if (n == 0) {
            timeType = type;
            timeIsNumber = isNumber;
            time = number;
        } else if (n == 1) {
            valueType = type;
            valueIsString = string != nullptr;
            if (string) {
                valueParsed = PromResponse::parseValue(*string, &value);
                if (!valueParsed)
                    text = *string;
            }
        }
    }
};

// `path()` names the pair; called only to word a failure.
template<typename P>
Failure checkPair(const PairSeen &p, P path, PromSample *out)
{
    if (p.count != 2)
        return {Error::BadValue, path() + ": expected 2 elements [timestamp, \"value\"], got " + std::to_string(p.count)};
    if (!p.timeIsNumber)
        return {Error::WrongType, path() + "[0]: expected a number (timestamp), got " + p.timeType};
    // Bounded so that the conversion to milliseconds cannot overflow (year ~318,000).
    if (!std::isfinite(p.time) || std::fabs(p.time) > 1e13)
        return {Error::BadValue, path() + "[0]: timestamp out of range"};
    if (!p.valueIsString)
        return {Error::WrongType, path() + "[1]: expected a string (sample value), got " + p.valueType};
    if (!p.valueParsed)
        return {Error::BadValue, path() + "[1]: not a number: " + inQuotes(p.text)};
    out->timeMs = std::llround(p.time * 1000.0);
    out->value = p.value;
    return {};
}

// The samples of one series of data.result, captured while parsing. `value` / `values` is
// the last such key of the series (JSON's last-one-wins, like the DOM).
struct CapturedSeries
{
    bool hasValue = false;
    PromSample value;
    Failure valueError;
    bool hasValues = false;
    std::vector<PromSample> values;
    Failure valuesError;
};

// Builds a DOM of the answer except for the samples of data.result[*].value(s), which go
// straight into CapturedSeries: a 1,000 x 1,000 matrix then costs its 16 MB of samples instead
// of ~150 MB of JSON nodes. The DOM keeps an empty array where the samples were, so the checks
// in promresponse.cpp run unchanged and word every error exactly as on the full DOM. A
// sax_parse handler; parse() runs it (here, so that the handler calls stay inline).
class PromResultBuilder final
{
public:
    json root;
    std::vector<CapturedSeries> captured;
    bool syntaxError = false;
    std::size_t errorByte = 0;
    std::string errorWhat;

    void parse(std::string_view body);
    // The same over a body that arrives in pieces (the parser pulls them as it goes).
    void parse(PromChunkIterator first, PromChunkIterator last);

    bool null();
    bool boolean(bool b);
    bool number_integer(json::number_integer_t v);
    bool number_unsigned(json::number_unsigned_t v);
    bool number_float(json::number_float_t v, const json::string_t &);
    bool string(json::string_t &s);
    bool binary(json::binary_t &);
    bool start_object(std::size_t);
    bool start_array(std::size_t);
    bool end_object();
    bool end_array();
    bool key(json::string_t &k);
    bool parse_error(std::size_t position, const std::string &, const nlohmann::detail::exception &e);

private:
    // Root: the top object; Data: its "data"; Result: data.result; Series: an element of it.
    // Values / Pair: captured samples (no DOM); Skip: a container inside a pair (no DOM).
    enum class Role { Root, Data, Result, Series, Other, Values, Pair, Skip };
    struct Context
    {
        Role role;
        json *dom = nullptr;
        std::size_t series = 0;
        std::size_t index = 0; // Values: elements so far
    };
    static constexpr std::size_t kSingle = std::size_t(-1);

    static std::string seriesPath(std::size_t series);
    json *put(json &&v);
    void forget(std::size_t series, bool single);
    bool isSampleKey() const;
    template<typename Make>
    bool scalar(const char *type, bool isNumber, double number, const std::string *text, Make make);
    void valuesElementNotAPair(Context &values, const char *type);
    bool open(bool isObject);
    bool close();
    void endPair(std::size_t series);

    std::vector<Context> m_stack;
    std::string m_key;
    PairSeen m_pair;
    std::size_t m_pairIndex = 0;
};

} // namespace Switchboard::PromParse
