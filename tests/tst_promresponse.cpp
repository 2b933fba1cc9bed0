// The Prometheus API body parser: a corpus of good, malformed, truncated, wrongly typed and huge
// bodies, each checked for its value or its exact kind of error. With PROMRESPONSE_CORPUS_DIR
// set, the corpus bodies are also written there (fuzz/run seeds the fuzzer with them).

#include "promresponse.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QRegularExpression>
#include <QTest>

#include <cmath>
#include <limits>
#include <sstream>

using namespace Switchboard;

namespace {

const double NaN = std::numeric_limits<double>::quiet_NaN();
const double Inf = std::numeric_limits<double>::infinity();

QByteArray vec(const QByteArray &value)
{
    return R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"version":"v1"},"value":[1795508562.503,)"
           + value + "]}]}}";
}

QByteArray mat(const QByteArray &values)
{
    return R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{"version":"v2"},"values":)" + values
           + "}]}}";
}

const QByteArray kGood = R"({"status":"success","data":{"resultType":"vector","result":[)"
                         R"({"metric":{"__name__":"up","job":"app","version":"v1"},"value":[1795508562.503,"83.67"]},)"
                         R"({"metric":{"version":"v2"},"value":[1795508562.503,"0.25"]}]},"warnings":["partial answer"]})";

void writeCorpus(const QByteArray &body)
{
    const QString dir = qEnvironmentVariable("PROMRESPONSE_CORPUS_DIR");
    if (dir.isEmpty())
        return;
    QDir().mkpath(dir);
    QString name = QString::fromLatin1(QTest::currentDataTag());
    name.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9_-]+")), QStringLiteral("_"));
    QFile f(dir + QLatin1Char('/') + name);
    if (f.open(QIODevice::WriteOnly))
        f.write(body);
}

std::string bigMatrix(int series, int points)
{
    std::ostringstream out;
    out << R"({"status":"success","data":{"resultType":"matrix","result":[)";
    for (int s = 0; s < series; ++s) {
        out << (s ? "," : "") << R"({"metric":{"__name__":"bench","series":")" << s << R"("},"values":[)";
        for (int p = 0; p < points; ++p)
            out << (p ? "," : "") << '[' << 1700000000 + p << ".5,\"" << s * 1000 + p << ".25\"]";
        out << "]}";
    }
    out << "]}}";
    return out.str();
}

} // namespace

class TestPromResponse : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void corpus_data();
    void corpus();
    void vectorDetails();
    void matrixDetails();
    void errorBody();
    void values_data();
    void values();
    void everyPrefixIsTruncated();
    void deepNesting();
    void huge();
};

