#include "haproxysession.h"

#include <QHostAddress>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace Switchboard {

namespace {

// What HAProxy prints after every answer in interactive mode.
constexpr char sessionPrompt[] = "\n> ";
constexpr int sessionPromptSize = 3;

QString sessionErrno(int e)
{
    switch (e) {
    case ECONNREFUSED: return QStringLiteral("connection refused");
    case ENOENT: return QStringLiteral("no socket at this path");
    case EACCES:
    case EPERM: return QStringLiteral("permission denied");
    case ECONNRESET:
    case EPIPE: return QStringLiteral("connection closed by HAProxy");
    case ETIMEDOUT: return QStringLiteral("timed out");
    default: return QString::fromLocal8Bit(std::strerror(e));
    }
}

int sessionRemainingMs(const QDeadlineTimer &d)
{
    return int(std::clamp<qint64>(d.remainingTime(), 0, 1 << 30));
}

// Resolves a TCP endpoint's host: a literal address without any lookup, else getaddrinfo.
bool sessionAddress(const HaproxyEndpoint &e, sockaddr_storage *out, socklen_t *len, QString *error)
{
    std::memset(out, 0, sizeof *out);
    QHostAddress literal;
    if (literal.setAddress(e.host)) {
        if (literal.protocol() == QAbstractSocket::IPv6Protocol) {
            auto *a = reinterpret_cast<sockaddr_in6 *>(out);
            a->sin6_family = AF_INET6;
            a->sin6_port = htons(e.port);
            const Q_IPV6ADDR v6 = literal.toIPv6Address();
            std::memcpy(&a->sin6_addr, &v6, sizeof v6);
            *len = sizeof *a;
        } else {
            auto *a = reinterpret_cast<sockaddr_in *>(out);
            a->sin_family = AF_INET;
            a->sin_port = htons(e.port);
            a->sin_addr.s_addr = htonl(literal.toIPv4Address());
            *len = sizeof *a;
        }
        return true;
    }
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo *found = nullptr;
    const QByteArray port = QByteArray::number(e.port);
    if (getaddrinfo(e.host.toUtf8().constData(), port.constData(), &hints, &found) != 0 || !found) {
        *error = QStringLiteral("host not found");
        return false;
    }
    std::memcpy(out, found->ai_addr, found->ai_addrlen);
    *len = found->ai_addrlen;
    freeaddrinfo(found);
    return true;
}

} // namespace

HaproxySession::HaproxySession(const HaproxyEndpoint &endpoint, const HaproxyTimeouts &timeouts)
    : m_endpoint(endpoint)
    , m_timeouts(timeouts)
{
}

HaproxySession::~HaproxySession()
{
    close();
}

void HaproxySession::close()
{
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
    m_prompted = false;
}

bool HaproxySession::open(QString *error)
{
    close();
    sockaddr_storage addr{};
    socklen_t len = 0;
    int family = AF_UNIX;
    if (m_endpoint.kind == HaproxyEndpoint::Kind::Unix) {
        auto *a = reinterpret_cast<sockaddr_un *>(&addr);
        a->sun_family = AF_UNIX;
        const QByteArray path = m_endpoint.path.toLocal8Bit();
        if (path.size() >= qsizetype(sizeof a->sun_path)) {
            *error = QStringLiteral("the socket path is too long");
            return false;
        }
        std::memcpy(a->sun_path, path.constData(), size_t(path.size()));
        len = socklen_t(offsetof(sockaddr_un, sun_path) + size_t(path.size()) + 1);
    } else {
        if (!sessionAddress(m_endpoint, &addr, &len, error))
            return false;
        family = addr.ss_family;
    }
    const int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *error = sessionErrno(errno);
        return false;
    }
    if (family != AF_UNIX) {
        // Small request lines must not wait for the ACK of the previous one (Nagle).
        const int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), len) != 0) {
        if (errno != EINPROGRESS && errno != EAGAIN) {
            *error = sessionErrno(errno);
            ::close(fd);
            return false;
        }
        pollfd p{fd, POLLOUT, 0};
        const int n = ::poll(&p, 1, m_timeouts.connectMs);
        int soError = 0;
        socklen_t soLen = sizeof soError;
        if (n <= 0) {
            *error = QStringLiteral("no connection within %1 ms").arg(m_timeouts.connectMs);
            ::close(fd);
            return false;
        }
        if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &soLen) != 0 || soError != 0) {
            *error = sessionErrno(soError ? soError : errno);
            ::close(fd);
            return false;
        }
    }
    m_fd = fd;
    ++m_connects;
    return true;
}

