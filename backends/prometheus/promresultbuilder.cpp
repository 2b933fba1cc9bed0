#include "promresultbuilder.h"

#include <algorithm>

namespace Switchboard::PromParse {

[[noreturn]] void fail(Error kind, std::string message)
{
    throw Failure{kind, std::move(message)};
}

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

void PromResultBuilder::parse(std::string_view body)
{
    json::sax_parse(body.begin(), body.end(), this, json::input_format_t::json, true);
}

void PromResultBuilder::parse(PromChunkIterator first, PromChunkIterator last)
{
    json::sax_parse(first, last, this, json::input_format_t::json, true);
}

bool PromResultBuilder::null() { return scalar("null", false, 0, nullptr, [] { return json(nullptr); }); }
bool PromResultBuilder::boolean(bool b) { return scalar("boolean", false, 0, nullptr, [b] { return json(b); }); }
bool PromResultBuilder::number_integer(json::number_integer_t v)
{
    return scalar("number", true, double(v), nullptr, [v] { return json(v); });
}
bool PromResultBuilder::number_unsigned(json::number_unsigned_t v)
{
    return scalar("number", true, double(v), nullptr, [v] { return json(v); });
}
bool PromResultBuilder::number_float(json::number_float_t v, const json::string_t &)
{
    return scalar("number", true, v, nullptr, [v] { return json(v); });
}
bool PromResultBuilder::string(json::string_t &s)
{
    return scalar("string", false, 0, &s, [&s] { return json(std::move(s)); });
}
bool PromResultBuilder::binary(json::binary_t &) { return true; } // JSON text has none
bool PromResultBuilder::start_object(std::size_t) { return open(true); }
bool PromResultBuilder::start_array(std::size_t) { return open(false); }
bool PromResultBuilder::end_object() { return close(); }
bool PromResultBuilder::end_array() { return close(); }
bool PromResultBuilder::key(json::string_t &k)
{
    m_key = std::move(k);
    return true;
}
bool PromResultBuilder::parse_error(std::size_t position, const std::string &, const nlohmann::detail::exception &e)
{
    syntaxError = true;
    errorByte = position;
    errorWhat = e.what();
    return false;
}

std::string PromResultBuilder::seriesPath(std::size_t series)
{
    return "data.result[" + std::to_string(series) + ']';
}

json *PromResultBuilder::put(json &&v)
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

void PromResultBuilder::forget(std::size_t series, bool single)
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

bool PromResultBuilder::isSampleKey() const { return m_key == "value" || m_key == "values"; }

template<typename Make>
bool PromResultBuilder::scalar(const char *type, bool isNumber, double number, const std::string *text, Make make)
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

void PromResultBuilder::valuesElementNotAPair(Context &values, const char *type)
{
    const std::size_t k = values.index++;
    Failure &e = captured[values.series].valuesError;
    if (e.kind == Error::None)
        e = {Error::WrongType, seriesPath(values.series) + ".values[" + std::to_string(k)
                                   + "]: expected an array [timestamp, \"value\"], got " + type};
}

bool PromResultBuilder::open(bool isObject)
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

bool PromResultBuilder::close()
{
    const Context top = m_stack.back();
    m_stack.pop_back();
    if (top.role == Role::Pair)
        endPair(top.series);
    return true;
}

void PromResultBuilder::endPair(std::size_t series)
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

} // namespace Switchboard::PromParse