void TestPromResponse::corpus_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("error");   // promErrorName
    QTest::addColumn<QString>("message"); // a part of the message (regex), for errors
    QTest::addColumn<QString>("type");    // promResultTypeName
    QTest::addColumn<int>("series");
    QTest::addColumn<double>("first"); // value of the first sample of the first series

    const QString none = QStringLiteral("none");
    // Good answers.
    QTest::newRow("vector") << kGood << none << QString() << "vector" << 2 << 83.67;
    QTest::newRow("vector-empty") << QByteArray(R"({"status":"success","data":{"resultType":"vector","result":[]}})") << none
                                  << QString() << "vector" << 0 << NaN;
    QTest::newRow("vector-NaN") << vec(R"("NaN")") << none << QString() << "vector" << 1 << NaN;
    QTest::newRow("vector-+Inf") << vec(R"("+Inf")") << none << QString() << "vector" << 1 << Inf;
    QTest::newRow("vector--Inf") << vec(R"("-Inf")") << none << QString() << "vector" << 1 << -Inf;
    QTest::newRow("vector-negative") << vec(R"("-1.5")") << none << QString() << "vector" << 1 << -1.5;
    QTest::newRow("vector-exponent") << vec(R"("1e-3")") << none << QString() << "vector" << 1 << 0.001;
    QTest::newRow("vector-int-timestamp")
        << QByteArray(R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000000,"1"]}]}})")
        << none << QString() << "vector" << 1 << 1.0;
    QTest::newRow("matrix") << mat(R"([[1,"1"],[2,"NaN"],[3,"+Inf"]])") << none << QString() << "matrix" << 1 << 1.0;
    QTest::newRow("matrix-no-points") << mat("[]") << none << QString() << "matrix" << 1 << NaN;
    QTest::newRow("matrix-empty") << QByteArray(R"({"status":"success","data":{"resultType":"matrix","result":[]}})") << none
                                  << QString() << "matrix" << 0 << NaN;
    QTest::newRow("scalar") << QByteArray(R"({"status":"success","data":{"resultType":"scalar","result":[1700000000.1,"42"]}})")
                            << none << QString() << "scalar" << 0 << NaN;
    QTest::newRow("string") << QByteArray(R"({"status":"success","data":{"resultType":"string","result":[1700000000,"hi"]}})")
                            << none << QString() << "string" << 0 << NaN;
    QTest::newRow("unknown-fields-kept-out")
        << QByteArray(R"({"status":"success","infos":["x"],"stats":{"a":[1,2]},"data":{"resultType":"vector","extra":1,"result":[{"metric":{},"value":[1,"7"],"x":null}]}})")
        << none << QString() << "vector" << 1 << 7.0;
    QTest::newRow("whitespace-around") << QByteArray("\n  ") + vec(R"("2")") + "\r\n" << none << QString() << "vector" << 1 << 2.0;
    QTest::newRow("warnings-null") << QByteArray(R"({"status":"success","warnings":null,"data":{"resultType":"vector","result":[]}})")
                                   << none << QString() << "vector" << 0 << NaN;

    // Not JSON at all, or cut short.
    QTest::newRow("empty") << QByteArray() << "empty" << "empty body" << "none" << 0 << NaN;
    QTest::newRow("blank") << QByteArray(" \n\t ") << "empty" << "empty body" << "none" << 0 << NaN;
    QTest::newRow("html") << QByteArray("<html><body>502 Bad Gateway</body></html>") << "not-json" << "not JSON" << "none" << 0 << NaN;
    QTest::newRow("text") << QByteArray("404 page not found\n") << "not-json" << "not JSON" << "none" << 0 << NaN;
    QTest::newRow("trailing-garbage") << vec(R"("1")") + "}" << "not-json" << "not JSON" << "none" << 0 << NaN;
    QTest::newRow("bad-utf8") << QByteArray("{\"status\":\"succ\xff\xfe\"}") << "not-json" << "not JSON" << "none" << 0 << NaN;
    QTest::newRow("number-overflow") << vec(R"("1")").replace("1795508562.503", "17951e3002") << "not-json"
                                     << "^not JSON: number overflow parsing '17951e3002'" << "none" << 0 << NaN;
    QTest::newRow("truncated-object") << QByteArray(R"({"status":"success","data":{"resultType":"vec)") << "truncated"
                                      << "^truncated JSON: the body ends after \\d+ bytes" << "none" << 0 << NaN;
    QTest::newRow("truncated-number") << QByteArray(R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[17)")
                                      << "truncated" << "truncated" << "none" << 0 << NaN;

    // Valid JSON, wrong types.
    QTest::newRow("body-array") << QByteArray("[1,2]") << "wrong-type" << "^body: expected an object, got array" << "none" << 0 << NaN;
    QTest::newRow("body-string") << QByteArray("\"ok\"") << "wrong-type" << "got string" << "none" << 0 << NaN;
    QTest::newRow("body-null") << QByteArray("null") << "wrong-type" << "got null" << "none" << 0 << NaN;
    QTest::newRow("status-number") << QByteArray(R"({"status":1})") << "wrong-type" << "^status: expected a string, got number"
                                   << "none" << 0 << NaN;
    QTest::newRow("data-string") << QByteArray(R"({"status":"success","data":"x"})") << "wrong-type"
                                 << "^data: expected an object, got string" << "none" << 0 << NaN;
    QTest::newRow("resultType-array") << QByteArray(R"({"status":"success","data":{"resultType":[],"result":[]}})") << "wrong-type"
                                      << "^data.resultType: expected a string" << "none" << 0 << NaN;
    QTest::newRow("result-object") << QByteArray(R"({"status":"success","data":{"resultType":"vector","result":{}}})") << "wrong-type"
                                   << "^data.result: expected an array, got object" << "none" << 0 << NaN;
    QTest::newRow("result-item-number") << QByteArray(R"({"status":"success","data":{"resultType":"vector","result":[1]}})")
                                        << "wrong-type" << "^data.result\\[0\\]: expected an object" << "none" << 0 << NaN;
    QTest::newRow("value-number") << vec("12") << "wrong-type" << "^data.result\\[0\\].value\\[1\\]: expected a string.*got number"
                                  << "none" << 0 << NaN;
    QTest::newRow("value-null") << vec("null") << "wrong-type" << "value\\[1\\]: expected a string.*got null" << "none" << 0 << NaN;
    QTest::newRow("timestamp-string")
        << QByteArray(R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":["1700000000","1"]}]}})")
        << "wrong-type" << "^data.result\\[0\\].value\\[0\\]: expected a number \\(timestamp\\), got string" << "none" << 0 << NaN;
    QTest::newRow("timestamp-bool")
        << QByteArray(R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[true,"1"]}]}})")
        << "wrong-type" << "value\\[0\\]: expected a number" << "none" << 0 << NaN;
    QTest::newRow("value-not-pair") << vec(R"("1", "2")") << "bad-value" << "value: expected 2 elements.*got 3" << "none" << 0 << NaN;
    QTest::newRow("value-object")
        << QByteArray(R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":{"t":1}}]}})")
        << "wrong-type" << "value: expected an array" << "none" << 0 << NaN;
    QTest::newRow("label-number")
        << QByteArray(R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"code":500},"value":[1,"1"]}]}})")
        << "wrong-type" << "^data.result\\[0\\].metric.code: expected a string \\(label value\\), got number" << "none" << 0 << NaN;
    QTest::newRow("metric-array")
        << QByteArray(R"({"status":"success","data":{"resultType":"vector","result":[{"metric":[],"value":[1,"1"]}]}})")
        << "wrong-type" << "metric: expected an object" << "none" << 0 << NaN;
    QTest::newRow("matrix-values-object") << mat("{}") << "wrong-type" << "^data.result\\[0\\].values: expected an array" << "none"
                                          << 0 << NaN;
    QTest::newRow("matrix-point-number") << mat(R"([[1,"1"],[2,3]])") << "wrong-type"
                                         << "^data.result\\[0\\].values\\[1\\]\\[1\\]: expected a string" << "none" << 0 << NaN;
    QTest::newRow("matrix-point-short") << mat(R"([[1,"1"],[2]])") << "bad-value" << "values\\[1\\]: expected 2 elements" << "none"
                                        << 0 << NaN;
    QTest::newRow("warnings-string") << QByteArray(R"({"status":"success","warnings":"w","data":{"resultType":"vector","result":[]}})")
                                     << "wrong-type" << "^warnings: expected an array of strings" << "none" << 0 << NaN;
    QTest::newRow("warnings-item-number")
        << QByteArray(R"({"status":"success","warnings":[1],"data":{"resultType":"vector","result":[]}})") << "wrong-type"
        << "^warnings\\[0\\]: expected a string" << "none" << 0 << NaN;
    QTest::newRow("scalar-object") << QByteArray(R"({"status":"success","data":{"resultType":"scalar","result":{}}})") << "wrong-type"
                                   << "^data.result: expected an array" << "none" << 0 << NaN;

    // Missing fields.
    QTest::newRow("no-status") << QByteArray(R"({"data":{}})") << "missing-field" << "^status is missing" << "none" << 0 << NaN;
    QTest::newRow("no-data") << QByteArray(R"({"status":"success"})") << "missing-field" << "^data is missing" << "none" << 0 << NaN;
    QTest::newRow("no-resultType") << QByteArray(R"({"status":"success","data":{"result":[]}})") << "missing-field"
                                   << "^data.resultType is missing" << "none" << 0 << NaN;
    QTest::newRow("no-result") << QByteArray(R"({"status":"success","data":{"resultType":"vector"}})") << "missing-field"
                               << "^data.result is missing" << "none" << 0 << NaN;
    QTest::newRow("no-metric") << QByteArray(R"({"status":"success","data":{"resultType":"vector","result":[{"value":[1,"1"]}]}})")
                               << "missing-field" << "^data.result\\[0\\].metric is missing" << "none" << 0 << NaN;
    QTest::newRow("no-value") << QByteArray(R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{}}]}})")
                              << "missing-field" << "^data.result\\[0\\].value is missing" << "none" << 0 << NaN;
    QTest::newRow("no-values") << QByteArray(R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{}}]}})")
                               << "missing-field" << "^data.result\\[0\\].values is missing" << "none" << 0 << NaN;

    // Right types, impossible content.
    QTest::newRow("status-odd") << QByteArray(R"({"status":"pending"})") << "bad-value"
                                << "^status: expected \"success\" or \"error\", got \"pending\"" << "none" << 0 << NaN;
    QTest::newRow("resultType-odd") << QByteArray(R"({"status":"success","data":{"resultType":"table","result":[]}})") << "bad-value"
                                    << "unknown result type \"table\"" << "none" << 0 << NaN;
    QTest::newRow("value-word") << vec(R"("abc")") << "bad-value" << "value\\[1\\]: not a number: \"abc\"" << "none" << 0 << NaN;
    QTest::newRow("value-empty") << vec(R"("")") << "bad-value" << "not a number" << "none" << 0 << NaN;
    QTest::newRow("value-lower-inf") << vec(R"("inf")") << "bad-value" << "not a number: \"inf\"" << "none" << 0 << NaN;
    QTest::newRow("value-overflow") << vec(R"("1e999")") << "bad-value" << "not a number: \"1e999\"" << "none" << 0 << NaN;
    QTest::newRow("value-space") << vec(R"(" 1")") << "bad-value" << "not a number" << "none" << 0 << NaN;
    QTest::newRow("timestamp-huge")
        << QByteArray(R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1e300,"1"]}]}})")
        << "bad-value" << "value\\[0\\]: timestamp out of range" << "none" << 0 << NaN;
    QTest::newRow("native-histogram")
        << QByteArray(R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"histogram":[1,{"count":"1"}]}]}})")
        << "bad-value" << "native histogram" << "none" << 0 << NaN;

    // Prometheus' own errors.
    QTest::newRow("api-bad_data") << QByteArray(R"({"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected <by>"})")
                                  << "api-error" << "^bad_data: 1:5: parse error: unexpected <by>$" << "none" << 0 << NaN;
    QTest::newRow("api-execution") << QByteArray(R"({"status":"error","errorType":"execution","error":"query timed out"})")
                                   << "api-error" << "^execution: query timed out$" << "none" << 0 << NaN;
    QTest::newRow("api-no-type") << QByteArray(R"({"status":"error","error":"boom"})") << "api-error" << "^boom$" << "none" << 0 << NaN;
    QTest::newRow("api-nothing") << QByteArray(R"({"status":"error"})") << "api-error" << "no error text" << "none" << 0 << NaN;
    QTest::newRow("api-multiline") << QByteArray(R"({"status":"error","errorType":"bad_data","error":"line1\nline2"})") << "api-error"
                                   << "^bad_data: line1 line2$" << "none" << 0 << NaN;
}

