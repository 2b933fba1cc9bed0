#include "promresponse.h"

#include "promresultbuilder.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <new>

namespace Switchboard {

namespace {

using PromParse::CapturedSeries;
using PromParse::Error;
using PromParse::Failure;
using PromParse::PairSeen;
using PromParse::PromResultBuilder;
using PromParse::checkPair;
using PromParse::fail;
using PromParse::inQuotes;
using PromParse::json;
using PromParse::oneLine;

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

void elementOf(const json &j, PairSeen *p)
{
    p->element(j.type_name(), j.is_number(), j.is_number() ? j.get<double>() : 0.0,
               j.is_string() ? &j.get_ref<const std::string &>() : nullptr);
}

// [timestamp, "value"] as Prometheus writes every sample, from the DOM.
PromSample readSample(const json &pair, const Path &path)
{
    if (!pair.is_array())
        fail(Error::WrongType, path.str() + ": expected an array [timestamp, \"value\"], got " + pair.type_name());
    PairSeen seen;
    for (const json &e : pair)
        elementOf(e, &seen);
    PromSample s;
    Failure f = checkPair(seen, [&path] { return path.str(); }, &s);
    if (f.kind != Error::None)
        throw f;
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

// data.result of a vector or a matrix: series of labels with one sample under "value" or a list
// under "values". The samples were captured while parsing (the DOM holds an empty array there);
// a vector's "value" that is not an array was not, and is checked on the DOM.
void readSeries(const json &result, std::vector<CapturedSeries> &captured, bool matrix, PromResponse *r)
{
    const char *const key = matrix ? "values" : "value";
    const std::string base = "data.result";
    expectType(result.is_array(), result, base, "an array");
    r->series.reserve(result.size());
    for (std::size_t i = 0; i < result.size(); ++i) {
        const json &item = result[i];
        const std::string path = base + '[' + std::to_string(i) + ']';
        expectType(item.is_object(), item, path, "an object");
        PromSeries s;
        s.labels = readLabels(field(item, "metric", path), path + ".metric");
        const json *samples = optionalField(item, key);
        const std::string samplesPath = path + '.' + key;
        if (!samples) {
            if (optionalField(item, matrix ? "histograms" : "histogram"))
                nativeHistogram(path);
            fail(Error::MissingField, samplesPath + " is missing");
        }
        CapturedSeries *c = i < captured.size() ? &captured[i] : nullptr;
        if (matrix) {
            expectType(samples->is_array(), *samples, samplesPath, "an array");
            if (c && c->hasValues) {
                if (c->valuesError.kind != Error::None)
                    throw c->valuesError;
                s.samples = std::move(c->values);
            }
        } else if (c && c->hasValue) {
            if (c->valueError.kind != Error::None)
                throw c->valueError;
            s.samples.push_back(c->value);
        } else {
            s.samples.push_back(readSample(*samples, Path{samplesPath}));
        }
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
    expectType(result.is_array(), result, base, "an array [timestamp, \"value\"]");
    if (result.size() != 2)
        fail(Error::BadValue, base + ": expected 2 elements [timestamp, \"value\"], got " + std::to_string(result.size()));
    const json &t = result[0];
    if (!t.is_number())
        fail(Error::WrongType, base + "[0]: expected a number (timestamp), got " + t.type_name());
    const double seconds = t.get<double>();
    if (!std::isfinite(seconds) || std::fabs(seconds) > 1e13)
        fail(Error::BadValue, base + "[0]: timestamp out of range");
    r->scalar.timeMs = std::llround(seconds * 1000.0);
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

// Checks what the builder made of a body of `bodySize` bytes and fills *r.
void checkParsed(PromResultBuilder &builder, std::size_t bodySize, PromResponse *r);

void parseInto(std::string_view body, PromResponse *r)
{
    if (onlyWhitespace(body))
        fail(Error::Empty, "empty body");
    PromResultBuilder builder;
    builder.parse(body);
    checkParsed(builder, body.size(), r);
}

void parseStreamInto(PromChunkSource &source, PromResponse *r)
{
    std::size_t bytes = 0;
    bool sawText = false;
    PromResultBuilder builder;
    builder.parse(PromChunkIterator(&source, &bytes, &sawText), PromChunkIterator());
    if (!sawText)
        fail(Error::Empty, "empty body");
    checkParsed(builder, bytes, r);
}

void checkParsed(PromResultBuilder &builder, std::size_t bodySize, PromResponse *r)
{
    if (builder.syntaxError) {
        // errorByte is 1-based: past the size means the lexer ran out of input mid-value, which
        // is what a cut connection or a size cap produces; anything else is a syntax error.
        if (builder.errorByte > bodySize)
            fail(Error::Truncated, "truncated JSON: the body ends after " + std::to_string(bodySize)
                                       + " bytes in the middle of a value");
        std::string what = builder.errorWhat;
        // "[json.exception.parse_error.101] parse error at line 1, column 7: syntax error ..."
        if (const auto pos = what.find("] "); pos != std::string::npos)
            what.erase(0, pos + 2);
        fail(Error::NotJson, "not JSON: " + oneLine(what, 200));
    }
    const json &doc = builder.root;

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
        readSeries(result, builder.captured, false, r);
    } else if (typeText == "matrix") {
        r->resultType = PromResponse::ResultType::Matrix;
        readSeries(result, builder.captured, true, r);
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

bool PromResponse::parseValue(std::string_view text, double *out)
{
    // Prometheus formats values with Go's strconv: these three are its only non-finite spellings.
    if (text == "NaN") {
        *out = std::numeric_limits<double>::quiet_NaN();
        return true;
    }
    if (text == "+Inf") {
        *out = std::numeric_limits<double>::infinity();
        return true;
    }
    if (text == "-Inf") {
        *out = -std::numeric_limits<double>::infinity();
        return true;
    }
    if (text.empty())
        return false;
    double v = 0;
    const char *end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, v);
    // from_chars also accepts "inf"/"nan" spellings: not Prometheus', so not accepted.
    if (ec != std::errc() || ptr != end || !std::isfinite(v))
        return false;
    *out = v;
    return true;
}

namespace {

// Runs one of the parse functions above and turns whatever it throws into a returned error.
template<typename Run>
PromResponse parseGuarded(Run run)
{
    PromResponse r;
    try {
        run(&r);
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

} // namespace

PromResponse PromResponse::parse(std::string_view body)
{
    return parseGuarded([body](PromResponse *r) { parseInto(body, r); });
}

PromResponse PromResponse::parseStream(PromChunkSource &source)
{
    return parseGuarded([&source](PromResponse *r) { parseStreamInto(source, r); });
}

const char *promErrorName(PromResponse::Error e)
{
    switch (e) {
    case Error::None: return "none";
    case Error::Empty: return "empty";
    case Error::NotJson: return "not-json";
    case Error::Truncated: return "truncated";
    case Error::WrongType: return "wrong-type";
    case Error::MissingField: return "missing-field";
    case Error::BadValue: return "bad-value";
    case Error::ApiError: return "api-error";
    }
    return "?";
}

const char *promResultTypeName(PromResponse::ResultType t)
{
    switch (t) {
    case PromResponse::ResultType::None: return "none";
    case PromResponse::ResultType::Scalar: return "scalar";
    case PromResponse::ResultType::String: return "string";
    case PromResponse::ResultType::Vector: return "vector";
    case PromResponse::ResultType::Matrix: return "matrix";
    }
    return "?";
}

} // namespace Switchboard
