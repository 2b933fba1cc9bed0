// The first, straightforward implementation of PromResponse::parse (a full nlohmann DOM), kept
// as the oracle for differential fuzzing: backends/prometheus/promresponse.cpp must agree with it on every
// input (error kind, message, values). Not built into the app.

#include "promresponse.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <limits>
#include <new>

namespace Reference {

using namespace Switchboard;

namespace {

using json = nlohmann::json;
using Error = Switchboard::PromResponse::Error;

// Thrown inside the parser only; parse() turns it into a returned error.
struct Failure
{
    Error kind;
    std::string message;
};

[[noreturn]] void fail(Error kind, std::string message)
{
    throw Failure{kind, std::move(message)};
}

// Strings from the body end up in one-line messages: no control characters, bounded length.
std::string oneLine(std::string_view s, std::size_t max)
{
    std::string out;
    out.reserve(std::min(s.size(), max) + 3);
    for (const char c : s) {
        if (out.size() >= max) {
            out += "...";
            break;
        }
        const auto u = static_cast<unsigned char>(c);
        out += (u < 0x20 || u == 0x7f) ? ' ' : c;
    }
    return out;
}

std::string inQuotes(std::string_view s)
{
    return '"' + oneLine(s, 60) + '"';
}

// A path to a field ("data.result[3].value[1]"), built only when a message needs it: the
// sample loop of a large matrix must not format a string per point.
struct Path
{
    const std::string &base;
    std::ptrdiff_t index = -1;