void TestPromResponse::corpus()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, error);
    QFETCH(QString, message);
    QFETCH(QString, type);
    QFETCH(int, series);
    QFETCH(double, first);
    writeCorpus(body);

    const PromResponse r = PromResponse::parse(std::string_view(body.constData(), std::size_t(body.size())));
    const QString text = QString::fromStdString(r.message);
    QCOMPARE(QString::fromLatin1(promErrorName(r.error)), error);
    QCOMPARE(QString::fromLatin1(promResultTypeName(r.resultType)), type);
    QCOMPARE(int(r.series.size()), series);
    QVERIFY2(!text.contains(QLatin1Char('\n')), qPrintable(text));
    if (r.ok()) {
        QVERIFY2(text.isEmpty(), qPrintable(text));
    } else {
        QVERIFY(!text.isEmpty());
        QVERIFY2(QRegularExpression(message).match(text).hasMatch(), qPrintable(QStringLiteral("message: ") + text));
    }
    if (series > 0 && !r.series.front().samples.empty()) {
        const double v = r.series.front().samples.front().value;
        if (std::isnan(first))
            QVERIFY2(std::isnan(v), qPrintable(QString::number(v)));
        else
            QCOMPARE(v, first);
    }
}

void TestPromResponse::vectorDetails()
{
    const PromResponse r = PromResponse::parse(std::string_view(kGood.constData(), std::size_t(kGood.size())));
    QVERIFY(r.ok());
    QCOMPARE(r.series.size(), std::size_t(2));
    QCOMPARE(r.series[0].labels.at("__name__"), std::string("up"));
    QCOMPARE(r.series[0].labels.at("version"), std::string("v1"));
    QCOMPARE(r.series[0].samples.size(), std::size_t(1));
    QCOMPARE(r.series[0].samples[0].timeMs, qint64(1795508562503));
    QCOMPARE(r.series[1].samples[0].value, 0.25);
    QCOMPARE(r.warnings, std::vector<std::string>{"partial answer"});

    const QByteArray scalar = R"({"status":"success","data":{"resultType":"scalar","result":[1700000000.1,"42"]}})";
    const PromResponse s = PromResponse::parse(std::string_view(scalar.constData(), std::size_t(scalar.size())));
    QCOMPARE(s.scalar.value, 42.0);
    QCOMPARE(s.scalar.timeMs, qint64(1700000000100));
    const QByteArray str = R"({"status":"success","data":{"resultType":"string","result":[1700000000,"hi"]}})";
    QCOMPARE(PromResponse::parse(std::string_view(str.constData(), std::size_t(str.size()))).text, std::string("hi"));
}

