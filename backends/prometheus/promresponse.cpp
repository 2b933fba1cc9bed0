#include "promresponse.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <limits>
#include <new>

namespace Switchboard {

namespace {

using json = nlohmann::json;
using Error = PromResponse::Error;

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
// below run unchanged and word every error exactly as on the full DOM. A sax_parse handler.
class Builder
{
public:
    json root;
    std::vector<CapturedSeries> captured;
    bool syntaxError = false;
    std::size_t errorByte = 0;
    std::string errorWhat;

    bool null() { return scalar("null", false, 0, nullptr, [] { return json(nullptr); }); }
    bool boolean(bool b) { return scalar("boolean", false, 0, nullptr, [b] { return json(b); }); }
    bool number_integer(json::number_integer_t v)
    {
        return scalar("number", true, double(v), nullptr, [v] { return json(v); });
    }
    bool number_unsigned(json::number_unsigned_t v)
    {
        return scalar("number", true, double(v), nullptr, [v] { return json(v); });
    }
    bool number_float(json::number_float_t v, const json::string_t &)
    {
        return scalar("number", true, v, nullptr, [v] { return json(v); });
    }
    bool string(json::string_t &s) { return scalar("string", false, 0, &s, [&s] { return json(std::move(s)); }); }
    bool binary(json::binary_t &) { return true; } // JSON text has none
    bool start_object(std::size_t) { return open(true); }
    bool start_array(std::size_t) { return open(false); }
    bool end_object() { return close(); }
    bool end_array() { return close(); }
    bool key(json::string_t &k)
    {
        m_key = std::move(k);
        return true;
    }
    bool parse_error(std::size_t position, const std::string &, const nlohmann::detail::exception &e)
    {
        syntaxError = true;
        errorByte = position;
        errorWhat = e.what();
        return false;
    }

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

    static std::string seriesPath(std::size_t series) { return "data.result[" + std::to_string(series) + ']'; }

    json *put(json &&v)
    {
        if (m_stack.empty()) {
            root = std::move(v);
            return &root;
        }
        json &parent = *m_stack.back().dom;
        if (parent.is_array()) {
            parent.push_back(std::move(v));
            return &parent.back();
        }
        json &slot = parent[m_key];
        slot = std::move(v); // a repeated key replaces the earlier value, as in the DOM parser
        return &slot;
    }

    void forget(std::size_t series, bool single)
    {
        CapturedSeries &c = captured[series];
        if (single) {
            c.hasValue = false;
            c.valueError = {};
        } else {
            c.hasValues = false;
            c.values.clear();
            c.valuesError = {};
        }
    }

    bool isSampleKey() const { return m_key == "value" || m_key == "values"; }

    template<typename Make>
    bool scalar(const char *type, bool isNumber, double number, const std::string *text, Make make)
    {
        if (m_stack.empty()) {
            root = make();
            return true;
        }
        Context &top = m_stack.back();
        switch (top.role) {
        case Role::Skip:
            return true;
        case Role::Pair:
            m_pair.element(type, isNumber, number, text);
            return true;
        case Role::Values:
            valuesElementNotAPair(top, type);
            return true;
        case Role::Series:
            if (isSampleKey())
                forget(top.series, m_key == "value");
            break;
        default:
            break;
        }
        put(make());
        return true;
    }

    void valuesElementNotAPair(Context &values, const char *type)
    {
        const std::size_t k = values.index++;
        Failure &e = captured[values.series].valuesError;
        if (e.kind == Error::None)
            e = {Error::WrongType, seriesPath(values.series) + ".values[" + std::to_string(k)
                                       + "]: expected an array [timestamp, \"value\"], got " + type};
    }

    bool open(bool isObject)
    {
        const char *type = isObject ? "object" : "array";
        if (m_stack.empty()) {
            root = isObject ? json::object() : json::array();
            m_stack.push_back({isObject ? Role::Root : Role::Other, &root});
            return true;
        }
        Context &top = m_stack.back();
        switch (top.role) {
        case Role::Skip:
            m_stack.push_back({Role::Skip});
            return true;
        case Role::Pair:
            m_pair.element(type, false, 0, nullptr);
            m_stack.push_back({Role::Skip});
            return true;
        case Role::Values:
            if (isObject) {
                valuesElementNotAPair(top, type);
                m_stack.push_back({Role::Skip});
            } else {
                m_pair = {};
                m_pairIndex = top.index++;
                m_stack.push_back({Role::Pair, nullptr, top.series});
            }
            return true;
        case Role::Series:
            if (isSampleKey()) {
                const bool single = m_key == "value";
                const std::size_t series = top.series;
                forget(series, single);
                if (!isObject) {
                    (single ? captured[series].hasValue : captured[series].hasValues) = true;
                    put(json::array()); // the key stays visible to the checks
                    if (single) {
                        m_pair = {};
                        m_pairIndex = kSingle;
                        m_stack.push_back({Role::Pair, nullptr, series});
                    } else {
                        m_stack.push_back({Role::Values, nullptr, series});
                    }
                    return true;
                }
            }
            break;
        default:
            break;
        }
        const Role parent = top.role;
        const std::size_t position = top.dom->is_array() ? top.dom->size() : 0;
        json *dom = put(isObject ? json::object() : json::array());
        Context c{Role::Other, dom};
        if (parent == Role::Root && isObject && m_key == "data") {
            c.role = Role::Data;
        } else if (parent == Role::Data && !isObject && m_key == "result") {
            c.role = Role::Result;
            captured.clear(); // a repeated "result" replaces the earlier one
        } else if (parent == Role::Result && isObject) {
            c.role = Role::Series;
            c.series = position;
            captured.resize(position + 1);
            captured[position] = {};
        }
        m_stack.push_back(c);
        return true;
    }

    bool close()
    {
        const Context top = m_stack.back();
        m_stack.pop_back();
        if (top.role == Role::Pair)
            endPair(top.series);
        return true;
    }

    void endPair(std::size_t series)
    {
        CapturedSeries &c = captured[series];
        const bool single = m_pairIndex == kSingle;
        Failure &error = single ? c.valueError : c.valuesError;
        if (error.kind != Error::None)
            return; // the first bad sample is what gets reported
        PromSample s;
        const std::size_t index = m_pairIndex;
        Failure f = checkPair(m_pair, [series, single, index] {
            return seriesPath(series) + (single ? ".value" : ".values[" + std::to_string(index) + ']');
        }, &s);
        if (f.kind != Error::None)
            error = std::move(f);
        else if (single)
            c.value = s;
        else
            c.values.push_back(s);
    }

    std::vector<Context> m_stack;
    std::string m_key;
    PairSeen m_pair;
    std::size_t m_pairIndex = 0;
};

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

void parseInto(std::string_view body, PromResponse *r)
{
    if (onlyWhitespace(body))
        fail(Error::Empty, "empty body");
    Builder builder;
    json::sax_parse(body.begin(), body.end(), &builder, json::input_format_t::json, true);
    if (builder.syntaxError) {
        // errorByte is 1-based: past the size means the lexer ran out of input mid-value, which
        // is what a cut connection or a size cap produces; anything else is a syntax error.
        if (builder.errorByte > body.size())
            fail(Error::Truncated, "truncated JSON: the body ends after " + std::to_string(body.size())
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

PromResponse PromResponse::parse(std::string_view body)
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