    std::string str() const
    {
        return index >= 0 ? base + '[' + std::to_string(index) + ']' : base;
    }
};

std::string join(const std::string &path, const char *key)
{
    return path.empty() ? std::string(key) : path + '.' + key;
}

void expectType(bool ok, const json &j, const std::string &path, const char *wanted)
{
    if (!ok)
        fail(Error::WrongType, path + ": expected " + wanted + ", got " + j.type_name());
}

const json &field(const json &object, const char *key, const std::string &path)
{
    const auto it = object.find(key);
    if (it == object.end())
        fail(Error::MissingField, join(path, key) + " is missing");
    return *it;
}

const json *optionalField(const json &object, const char *key)
{
    const auto it = object.find(key);
    return it == object.end() ? nullptr : &*it;
}

// `pair` is the path of the [timestamp, value] array the timestamp is the first element of.
std::int64_t readTimestamp(const json &t, const Path &pair)
{
    if (!t.is_number())
        fail(Error::WrongType, pair.str() + "[0]: expected a number (timestamp), got " + t.type_name());
    const double seconds = t.get<double>();
    // Bounded so that the conversion to milliseconds cannot overflow (year ~318,000).
    if (!std::isfinite(seconds) || std::fabs(seconds) > 1e13)
        fail(Error::BadValue, pair.str() + "[0]: timestamp out of range");
    return std::llround(seconds * 1000.0);
}

// [timestamp, "value"] as Prometheus writes every sample.
const json &pairMembers(const json &pair, const Path &path)
{
    if (!pair.is_array())
        fail(Error::WrongType, path.str() + ": expected an array [timestamp, \"value\"], got " + pair.type_name());
    if (pair.size() != 2)
        fail(Error::BadValue, path.str() + ": expected 2 elements [timestamp, \"value\"], got " + std::to_string(pair.size()));
    return pair;
}

PromSample readSample(const json &pair, const Path &path)
{
    pairMembers(pair, path);
    PromSample s;
    s.timeMs = readTimestamp(pair[0], path);
    const json &v = pair[1];
    if (!v.is_string())
        fail(Error::WrongType, path.str() + "[1]: expected a string (sample value), got " + v.type_name());
    const std::string &text = v.get_ref<const std::string &>();
    if (!PromResponse::parseValue(text, &s.value))
        fail(Error::BadValue, path.str() + "[1]: not a number: " + inQuotes(text));
    return s;
}

std::map<std::string, std::string> readLabels(const json &metric, const std::string &path)
{
    expectType(metric.is_object(), metric, path, "an object (labels)");
    std::map<std::string, std::string> labels;
    for (auto it = metric.begin(); it != metric.end(); ++it) {
        if (!it.value().is_string())
            fail(Error::WrongType, path + '.' + oneLine(it.key(), 60) + ": expected a string (label value), got "
                                       + it.value().type_name());
        labels.emplace(it.key(), it.value().get_ref<const std::string &>());
    }
    return labels;
}

void readWarnings(const json &doc, std::vector<std::string> *out)
{
    const json *w = optionalField(doc, "warnings");
    if (!w || w->is_null())
        return;
    expectType(w->is_array(), *w, "warnings", "an array of strings");
    for (std::size_t i = 0; i < w->size(); ++i) {
        const json &item = (*w)[i];
        if (!item.is_string())
            fail(Error::WrongType, "warnings[" + std::to_string(i) + "]: expected a string, got " + item.type_name());
        out->push_back(oneLine(item.get_ref<const std::string &>(), 500));
    }
}

[[noreturn]] void nativeHistogram(const std::string &path)
{
    fail(Error::BadValue, path + ": native histogram samples are not supported; query a float value "
                                 "(e.g. histogram_quantile(...))");
}

void readVector(const json &result, PromResponse *r)
{
    const std::string base = "data.result";
    expectType(result.is_array(), result, base, "an array");
    r->series.reserve(result.size());
    for (std::size_t i = 0; i < result.size(); ++i) {
        const json &item = result[i];
        const std::string path = base + '[' + std::to_string(i) + ']';
        expectType(item.is_object(), item, path, "an object");
        PromSeries s;
        s.labels = readLabels(field(item, "metric", path), path + ".metric");
        const json *value = optionalField(item, "value");
        if (!value) {
            if (optionalField(item, "histogram"))
                nativeHistogram(path);
            fail(Error::MissingField, path + ".value is missing");
        }
        const std::string valuePath = path + ".value";
        s.samples.push_back(readSample(*value, Path{valuePath}));
        r->series.push_back(std::move(s));
    }
}

void readMatrix(const json &result, PromResponse *r)
{
    const std::string base = "data.result";
    expectType(result.is_array(), result, base, "an array");
    r->series.reserve(result.size());
    for (std::size_t i = 0; i < result.size(); ++i) {
        const json &item = result[i];
        const std::string path = base + '[' + std::to_string(i) + ']';
        expectType(item.is_object(), item, path, "an object");
        PromSeries s;
        s.labels = readLabels(field(item, "metric", path), path + ".metric");
        const json *values = optionalField(item, "values");
        if (!values) {
            if (optionalField(item, "histograms"))
                nativeHistogram(path);
            fail(Error::MissingField, path + ".values is missing");
        }
        const std::string valuesPath = path + ".values";
        expectType(values->is_array(), *values, valuesPath, "an array");
        s.samples.reserve(values->size());
        for (std::size_t k = 0; k < values->size(); ++k)
            s.samples.push_back(readSample((*values)[k], Path{valuesPath, static_cast<std::ptrdiff_t>(k)}));
        r->series.push_back(std::move(s));
    }
}

void readScalar(const json &result, PromResponse *r)
{
    static const std::string base = "data.result";
    r->scalar = readSample(result, Path{base});
}

void readString(const json &result, PromResponse *r)
{
    static const std::string base = "data.result";
    pairMembers(result, Path{base});
    r->scalar.timeMs = readTimestamp(result[0], Path{base});
    const json &v = result[1];
    if (!v.is_string())
        fail(Error::WrongType, base + "[1]: expected a string, got " + v.type_name());
    r->text = v.get_ref<const std::string &>();
    r->scalar.value = std::numeric_limits<double>::quiet_NaN();
}

bool onlyWhitespace(std::string_view s)
{
    for (const char c : s) {
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            return false;
    }
    return true;
}

void parseInto(std::string_view body, PromResponse *r)
{
    if (onlyWhitespace(body))
        fail(Error::Empty, "empty body");
    json doc;
    try {
        doc = json::parse(body.begin(), body.end());
    } catch (const json::parse_error &e) {
        std::string what = e.what();
        // "[json.exception.parse_error.101] parse error at line 1, column 7: syntax error ..."
        if (const auto pos = what.find("] "); pos != std::string::npos)
            what.erase(0, pos + 2);
        // e.byte is 1-based: past the size means the lexer ran out of input mid-value, which is
        // what a cut connection or a size cap produces; anything else is a real syntax error.
        if (e.byte > body.size())
            fail(Error::Truncated, "truncated JSON: the body ends after " + std::to_string(body.size())
                                       + " bytes in the middle of a value");
        fail(Error::NotJson, "not JSON: " + oneLine(what, 200));
    } catch (const json::out_of_range &e) {
        // A number literal beyond double's range ("1e400"): not JSON we can hold.
        std::string what = e.what();
        if (const auto pos = what.find("] "); pos != std::string::npos)
            what.erase(0, pos + 2);
        fail(Error::NotJson, "not JSON: " + oneLine(what, 200));
    }

    expectType(doc.is_object(), doc, "body", "an object");
    const json &status = field(doc, "status", std::string());
    expectType(status.is_string(), status, "status", "a string");
    readWarnings(doc, &r->warnings);
    const std::string &statusText = status.get_ref<const std::string &>();

    if (statusText == "error") {
        // Both fields are documented; tolerate either missing rather than hide the failure.
        if (const json *t = optionalField(doc, "errorType"); t && t->is_string())
            r->errorType = oneLine(t->get_ref<const std::string &>(), 60);
        if (const json *e = optionalField(doc, "error"); e && e->is_string())
            r->apiError = oneLine(e->get_ref<const std::string &>(), 500);
        r->error = Error::ApiError;
        const std::string text = r->apiError.empty() ? std::string("no error text") : r->apiError;
        r->message = r->errorType.empty() ? text : r->errorType + ": " + text;
        return;
    }
    if (statusText != "success")
        fail(Error::BadValue, "status: expected \"success\" or \"error\", got " + inQuotes(statusText));

    const json &data = field(doc, "data", std::string());
    expectType(data.is_object(), data, "data", "an object");
    const json &type = field(data, "resultType", "data");
    expectType(type.is_string(), type, "data.resultType", "a string");
    const json &result = field(data, "result", "data");
    const std::string &typeText = type.get_ref<const std::string &>();
    if (typeText == "vector") {
        r->resultType = PromResponse::ResultType::Vector;
        readVector(result, r);
    } else if (typeText == "matrix") {
        r->resultType = PromResponse::ResultType::Matrix;
        readMatrix(result, r);
    } else if (typeText == "scalar") {
        r->resultType = PromResponse::ResultType::Scalar;
        readScalar(result, r);
    } else if (typeText == "string") {
        r->resultType = PromResponse::ResultType::String;
        readString(result, r);
    } else {
        fail(Error::BadValue, "data.resultType: unknown result type " + inQuotes(typeText));
    }
}

} // namespace

PromResponse referenceParse(std::string_view body)
{
    PromResponse r;
    try {
        parseInto(body, &r);
        return r;
    } catch (const Failure &f) {
        PromResponse failed;
        failed.error = f.kind;
        failed.message = f.message;
        failed.warnings = std::move(r.warnings);
        return failed;
    } catch (const std::bad_alloc &) {
        PromResponse failed;
        failed.error = Error::BadValue;
        failed.message = "answer too large to hold in memory";
        return failed;
    } catch (const std::exception &e) {
        // Not expected (every access above is checked first); never let it escape to a caller.
        PromResponse failed;
        failed.error = Error::BadValue;
        failed.message = std::string("unexpected answer: ") + oneLine(e.what(), 200);
        return failed;
    }
}

} // namespace Reference