void TestPromResponse::matrixDetails()
{
    const QByteArray body = mat(R"([[1700000000,"1"],[1700000001.5,"NaN"],[1700000003,"+Inf"],[1700000004,"-Inf"]])");
    const PromResponse r = PromResponse::parse(std::string_view(body.constData(), std::size_t(body.size())));
    QVERIFY(r.ok());
    const auto &p = r.series.at(0).samples;
    QCOMPARE(p.size(), std::size_t(4));
    QCOMPARE(p[0].timeMs, qint64(1700000000000));
    QCOMPARE(p[1].timeMs, qint64(1700000001500));
    QVERIFY(std::isnan(p[1].value));
    QVERIFY(std::isinf(p[2].value) && p[2].value > 0);
    QVERIFY(std::isinf(p[3].value) && p[3].value < 0);
}

void TestPromResponse::errorBody()
{
    const QByteArray body = R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:1: parse error","warnings":["w1"]})";
    const PromResponse r = PromResponse::parse(std::string_view(body.constData(), std::size_t(body.size())));
    QCOMPARE(r.error, PromResponse::Error::ApiError);
    QCOMPARE(r.errorType, std::string("bad_data"));
    QCOMPARE(r.apiError, std::string("invalid parameter \"query\": 1:1: parse error"));
    QCOMPARE(r.warnings, std::vector<std::string>{"w1"});
    QVERIFY(r.series.empty());
}

