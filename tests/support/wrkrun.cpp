#include "wrkrun.h"

#include <QFile>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>

namespace {

// wrk runs a Lua state per thread: count per thread, add them up in done().
const char *const countScript = R"LUA(
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  total, non2xx, v1, v2 = 0, 0, 0, 0
end
function response(status, headers, body)
  total = total + 1
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
  if body and body:find("from v1", 1, true) then v1 = v1 + 1 end
  if body and body:find("from v2", 1, true) then v2 = v2 + 1 end
end
function done(summary, latency, requests)
  local t, n, a, b = 0, 0, 0, 0
  for _, th in ipairs(threads) do
    t = t + th:get("total"); n = n + th:get("non2xx"); a = a + th:get("v1"); b = b + th:get("v2")
  end
  local e = summary.errors
  io.write(string.format("SB_RESULT total=%d non2xx=%d v1=%d v2=%d requests=%d connect=%d read=%d write=%d timeout=%d status=%d\n",
    t, n, a, b, summary.requests, e.connect, e.read, e.write, e.timeout, e.status))
end
)LUA";

} // namespace

WrkRun::WrkRun() = default;

WrkRun::~WrkRun()
{
    if (m_wrk && m_wrk->state() != QProcess::NotRunning) {
        m_wrk->kill();
        m_wrk->waitForFinished(2000);
    }
}

bool WrkRun::available()
{
    return !QStandardPaths::findExecutable(QStringLiteral("wrk")).isEmpty();
}

bool WrkRun::start(const QString &url, int threads, int connections, int seconds, const QStringList &extra)
{
    QFile script(m_dir.filePath(QStringLiteral("count.lua")));
    if (!m_dir.isValid() || !script.open(QIODevice::WriteOnly) || script.write(countScript) < 0) {
        m_error = QStringLiteral("cannot write the wrk script");
        return false;
    }
    script.close();
    m_wrk = std::make_unique<QProcess>();
    m_wrk->setProcessChannelMode(QProcess::MergedChannels);
    m_wrk->start(QStringLiteral("wrk"), QStringList{QStringLiteral("-t%1").arg(threads), QStringLiteral("-c%1").arg(connections),
                                                    QStringLiteral("-d%1s").arg(seconds), QStringLiteral("--timeout"),
                                                    QStringLiteral("5s"), QStringLiteral("-s"), script.fileName()}
                                            + extra + QStringList{url});
    if (!m_wrk->waitForStarted(5000)) {
        m_error = QStringLiteral("cannot start wrk: %1").arg(m_wrk->errorString());
        return false;
    }
    return true;
}

bool WrkRun::finish(WrkResult *r, int timeoutMs)
{
    if (!m_wrk) {
        m_error = QStringLiteral("wrk was not started");
        return false;
    }
    if (m_wrk->state() != QProcess::NotRunning) {
        QSignalSpy finished(m_wrk.get(), &QProcess::finished);
        if (!finished.wait(timeoutMs)) {
            m_error = QStringLiteral("wrk did not end within %1 ms").arg(timeoutMs);
            return false;
        }
    }
    r->output = QString::fromLocal8Bit(m_wrk->readAll());
    if (m_wrk->exitStatus() != QProcess::NormalExit || m_wrk->exitCode() != 0) {
        m_error = QStringLiteral("wrk failed:\n%1").arg(r->output);
        return false;
    }
    static const QRegularExpression re(QStringLiteral(
        "SB_RESULT total=(\\d+) non2xx=(\\d+) v1=(\\d+) v2=(\\d+) requests=(\\d+) "
        "connect=(\\d+) read=(\\d+) write=(\\d+) timeout=(\\d+) status=(\\d+)"));
    const QRegularExpressionMatch m = re.match(r->output);
    if (!m.hasMatch()) {
        m_error = QStringLiteral("no result line in wrk's output:\n%1").arg(r->output);
        return false;
    }
    auto n = [&m](int i) { return m.captured(i).toLongLong(); };
    r->total = n(1);
    r->non2xx = n(2);
    r->v1 = n(3);
    r->v2 = n(4);
    r->requests = n(5);
    r->connectErrors = n(6);
    r->readErrors = n(7);
    r->writeErrors = n(8);
    r->timeouts = n(9);
    r->status = n(10);
    return true;
}