bool HaproxySession::stillOpen()
{
    if (m_fd < 0)
        return false;
    // HAProxy closes an idle CLI connection after its `stats timeout` (10 s by default): look
    // for that end-of-file now rather than learn it from a batch that gets no answer.
    char scratch[512];
    for (;;) {
        const ssize_t n = ::recv(m_fd, scratch, sizeof scratch, MSG_DONTWAIT);
        if (n > 0)
            continue; // nothing is owed to us between batches: stray bytes are dropped
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return true;
        close();
        return false;
    }
}

bool HaproxySession::send(const QByteArray &bytes, const QDeadlineTimer &deadline, QString *error)
{
    qsizetype done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::send(m_fd, bytes.constData() + done, size_t(bytes.size() - done), MSG_NOSIGNAL);
        if (n > 0) {
            done += n;
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            *error = sessionErrno(errno);
            return false;
        }
        pollfd p{m_fd, POLLOUT, 0};
        if (::poll(&p, 1, sessionRemainingMs(deadline)) <= 0) {
            *error = QStringLiteral("cannot send the command: timed out");
            return false;
        }
    }
    return true;
}

bool HaproxySession::start(Batch *b, const QDeadlineTimer &deadline)
{
    m_pending.clear();
    QByteArray lines;
    m_parts.clear();
    int prompts = 0;
    for (const QString &c : std::as_const(b->commands)) {
        // HAProxy answers each `;`-separated part of a line on its own, prompt included.
        m_parts.append(int(c.count(QLatin1Char(';'))) + 1);
        prompts += m_parts.constLast();
        lines += c.toUtf8() + '\n';
    }
    QString error;
    // Two tries: the connection we hold may turn out to be dead only when written to.
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (!stillOpen() && !open(&error)) {
            fail(b, error);
            return false;
        }
        // A reused connection may belong to a process that a reload (-sf) told to stop: it
        // keeps answering, but no longer serves traffic, and it does not exit while we hold
        // it. `show info` says "Stopping: 1" then (checked in finish()). It goes last, so the
        // batch's own commands (a rollback's weights) take effect without waiting for it: on a
        // stopping process they are harmless, and finish() sends them again on a new connection.
        m_probed = m_prompted && m_followReloads;
        m_skip = m_prompted ? 0 : 1;
        m_wire = (m_prompted ? QByteArray() : QByteArrayLiteral("prompt\n")) + lines + (m_probed ? QByteArrayLiteral("show info\n") : QByteArray());
        m_expected = prompts + m_skip + (m_probed ? 1 : 0);
        m_prompted = true;
        if (send(m_wire, deadline, &error)) {
            b->delivered = true;
            return true;
        }
        close();
    }
    fail(b, QStringLiteral("cannot send the command: %1").arg(error));
    return false;
}

int HaproxySession::splitPrompted(const QByteArray &data, QStringList *answers)
{
    answers->clear();
    qsizetype from = 0;
    for (;;) {
        const qsizetype at = data.indexOf(QByteArrayView(sessionPrompt, sessionPromptSize), from);
        if (at < 0)
            break;
        answers->append(QString::fromUtf8(data.mid(from, at - from)));
        from = at + sessionPromptSize;
    }
    return int(answers->size());
}