void TestPromResponse::values_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<double>("value");
    QTest::newRow("int") << QByteArray("42") << true << 42.0;
    QTest::newRow("decimal") << QByteArray("83.67") << true << 83.67;
    QTest::newRow("negative") << QByteArray("-0.5") << true << -0.5;
    QTest::newRow("exponent") << QByteArray("1.5e+06") << true << 1.5e6;
    QTest::newRow("NaN") << QByteArray("NaN") << true << NaN;
    QTest::newRow("+Inf") << QByteArray("+Inf") << true << Inf;
    QTest::newRow("-Inf") << QByteArray("-Inf") << true << -Inf;
    QTest::newRow("nan") << QByteArray("nan") << false << 0.0;
    QTest::newRow("Inf") << QByteArray("Inf") << false << 0.0;
    QTest::newRow("infinity") << QByteArray("infinity") << false << 0.0;
    QTest::newRow("plus-number") << QByteArray("+1") << false << 0.0;
    QTest::newRow("hex") << QByteArray("0x10") << false << 0.0;
    QTest::newRow("two-dots") << QByteArray("1.2.3") << false << 0.0;
    QTest::newRow("trailing-space") << QByteArray("1 ") << false << 0.0;
    QTest::newRow("empty") << QByteArray() << false << 0.0;
    QTest::newRow("overflow") << QByteArray("1e400") << false << 0.0;
}

