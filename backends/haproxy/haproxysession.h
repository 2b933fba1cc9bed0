#pragma once
// A persistent connection to one HAProxy runtime API socket in interactive mode (`prompt`), so a
// change costs one round trip instead of a connect, a command and a close. Commands go out as
// pipelined lines in one write; HAProxy answers each with its text followed by "\n> ", which
// is how the answers are lined up with the commands (a command of several `;`-separated parts
// gets their answers joined). A connection HAProxy closed (its CLI idle timeout, a restart) is
// noticed before writing or when the answer ends early, and opened again once, transparently;
// so is one whose process a reload (-sf) told to stop: every batch on a reused connection
// ends with `show info`, which says "Stopping: 1" then. Only idempotent commands (absolute
// `set weight`, reads) may go through a session, so sending a batch twice is harmless.
//
// executeAll() runs one batch on several sessions at once: every batch is written first, then
// one poll() waits for all the answers, so N endpoints cost one round trip, not N. Plain POSIX
// sockets: no event loop and no QObject, so a session works on any worker thread (one at a time).

#include "haproxyruntime.h"

#include <QByteArray>
#include <QDeadlineTimer>
#include <QList>
#include <QString>
#include <QStringList>

namespace Switchboard {

class HaproxySession final
{
public:
    explicit HaproxySession(const HaproxyEndpoint &endpoint, const HaproxyTimeouts &timeouts = {});
    ~HaproxySession();
    HaproxySession(const HaproxySession &) = delete;
    HaproxySession &operator=(const HaproxySession &) = delete;

    const HaproxyEndpoint &endpoint() const { return m_endpoint; }
    QString name() const { return m_endpoint.toString(); }
    bool isOpen() const { return m_fd >= 0; }
    // Connections opened so far (1 after the first batch; more after reconnects).
    int connects() const { return m_connects; }
    void close();
    // On by default. Off only for a watcher of HAProxy that must not add a `show info` to each
    // of its batches (a benchmark's tight poll): it then stays on a stopping process.
    void setFollowReloads(bool on) { m_followReloads = on; }

    // One batch on one session and its outcome.
    struct Batch
    {
        HaproxySession *session = nullptr;
        QStringList commands;
        QStringList answers; // one per command, without the prompt; filled when ok
        QString error;       // starts with the endpoint
        bool delivered = false; // the commands were written out: HAProxy may have run them
        bool ok = false;
    };
    // Runs each batch on its session, all at once, within the sessions' command timeouts.
    static void executeAll(QList<Batch> *batches);

    // One batch on this session. False with *error (starting with the endpoint) on an I/O problem.
    bool execute(const QStringList &commands, QStringList *answers, QString *error, bool *delivered = nullptr);

    // Splits an interactive-mode answer stream into the answers before each "\n> " prompt;
    // returns how many complete ones there are. Exposed for the tests.
    static int splitPrompted(const QByteArray &data, QStringList *answers);

private:
    enum class Step { Idle, Reading, Done, Failed };
    bool open(QString *error);
    bool stillOpen();
    bool send(const QByteArray &bytes, const QDeadlineTimer &deadline, QString *error);
    // Connects when needed and writes the batch; may reconnect once on a dead connection.
    bool start(Batch *b, const QDeadlineTimer &deadline);
    // Reads what is there; Done once every answer came. A connection that ends early is
    // reopened and the batch sent again, once.
    Step onReadable(Batch *b, const QDeadlineTimer &deadline);
    Step finish(Batch *b, const QDeadlineTimer &deadline);
    void fail(Batch *b, const QString &what);

    HaproxyEndpoint m_endpoint;
    HaproxyTimeouts m_timeouts;
    int m_fd = -1;
    int m_connects = 0;
    bool m_prompted = false;   // `prompt` was sent on this connection
    bool m_followReloads = true;
    bool m_probed = false;     // this batch ends with `show info` (a reused connection)
    QByteArray m_pending;      // this batch's answers so far
    int m_expected = 0;        // prompts that end this batch (one more when `prompt` went first)
    int m_skip = 0;            // leading answers that are not the caller's (`prompt`'s own)
    QList<int> m_parts;        // per command: its `;`-separated parts, each answered on its own
    bool m_retried = false;
    QByteArray m_wire;         // the batch as written, for a resend
};

} // namespace Switchboard
