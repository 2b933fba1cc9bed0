#pragma once
// One `upstream NAME { ... }` block of an nginx config file (typically the include a canary
// setup keeps its upstream in): parses its `server` lines and renders the file with new
// weights, changing only the weight/down parameters it has to, so comments, other parameters
// (max_fails=, backup, ...), other directives (zone, keepalive, ...) and other blocks stay
// byte for byte as the operator wrote them.

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

namespace Switchboard {

// One `server ADDRESS [params];` line of the upstream, as configured.
struct NginxUpstreamServer
{
    QString address;         // as written (quotes removed), e.g. "127.0.0.1:8001", "unix:/run/app.sock"
    int weight = 1;          // weight=N; nginx's default 1 when absent
    bool down = false;       // the `down` parameter
    QStringList otherParams; // every other parameter, verbatim and in order
    int line = 0;            // 1-based line of the `server` word

    // What this server gets from the round robin: nginx sends nothing to a `down` server.
    int effectiveWeight() const { return down ? 0 : weight; }
};

class NginxUpstreamFile final
{
public:
    // Parses the whole of `text` (nginx syntax: words, quotes, `#` comments, `;`, blocks) and
    // picks the block `upstream NAME`. False with *error ("line 7: ...") when the text does not
    // parse, the block is missing or defined twice, or a server line of it is unusable (no
    // address, a weight nginx would reject such as weight=0).
    static bool parse(const QByteArray &text, const QString &upstream, NginxUpstreamFile *out, QString *error);

    const QByteArray &text() const { return m_text; }
    QString upstream() const { return m_upstream; }
    // Whether the block has a `zone` line: without one each nginx worker keeps its own
    // round-robin position, so short runs of requests split less exactly.
    bool hasZone() const { return m_hasZone; }
    QList<NginxUpstreamServer> servers() const;
    // Every server line with this address (normally one; nginx allows repeats).
    QList<NginxUpstreamServer> servers(const QString &address) const;
    // The effective weight of `address`: 0 when it is `down` or not in the block at all.
    int effectiveWeight(const QString &address) const;

    // The file with the effective weight of each address in `weights` changed; every other
    // byte stays. A weight N > 0 writes weight=N and drops `down`; 0 adds `down` and keeps the
    // weight= parameter as it was, because nginx rejects weight=0. An address that is not in the
    // block gets a new `server ADDRESS weight=N;` line after the last server line when N > 0
    // (and is left out for 0: absent already means no traffic). Unchanged weights are not
    // rewritten, so rendering the current weights gives the file back unchanged.
    QByteArray render(const QMap<QString, int> &weights) const;

private:
    struct Span
    {
        qsizetype begin = 0;
        qsizetype end = 0; // one past the last byte
    };
    struct Entry
    {
        NginxUpstreamServer server;
        Span address;          // the address word
        Span lastWord;         // the statement's last word (before `;`)
        qsizetype lineStart = 0;
        qsizetype semicolonEnd = 0;
        int weightParam = -1;  // index into params, -1 when there is none
        int downParam = -1;
        QList<Span> params;
    };

    QByteArray m_text;
    QString m_upstream;
    bool m_hasZone = false;
    qsizetype m_closeBrace = 0; // offset of the block's `}`
    QList<Entry> m_entries;
};

} // namespace Switchboard
