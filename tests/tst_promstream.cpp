// The Prometheus answer parsed while it arrives (PromResponse::parseStream over a
// PromChunkSource): whatever the pieces, the result is exactly what the whole body gives, and
// broken bodies fail with the same clear errors.

#include "promchunksource.h"
#include "promresponse.h"

#include <QTest>

#include <cmath>
#include <string>
#include <vector>

using namespace Switchboard;

namespace {

const std::string kMatrix =
    R"({"status":"success","data":{"resultType":"matrix","result":[)"
    R"({"metric":{"__name__":"up","version":"v1"},"values":[[1795508562.5,"83.67"],[1795508563.5,"NaN"]]},)"
    R"({"metric":{"version":"v2"},"values":[[1795508562.5,"+Inf"],[1795508563.5,"0.25"]]}]},"warnings":["partial answer"]})";

// A body handed out in the pieces a test chose (empty ones included).
class PiecesSource final : public PromChunkSource
{
public:
    explicit PiecesSource(std::vector<std::string> pieces)
        : m_pieces(std::move(pieces))
    {
    }
    bool next(const char **data, std::size_t *size) override
    {
        if (m_next >= m_pieces.size())
            return false;
        const std::string &p = m_pieces[m_next++];
        *data = p.data();
        *size = p.size();
        return true;
    }

private:
    std::vector<std::string> m_pieces;
    std::size_t m_next = 0;
};

PromResponse streamed(std::vector<std::string> pieces)
{
    PiecesSource source(std::move(pieces));
    return PromResponse::parseStream(source);
}

bool sameSample(const PromSample &a, const PromSample &b)
{
    return a.timeMs == b.timeMs && (a.value == b.value || (std::isnan(a.value) && std::isnan(b.value)));
}

// Everything a caller reads from a PromResponse, compared field by field.
QString differences(const PromResponse &a, const PromResponse &b)
{
    if (a.error != b.error || a.message != b.message)
        return QStringLiteral("error %1 \"%2\" vs %3 \"%4\"")
            .arg(QLatin1String(promErrorName(a.error)), QString::fromStdString(a.message),
                 QLatin1String(promErrorName(b.error)), QString::fromStdString(b.message));
    if (a.resultType != b.resultType || a.warnings != b.warnings || a.series.size() != b.series.size())
        return QStringLiteral("result type, warnings or series count");
    for (std::size_t i = 0; i < a.series.size(); ++i) {
        const PromSeries &x = a.series[i];
        const PromSeries &y = b.series[i];
        if (x.labels != y.labels || x.samples.size() != y.samples.size())
            return QStringLiteral("series %1 labels or sample count").arg(i);
        for (std::size_t k = 0; k < x.samples.size(); ++k) {
            if (!sameSample(x.samples[k], y.samples[k]))
                return QStringLiteral("series %1 sample %2").arg(i).arg(k);
        }
    }
    return {};
}

} // namespace

class TestPromStream final : public QObject
{
    Q_OBJECT

private slots:
    void wholeBodyAsOnePiece()
    {
        const PromResponse r = streamed({kMatrix});
        QVERIFY2(r.ok(), r.message.c_str());
        QCOMPARE(int(r.resultType), int(PromResponse::ResultType::Matrix));
        QCOMPARE(r.series.size(), std::size_t(2));
        QCOMPARE(r.series[0].labels.at("version"), std::string("v1"));
        QCOMPARE(r.series[1].samples[1].value, 0.25);
        QVERIFY(std::isnan(r.series[0].samples[1].value));
        QCOMPARE(r.warnings, std::vector<std::string>{"partial answer"});
    }

    void everySplitInTwo()
    {
        const PromResponse whole = PromResponse::parse(kMatrix);
        QVERIFY(whole.ok());
        for (std::size_t k = 0; k <= kMatrix.size(); ++k) {
            const QString d = differences(streamed({kMatrix.substr(0, k), kMatrix.substr(k)}), whole);
            QVERIFY2(d.isEmpty(), qPrintable(QStringLiteral("split at %1: %2").arg(k).arg(d)));
        }
    }

    void everySplitInThree()
    {
        const PromResponse whole = PromResponse::parse(kMatrix);
        for (std::size_t i = 0; i < kMatrix.size(); i += 3) {
            for (std::size_t k = i; k <= kMatrix.size(); ++k) {
                const QString d = differences(streamed({kMatrix.substr(0, i), kMatrix.substr(i, k - i), kMatrix.substr(k)}), whole);
                QVERIFY2(d.isEmpty(), qPrintable(QStringLiteral("split at %1 and %2: %3").arg(i).arg(k).arg(d)));
            }
        }
    }

    void oneBytePiecesWithEmptyOnes()
    {
        std::vector<std::string> pieces;
        for (const char c : kMatrix) {
            pieces.emplace_back(1, c);
            pieces.emplace_back(); // a source may hand out nothing now and then
        }
        const QString d = differences(streamed(pieces), PromResponse::parse(kMatrix));
        QVERIFY2(d.isEmpty(), qPrintable(d));
    }

    void malformedSaysWhere()
    {
        // A trailing comma: a syntax error, not a truncation, at the same place however it arrives.
        const std::string bad = R"({"status":"success","data":{"resultType":"vector","result":[]},})";
        const PromResponse whole = PromResponse::parse(bad);
        QCOMPARE(int(whole.error), int(PromResponse::Error::NotJson));
        QVERIFY2(whole.message.rfind("not JSON: ", 0) == 0, whole.message.c_str());
        QVERIFY2(whole.message.find("column 64") != std::string::npos, whole.message.c_str());
        for (std::size_t k = 0; k <= bad.size(); ++k) {
            const QString d = differences(streamed({bad.substr(0, k), bad.substr(k)}), whole);
            QVERIFY2(d.isEmpty(), qPrintable(QStringLiteral("split at %1: %2").arg(k).arg(d)));
        }
        const PromResponse garbage = streamed({"<html>", "502 Bad Gateway</html>"});
        QCOMPARE(int(garbage.error), int(PromResponse::Error::NotJson));
    }

    void cutShortIsTruncated()
    {
        // Every prefix of a good body (a connection cut anywhere) says what the whole-body
        // parser says: empty, truncated, or (for a cut inside a literal) not JSON.
        for (std::size_t k = 0; k < kMatrix.size(); ++k) {
            const std::string prefix = kMatrix.substr(0, k);
            const PromResponse whole = PromResponse::parse(prefix);
            QVERIFY(!whole.ok());
            const QString d = differences(streamed({prefix.substr(0, k / 2), prefix.substr(k / 2)}), whole);
            QVERIFY2(d.isEmpty(), qPrintable(QStringLiteral("prefix of %1 bytes: %2").arg(k).arg(d)));
        }
        const PromResponse cut = streamed({kMatrix.substr(0, 100)});
        QCOMPARE(int(cut.error), int(PromResponse::Error::Truncated));
        QCOMPARE(cut.message, std::string("truncated JSON: the body ends after 100 bytes in the middle of a value"));
    }

    void emptyBodies()
    {
        QCOMPARE(int(streamed({}).error), int(PromResponse::Error::Empty));
        QCOMPARE(int(streamed({"", " \n", "\t"}).error), int(PromResponse::Error::Empty));
        QCOMPARE(streamed({" "}).message, std::string("empty body"));
    }
};

QTEST_GUILESS_MAIN(TestPromStream)
#include "tst_promstream.moc"
