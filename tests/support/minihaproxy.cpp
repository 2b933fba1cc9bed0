#include "minihaproxy.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

MiniHaproxy::MiniHaproxy()
{
    QTcpServer probe;
    if (probe.listen(QHostAddress::LocalHost, 0))
        m_port = probe.serverPort();
}

MiniHaproxy::~MiniHaproxy()
{
    stop();
}

bool MiniHaproxy::installed()
{
    return !QStandardPaths::findExecutable(QStringLiteral("haproxy")).isEmpty();
}

QString MiniHaproxy::tcpEndpoint() const
{
    return QStringLiteral("tcp:127.0.0.1:%1").arg(m_port);
}

QString MiniHaproxy::unixEndpoint() const
{
    return QStringLiteral("unix:") + m_dir.filePath(QStringLiteral("admin.sock"));
}

bool MiniHaproxy::start()
{
    const QString cfg = m_dir.filePath(QStringLiteral("haproxy.cfg"));
    QFile f(cfg);
    if (!f.open(QIODevice::WriteOnly)) {
        m_error = QStringLiteral("cannot write %1").arg(cfg);
        return false;
    }
    f.write(QStringLiteral("global\n"
                           "  stats socket ipv4@127.0.0.1:%1 level admin\n"
                           "  stats socket %2 mode 600 level admin\n"
                           "defaults\n  mode http\n  timeout connect 1s\n  timeout client 10s\n  timeout server 10s\n"
                           "backend shop\n"
                           "  server shop-v1-a 127.0.0.1:9 weight 256\n"
                           "  server shop-v1-b 127.0.0.1:9 weight 256\n"
                           "  server shop-v2-a 127.0.0.1:9 weight 0\n")
                .arg(m_port)
                .arg(m_dir.filePath(QStringLiteral("admin.sock")))
                .toUtf8());
    f.close();
    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    m_process->start(QStringLiteral("haproxy"), {QStringLiteral("-db"), QStringLiteral("-f"), cfg});
    return waitUntilReady(m_process.get());
}

bool MiniHaproxy::reload()
{
    if (!m_process || m_process->state() != QProcess::Running) {
        m_error = QStringLiteral("nothing to reload");
        return false;
    }
    const qint64 old = m_process->processId();
    auto next = std::make_unique<QProcess>();
    next->setProcessChannelMode(QProcess::MergedChannels);
    next->start(QStringLiteral("haproxy"), {QStringLiteral("-db"), QStringLiteral("-f"), m_dir.filePath(QStringLiteral("haproxy.cfg")),
                                            QStringLiteral("-sf"), QString::number(old)});
    m_replaced = std::move(m_process);
    m_process = std::move(next);
    if (!waitUntilReady(m_process.get()))
        return false;
    // Done once a new connection reaches the new process (the old one may still accept for a
    // moment after the new one started).
    const QByteArray mine = "\nPid: " + QByteArray::number(m_process->processId()) + '\n';
    const QDeadlineTimer deadline(5000);
    while (!deadline.hasExpired()) {
        QTcpSocket s;
        s.connectToHost(QHostAddress::LocalHost, m_port);
        if (s.waitForConnected(200)) {
            s.write("show info\n");
            QByteArray answer;
            while (s.waitForReadyRead(500))
                answer += s.readAll();
            if (answer.contains(mine))
                return true;
        }
        QThread::msleep(20);
    }
    m_error = QStringLiteral("the reloaded haproxy never answered on port %1").arg(m_port);
    return false;
}

bool MiniHaproxy::replacedEnded(int ms)
{
    return !m_replaced || m_replaced->state() == QProcess::NotRunning || m_replaced->waitForFinished(ms);
}

bool MiniHaproxy::waitUntilReady(QProcess *process)
{
    if (!process->waitForStarted(5000)) {
        m_error = QStringLiteral("haproxy did not start: %1").arg(process->errorString());
        return false;
    }
    // Ready once the admin port accepts: haproxy binds its sockets before it serves. (After a
    // reload the old process may still accept for a moment; the new one binds first anyway.)
    const QDeadlineTimer deadline(5000);
    while (!deadline.hasExpired()) {
        QTcpSocket s;
        s.connectToHost(QHostAddress::LocalHost, m_port);
        if (s.waitForConnected(200) && QFile::exists(m_dir.filePath(QStringLiteral("admin.sock"))))
            return true;
        if (process->state() != QProcess::Running)
            break;
        QThread::msleep(20);
    }
    m_error = QStringLiteral("haproxy is not answering on port %1: %2").arg(m_port).arg(QString::fromLocal8Bit(process->readAll()));
    return false;
}

void MiniHaproxy::stop()
{
    for (QProcess *p : {m_replaced.get(), m_process.get()}) {
        if (!p || p->state() == QProcess::NotRunning)
            continue;
        p->kill();
        p->waitForFinished(5000);
    }
}
