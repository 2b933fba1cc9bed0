#pragma once
// One bounded wrk run in the background (for zero-downtime tests): wrk counts only status > 399
// and says nothing when there were none, so a Lua script counts every response per wrk thread
// (non-2xx, and bodies saying "from v1" / "from v2") and prints the totals with wrk's own
// socket-error counts on one line this class parses.

#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

struct WrkResult
{
    qint64 total = 0;   // responses the script saw
    qint64 non2xx = 0;
    qint64 v1 = 0;
    qint64 v2 = 0;
    qint64 requests = 0; // wrk's summary.requests
    qint64 connectErrors = 0;
    qint64 readErrors = 0;
    qint64 writeErrors = 0;
    qint64 timeouts = 0;
    qint64 status = 0;   // wrk's own count of status > 399
    QString output;      // everything wrk printed

    qint64 socketErrors() const { return connectErrors + readErrors + writeErrors + timeouts; }
};

class WrkRun final
{
public:
    WrkRun();
    ~WrkRun(); // kills a run still going

    static bool available();

    // Starts `wrk -tT -cC -dSs --timeout 5s -s count.lua [extra...] url`. False with error() set
    // when wrk cannot be started.
    bool start(const QString &url, int threads, int connections, int seconds, const QStringList &extra = {});
    // Waits (event loop running) until wrk ends, at most `timeoutMs`; parses its result line.
    bool finish(WrkResult *result, int timeoutMs);
    QString error() const { return m_error; }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<QProcess> m_wrk;
    QString m_error;
};
