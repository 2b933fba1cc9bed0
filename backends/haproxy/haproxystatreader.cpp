#include "haproxystatreader.h"

#include "domain.h"
#include "threadshared.h"

#include <QDateTime>

#include <atomic>

namespace Switchboard {

namespace {

std::atomic<qint64> s_allRoundTrips{0};

QString keyOf(const HaproxyTargetSettings &s)
{
    QStringList parts;
    for (const HaproxyEndpoint &e : s.endpoints)
        parts << e.toString();
    parts << QString::number(s.timeouts.connectMs) << QString::number(s.timeouts.commandMs);
    return parts.join(QLatin1Char(' '));
}

} // namespace

qint64 HaproxyStatReader::allRoundTrips()
{
    return s_allRoundTrips.load(std::memory_order_relaxed);
}

std::shared_ptr<HaproxyStatReader> HaproxyStatReader::forThread(const HaproxyTargetSettings &settings)
{
    // Per thread: a reader's sessions are used by one thread at a time, and the sources that
    // share a reader share its thread.
    return threadShared<HaproxyStatReader>(keyOf(settings), [&settings] { return std::make_shared<HaproxyStatReader>(settings); });
}

HaproxyStatReader::HaproxyStatReader(const HaproxyTargetSettings &settings)
    : m_sessions(settings.endpoints, settings.timeouts)
{
}

std::shared_ptr<const HaproxyStatReader::Reading> HaproxyStatReader::read(const QString &backend, int maxAgeMs, QString *error)
{
    if (!m_backends.contains(backend))
        m_backends.append(backend);
    const qint64 now = steadyNowNs();
    if (m_last && maxAgeMs > 0 && now - m_last->atNs <= qint64(maxAgeMs) * 1000000
        && (m_last->servers.contains(backend) || m_last->errors.contains(backend)))
        return m_last;
    QStringList commands;
    for (const QString &b : std::as_const(m_backends))
        commands << HaproxyRuntime::showStatCommand(b);
    QStringList errors;
    for (const auto &session : m_sessions.sessions()) {
        QStringList answers;
        QString failure;
        ++m_roundTrips;
        s_allRoundTrips.fetch_add(1, std::memory_order_relaxed);
        if (!session->execute(commands, &answers, &failure)) {
            errors << failure;
            continue;
        }
        auto reading = std::make_shared<Reading>();
        reading->endpoint = session->name();
        // Taken when the answer is in: the counters are at most a round trip older than this.
        reading->atNs = steadyNowNs();
        reading->timeMs = QDateTime::currentMSecsSinceEpoch();
        for (qsizetype i = 0; i < m_backends.size(); ++i) {
            const QString &b = m_backends.at(i);
            QList<HaproxyServerStat> rows;
            QString parseError;
            if (!HaproxyRuntime::parseStat(answers.value(i), &rows, &parseError)) {
                reading->errors.insert(b, QStringLiteral("%1: show stat %2: %3").arg(session->name(), b, parseError));
                continue;
            }
            QList<HaproxyServerStat> &mine = reading->servers[b];
            for (const HaproxyServerStat &row : std::as_const(rows))
                if (row.proxy == b)
                    mine.append(row);
        }
        m_last = std::move(reading);
        return m_last;
    }
    *error = errors.join(QStringLiteral("; "));
    return nullptr;
}

} // namespace Switchboard
