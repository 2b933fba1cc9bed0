#include "haproxyleasestore.h"

namespace Switchboard {

HaproxyLeaseStore::HaproxyLeaseStore(const QList<HaproxyEndpoint> &endpoints, const HaproxyTimeouts &timeouts,
                                     QString mapFile, QString key)
    : m_sessions(endpoints, timeouts)
    , m_map(std::move(mapFile))
    , m_key(std::move(key))
{
}

QString HaproxyLeaseStore::where() const
{
    return QStringLiteral("HAProxy map %1, key %2").arg(m_map, m_key);
}

bool HaproxyLeaseStore::findEntry(const QString &showMap, const QString &key, QString *value)
{
    for (const QStringView line : QStringView(showMap).split(QLatin1Char('\n'))) {
        const QList<QStringView> f = line.trimmed().split(QLatin1Char(' '), Qt::SkipEmptyParts);
        if (f.size() >= 3 && f.at(0).startsWith(QLatin1String("0x")) && f.at(1) == key) {
            *value = f.at(2).toString();
            return true;
        }
    }
    return false;
}

namespace {

// HAProxy's answer to a map command that failed ("Unknown map identifier...", "Unknown unique id").
bool mapAnswerFailed(const QString &answer)
{
    return answer.contains(QLatin1String("Unknown")) || answer.contains(QLatin1String("not found"))
           || answer.contains(QLatin1String("Permission denied")) || answer.contains(QLatin1String("failed"));
}

} // namespace

bool HaproxyLeaseStore::read(OperatorLease *out, QString *version, QString *error)
{
    *out = OperatorLease{};
    version->clear();
    QList<HaproxySession::Batch> batches;
    for (const auto &s : m_sessions.sessions())
        batches.append(HaproxySession::Batch{s.get(), {QStringLiteral("show map %1").arg(m_map)}, {}, {}, false, false});
    HaproxySession::executeAll(&batches);
    QStringList errors;
    for (const HaproxySession::Batch &b : std::as_const(batches)) {
        if (!b.ok) {
            errors.append(b.error);
            continue;
        }
        const QString answer = b.answers.value(0);
        if (mapAnswerFailed(answer)) {
            errors.append(QStringLiteral("%1: %2 (does the configuration load map %3?)")
                              .arg(b.session->name(), answer.trimmed(), m_map));
            continue;
        }
        QString value;
        if (findEntry(answer, m_key, &value) && !OperatorLease::fromText(value, out)) {
            *error = QStringLiteral("%1: map %2 holds \"%3\" for %4, not a lease").arg(b.session->name(), m_map, value, m_key);
            return false;
        }
        *version = findEntry(answer, m_key, &value) ? value : QString();
        return true;
    }
    *error = errors.join(QStringLiteral("; "));
    return false;
}

LeaseStore::Write HaproxyLeaseStore::write(const OperatorLease &lease, const QString &version, QString *error)
{
    OperatorLease now;
    QString current;
    if (!read(&now, &current, error))
        return Write::Failed;
    if (current != version)
        return Write::Conflict;
    const QString value = lease.toText();
    QList<HaproxySession::Batch> batches;
    for (const auto &s : m_sessions.sessions()) {
        // Each endpoint may hold the entry or not (one was reloaded): look, then set or add,
        // and read back. `set map` on an absent key fails harmlessly, so send both forms only
        // where needed: absent -> add, present -> set.
        batches.append(HaproxySession::Batch{s.get(), {QStringLiteral("show map %1").arg(m_map)}, {}, {}, false, false});
    }
    HaproxySession::executeAll(&batches);
    QList<HaproxySession::Batch> writes;
    QStringList errors;
    for (const HaproxySession::Batch &b : std::as_const(batches)) {
        if (!b.ok) {
            errors.append(b.error);
            continue;
        }
        QString old;
        const bool present = findEntry(b.answers.value(0), m_key, &old);
        const QString cmd = present ? QStringLiteral("set map %1 %2 %3").arg(m_map, m_key, value)
                                    : QStringLiteral("add map %1 %2 %3").arg(m_map, m_key, value);
        writes.append(HaproxySession::Batch{b.session, {cmd, QStringLiteral("show map %1").arg(m_map)}, {}, {}, false, false});
    }
    HaproxySession::executeAll(&writes);
    int written = 0;
    for (const HaproxySession::Batch &b : std::as_const(writes)) {
        if (!b.ok) {
            errors.append(b.error);
            continue;
        }
        QString back;
        if (!findEntry(b.answers.value(1), m_key, &back)) {
            errors.append(QStringLiteral("%1: %2").arg(b.session->name(), b.answers.value(0).trimmed()));
            continue;
        }
        if (back != value)
            return Write::Conflict; // someone else's write landed after ours
        ++written;
    }
    if (written == 0) {
        *error = errors.join(QStringLiteral("; "));
        return Write::Failed;
    }
    return Write::Ok;
}

} // namespace Switchboard