HaproxySession::Step HaproxySession::onReadable(Batch *b, const QDeadlineTimer &deadline)
{
    char buf[16384];
    for (;;) {
        const ssize_t n = ::recv(m_fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0) {
            m_pending.append(buf, n);
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n < 0 && errno == EINTR)
            continue;
        // The connection ended before every answer came: HAProxy restarted, reloaded or timed
        // the connection out just as we wrote. Once, open a new one and send the batch again.
        const QString why = n == 0 ? QStringLiteral("connection closed by HAProxy") : sessionErrno(errno);
        close();
        if (m_retried) {
            fail(b, QStringLiteral("%1 before the answer was complete").arg(why));
            return Step::Failed;
        }
        m_retried = true;
        return start(b, deadline) ? Step::Reading : Step::Failed;
    }
    QStringList answers;
    if (splitPrompted(m_pending, &answers) < m_expected)
        return Step::Reading;
    return finish(b, deadline);
}

HaproxySession::Step HaproxySession::finish(Batch *b, const QDeadlineTimer &deadline)
{
    QStringList answers;
    splitPrompted(m_pending, &answers);
    if (m_probed && answers.value(m_expected - 1).contains(QLatin1String("\nStopping: 1"))) {
        // The batch ran on a process on its way out (harmless: session commands are
        // idempotent); a new connection reaches the one that took over. Once.
        close();
        if (m_retried) {
            fail(b, QStringLiteral("HAProxy is stopping and no new process answers"));
            return Step::Failed;
        }
        m_retried = true;
        return start(b, deadline) ? Step::Reading : Step::Failed;
    }
    b->answers.clear();
    qsizetype at = m_skip;
    for (const int parts : std::as_const(m_parts)) {
        b->answers.append(answers.mid(at, parts).join(QString()));
        at += parts;
    }
    b->ok = true;
    b->error.clear();
    m_pending.clear();
    return Step::Done;
}

void HaproxySession::fail(Batch *b, const QString &what)
{
    b->ok = false;
    b->error = name() + QStringLiteral(": ") + what;
}

void HaproxySession::executeAll(QList<Batch> *batches)
{
    qint64 longest = 0;
    for (const Batch &b : std::as_const(*batches))
        longest = std::max<qint64>(longest, b.session->m_timeouts.commandMs);
    const QDeadlineTimer deadline(longest);
    std::vector<Step> steps(size_t(batches->size()), Step::Idle);
    for (qsizetype i = 0; i < batches->size(); ++i) {
        Batch &b = (*batches)[i];
        b.ok = false;
        b.delivered = false;
        b.answers.clear();
        b.session->m_retried = false;
        steps[size_t(i)] = b.session->start(&b, deadline) ? Step::Reading : Step::Failed;
    }
    std::vector<pollfd> fds;
    std::vector<qsizetype> which;
    for (;;) {
        fds.clear();
        which.clear();
        for (qsizetype i = 0; i < batches->size(); ++i) {
            if (steps[size_t(i)] == Step::Reading) {
                fds.push_back({(*batches)[i].session->m_fd, POLLIN, 0});
                which.push_back(i);
            }
        }
        if (fds.empty())
            return;
        const int n = ::poll(fds.data(), nfds_t(fds.size()), sessionRemainingMs(deadline));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            for (const qsizetype i : which) {
                Batch &b = (*batches)[i];
                // The answer may still come and would be mistaken for the next batch's.
                b.session->close();
                b.session->fail(&b, QStringLiteral("no complete answer within %1 ms").arg(b.session->m_timeouts.commandMs));
                steps[size_t(i)] = Step::Failed;
            }
            return;
        }
        for (size_t k = 0; k < fds.size(); ++k) {
            if (fds[k].revents == 0)
                continue;
            Batch &b = (*batches)[which[k]];
            steps[size_t(which[k])] = b.session->onReadable(&b, deadline);
        }
    }
}

bool HaproxySession::execute(const QStringList &commands, QStringList *answers, QString *error, bool *delivered)
{
    QList<Batch> one{Batch{this, commands, {}, {}, false, false}};
    executeAll(&one);
    if (delivered)
        *delivered = one.at(0).delivered;
    *answers = one.at(0).answers;
    if (!one.at(0).ok)
        *error = one.at(0).error;
    return one.at(0).ok;
}

} // namespace Switchboard