void TestPromResponse::values()
{
    QFETCH(QByteArray, text);
    QFETCH(bool, ok);
    QFETCH(double, value);
    double v = -12345;
    QCOMPARE(PromResponse::parseValue(std::string_view(text.constData(), std::size_t(text.size())), &v), ok);
    if (!ok)
        QCOMPARE(v, -12345.0); // untouched on failure
    else if (std::isnan(value))
        QVERIFY(std::isnan(v));
    else
        QCOMPARE(v, value);
}

void TestPromResponse::everyPrefixIsTruncated()
{
    // What a cut connection produces: never a crash, never a value, always "truncated" (or
    // "empty" for nothing at all).
    const std::string body(kGood.constData(), std::size_t(kGood.size()));
    for (std::size_t n = 0; n < body.size(); ++n) {
        const PromResponse r = PromResponse::parse(std::string_view(body).substr(0, n));
        const auto expected = n == 0 ? PromResponse::Error::Empty : PromResponse::Error::Truncated;
        QVERIFY2(r.error == expected, qPrintable(QStringLiteral("prefix %1: %2 (%3)").arg(n).arg(QLatin1String(promErrorName(r.error)),
                                                                                             QString::fromStdString(r.message))));
    }
    QVERIFY(PromResponse::parse(body).ok());
}

void TestPromResponse::deepNesting()
{
    // Deep nesting in a field we skip must neither blow the stack nor fail the answer.
    const int depth = 100000;
    std::string body = R"({"status":"success","junk":)" + std::string(depth, '[') + std::string(depth, ']')
                       + R"(,"data":{"resultType":"vector","result":[]}})";
    QVERIFY(PromResponse::parse(body).ok());
    // The same depth where a value belongs is a clear type error.
    body = R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,)" + std::string(depth, '[')
           + std::string(depth, ']') + "]}]}}";
    QCOMPARE(PromResponse::parse(body).error, PromResponse::Error::WrongType);
}

void TestPromResponse::huge()
{
    // 1,000 series x 1,000 points, the size of a wide dashboard range query (~40 MB).
    const std::string body = bigMatrix(1000, 1000);
    QElapsedTimer t;
    t.start();
    const PromResponse r = PromResponse::parse(body);
    qInfo("parsed %.1f MB, 1000x1000 points in %lld ms", double(body.size()) / 1e6, t.elapsed());
    QVERIFY2(r.ok(), r.message.c_str());
    QCOMPARE(r.series.size(), std::size_t(1000));
    for (const PromSeries &s : r.series)
        QCOMPARE(s.samples.size(), std::size_t(1000));
    QCOMPARE(r.series[999].labels.at("series"), std::string("999"));
    QCOMPARE(r.series[999].samples[999].value, 999999.25);
    QCOMPARE(r.series[999].samples[999].timeMs, qint64(1700000999500));

    // The same body cut in the middle, and with one bad value near the end.
    QCOMPARE(PromResponse::parse(std::string_view(body).substr(0, body.size() / 2)).error, PromResponse::Error::Truncated);
    std::string bad = body;
    const std::size_t pos = bad.rfind("\"999999.25\"");
    QVERIFY(pos != std::string::npos);
    bad.replace(pos, 11, "999999");
    const PromResponse b = PromResponse::parse(bad);
    QCOMPARE(b.error, PromResponse::Error::WrongType);
    QCOMPARE(QString::fromStdString(b.message), QStringLiteral("data.result[999].values[999][1]: expected a string (sample value), got number"));
}

QTEST_GUILESS_MAIN(TestPromResponse)
#include "tst_promresponse.moc"
