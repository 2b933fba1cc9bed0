#pragma once
// A real haproxy with nothing but a runtime API (TCP and unix sockets, level admin) and the
// lab's backend `shop` (shop-v1-a, shop-v1-b at 256, shop-v2-a at 0, servers never checked),
// started in a temporary folder in well under a second. For tests of the runtime API client
// that stop and restart HAProxy, which the full lab (LabFixture) is too slow for.

#include <QProcess>
#include <QString>
#include <QTemporaryDir>

#include <memory>

class MiniHaproxy final
{
public:
    MiniHaproxy();
    ~MiniHaproxy();

    // False when haproxy is not installed (the caller skips).
    static bool installed();
    // Starts (or starts again after stop()) on the same ports and paths; false with error().
    bool start();
    // Ends the process (SIGKILL: a crash, so nothing is closed politely).
    void stop();
    // A reload as systemd does it without master-worker mode: a new process takes the sockets
    // over (-sf) and the old one finishes what it holds, then exits. False with error().
    bool reload();
    // Waits up to ms for the process a reload replaced to exit.
    bool replacedEnded(int ms);
    qint64 pid() const { return m_process ? m_process->processId() : 0; }
    QString error() const { return m_error; }

    QString tcpEndpoint() const;  // "tcp:127.0.0.1:PORT"
    QString unixEndpoint() const; // "unix:/tmp/.../admin.sock"

private:
    QTemporaryDir m_dir;
    bool waitUntilReady(QProcess *process);

    std::unique_ptr<QProcess> m_process;
    std::unique_ptr<QProcess> m_replaced;
    quint16 m_port = 0;
    QString m_error;
};
