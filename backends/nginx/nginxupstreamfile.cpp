#include "nginxupstreamfile.h"

#include <QSet>

#include <algorithm>

namespace Switchboard {

namespace {

struct Token
{
    enum class Kind { Word, Semicolon, Open, Close };
    Kind kind = Kind::Word;
    QByteArray value; // a word without its quotes
    qsizetype begin = 0;
    qsizetype end = 0;
    int line = 0;
};

bool isBlank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// nginx's lexer, reduced to what finding statements needs: blanks separate words, `;` `{` `}`
// are tokens of their own, `#` at the start of a word comments out the rest of the line, quotes
// group, a backslash escapes the next character, `${name}` stays one word.
bool tokenize(const QByteArray &t, QList<Token> *out, QString *error)
{
    int line = 1;
    qsizetype i = 0;
    const qsizetype n = t.size();
    while (i < n) {
        const char c = t.at(i);
        if (c == '\n') {
            ++line;
            ++i;
            continue;
        }
        if (isBlank(c)) {
            ++i;
            continue;
        }
        if (c == '#') {
            while (i < n && t.at(i) != '\n')
                ++i;
            continue;
        }
        Token tok;
        tok.begin = i;
        tok.line = line;
        if (c == ';' || c == '{' || c == '}') {
            tok.kind = c == ';' ? Token::Kind::Semicolon : (c == '{' ? Token::Kind::Open : Token::Kind::Close);
            tok.end = ++i;
            out->append(tok);
            continue;
        }
        if (c == '"' || c == '\'') {
            ++i;
            bool closed = false;
            while (i < n) {
                const char d = t.at(i);
                if (d == '\\' && i + 1 < n && (t.at(i + 1) == c || t.at(i + 1) == '\\')) {
                    tok.value += t.at(i + 1);
                    i += 2;
                    continue;
                }
                ++i;
                if (d == c) {
                    closed = true;
                    break;
                }
                if (d == '\n')
                    ++line;
                tok.value += d;
            }
            if (!closed) {
                *error = QStringLiteral("line %1: unterminated quoted string").arg(tok.line);
                return false;
            }
        } else {
            while (i < n) {
                const char d = t.at(i);
                if (isBlank(d) || d == ';' || d == '{' || d == '}')
                    break;
                if (d == '\\' && i + 1 < n) {
                    tok.value += t.mid(i, 2);
                    i += 2;
                    continue;
                }
                if (d == '$' && i + 1 < n && t.at(i + 1) == '{') {
                    const qsizetype close = t.indexOf('}', i);
                    const qsizetype stop = close < 0 ? n : close + 1;
                    tok.value += t.mid(i, stop - i);
                    i = stop;
                    continue;
                }
                tok.value += d;
                ++i;
            }
        }
        tok.end = i;
        out->append(tok);
    }
    return true;
}

QString wordText(const QByteArray &word)
{
    return QString::fromUtf8(word);
}

} // namespace

bool NginxUpstreamFile::parse(const QByteArray &input, const QString &upstream, NginxUpstreamFile *out, QString *error)
{
    QList<Token> tokens;
    if (!tokenize(input, &tokens, error))
        return false;

    NginxUpstreamFile f;
    f.m_text = input;
    f.m_upstream = upstream;
    const QByteArray name = upstream.toUtf8();

    struct Frame
    {
        bool target = false;
        int line = 0;
    };
    QList<Frame> stack;
    QList<Token> statement;
    QStringList upstreams; // every upstream seen, for the "no such upstream" message
    int foundAt = 0;

    auto serverEntry = [&f, &input, error](const QList<Token> &st, const Token &semicolon) {
        if (st.size() < 2) {
            *error = QStringLiteral("line %1: \"server\" without an address").arg(st.at(0).line);
            return false;
        }
        Entry e;
        e.server.address = wordText(st.at(1).value);
        e.server.line = st.at(0).line;
        e.address = {st.at(1).begin, st.at(1).end};
        e.lastWord = {st.last().begin, st.last().end};
        e.semicolonEnd = semicolon.end;
        e.lineStart = st.at(0).begin;
        while (e.lineStart > 0 && input.at(e.lineStart - 1) != '\n')
            --e.lineStart;
        for (qsizetype i = 2; i < st.size(); ++i) {
            const QByteArray &p = st.at(i).value;
            e.params.append({st.at(i).begin, st.at(i).end});
            if (p.startsWith("weight=")) {
                bool ok = false;
                const int w = p.mid(7).toInt(&ok);
                if (!ok || w < 1) {
                    *error = QStringLiteral("line %1: invalid parameter \"%2\" (nginx takes weight=1 and up; "
                                            "a server that gets no traffic is marked down)")
                                 .arg(st.at(i).line)
                                 .arg(wordText(p));
                    return false;
                }
                e.server.weight = w;
                e.weightParam = int(e.params.size() - 1);
            } else if (p == "down") {
                e.server.down = true;
                e.downParam = int(e.params.size() - 1);
            } else {
                e.server.otherParams.append(wordText(p));
            }
        }
        f.m_entries.append(e);
        return true;
    };

    for (const Token &tok : std::as_const(tokens)) {
        switch (tok.kind) {
        case Token::Kind::Word:
            statement.append(tok);
            break;
        case Token::Kind::Semicolon:
            if (statement.isEmpty()) {
                *error = QStringLiteral("line %1: unexpected \";\"").arg(tok.line);
                return false;
            }
            if (!stack.isEmpty() && stack.last().target) {
                if (statement.at(0).value == "server" && !serverEntry(statement, tok))
                    return false;
                if (statement.at(0).value == "zone")
                    f.m_hasZone = true;
            }
            statement.clear();
            break;
        case Token::Kind::Open: {
            if (statement.isEmpty()) {
                *error = QStringLiteral("line %1: unexpected \"{\"").arg(tok.line);
                return false;
            }
            Frame frame;
            frame.line = statement.at(0).line;
            if (statement.at(0).value == "upstream" && statement.size() >= 2) {
                upstreams.append(wordText(statement.at(1).value));
                if (statement.at(1).value == name) {
                    if (foundAt) {
                        *error = QStringLiteral("upstream \"%1\" is defined twice (lines %2 and %3)")
                                     .arg(upstream)
                                     .arg(foundAt)
                                     .arg(frame.line);
                        return false;
                    }
                    foundAt = frame.line;
                    frame.target = true;
                }
            }
            stack.append(frame);
            statement.clear();
            break;
        }
        case Token::Kind::Close:
            if (!statement.isEmpty()) {
                *error = QStringLiteral("line %1: unexpected \"}\" (\"%2\" on line %3 has no \";\")")
                             .arg(tok.line)
                             .arg(wordText(statement.at(0).value))
                             .arg(statement.at(0).line);
                return false;
            }
            if (stack.isEmpty()) {
                *error = QStringLiteral("line %1: unexpected \"}\"").arg(tok.line);
                return false;
            }
            if (stack.last().target)
                f.m_closeBrace = tok.begin;
            stack.removeLast();
            break;
        }
    }
    if (!statement.isEmpty()) {
        *error = QStringLiteral("unexpected end of file: \"%1\" on line %2 has no \";\"")
                     .arg(wordText(statement.at(0).value))
                     .arg(statement.at(0).line);
        return false;
    }
    if (!stack.isEmpty()) {
        *error = QStringLiteral("unexpected end of file: the block opened on line %1 has no \"}\"").arg(stack.last().line);
        return false;
    }
    if (!foundAt) {
        *error = upstreams.isEmpty()
                     ? QStringLiteral("no \"upstream %1\" block (the file has no upstream block)").arg(upstream)
                     : QStringLiteral("no \"upstream %1\" block (the file has: %2)")
                           .arg(upstream, upstreams.join(QStringLiteral(", ")));
        return false;
    }
    *out = std::move(f);
    return true;
}

QList<NginxUpstreamServer> NginxUpstreamFile::servers() const
{
    QList<NginxUpstreamServer> out;
    for (const Entry &e : m_entries)
        out.append(e.server);
    return out;
}

QList<NginxUpstreamServer> NginxUpstreamFile::servers(const QString &address) const
{
    QList<NginxUpstreamServer> out;
    for (const Entry &e : m_entries)
        if (e.server.address == address)
            out.append(e.server);
    return out;
}

int NginxUpstreamFile::effectiveWeight(const QString &address) const
{
    int sum = 0;
    for (const Entry &e : m_entries)
        if (e.server.address == address)
            sum += e.server.effectiveWeight();
    return sum;
}

QByteArray NginxUpstreamFile::render(const QMap<QString, int> &weights) const
{
    struct Edit
    {
        qsizetype begin;
        qsizetype end;
        QByteArray with;
    };
    QList<Edit> edits;
    QSet<QString> present;
    for (const Entry &e : m_entries) {
        present.insert(e.server.address);
        const auto it = weights.constFind(e.server.address);
        if (it == weights.cend())
            continue;
        const int want = std::max(0, it.value());
        if (want == 0) {
            // weight=0 is a config error to nginx; `down` is its way of saying "no traffic".
            if (!e.server.down)
                edits.append({e.lastWord.end, e.lastWord.end, QByteArrayLiteral(" down")});
            continue;
        }
        if (e.downParam >= 0) {
            const Span s = e.params.at(e.downParam);
            qsizetype b = s.begin;
            while (b > 0 && (m_text.at(b - 1) == ' ' || m_text.at(b - 1) == '\t'))
                --b;
            edits.append({b, s.end, {}});
        }
        const QByteArray weight = QByteArrayLiteral("weight=") + QByteArray::number(want);
        if (e.weightParam >= 0) {
            if (e.server.weight != want)
                edits.append({e.params.at(e.weightParam).begin, e.params.at(e.weightParam).end, weight});
        } else if (want != 1) {
            edits.append({e.address.end, e.address.end, QByteArrayLiteral(" ") + weight});
        }
    }

    // Servers the upstream does not list yet: a new line after the last server line, indented
    // like it; QMap order, so the output does not depend on hashing.
    QByteArray added;
    QByteArray indent = QByteArrayLiteral("    ");
    qsizetype at = m_closeBrace;
    bool ownLine = false; // whether the insertion point starts a line
    if (!m_entries.isEmpty()) {
        const Entry &last = m_entries.last();
        at = last.semicolonEnd;
        qsizetype i = last.lineStart;
        indent.clear();
        while (i < m_text.size() && (m_text.at(i) == ' ' || m_text.at(i) == '\t'))
            indent += m_text.at(i++);
    } else {
        qsizetype b = m_closeBrace;
        while (b > 0 && (m_text.at(b - 1) == ' ' || m_text.at(b - 1) == '\t'))
            --b;
        if (b == 0 || m_text.at(b - 1) == '\n') {
            at = b;
            ownLine = true;
        }
    }
    for (auto it = weights.cbegin(); it != weights.cend(); ++it) {
        if (present.contains(it.key()) || it.value() <= 0)
            continue;
        const QByteArray line = indent + QByteArrayLiteral("server ") + it.key().toUtf8() + QByteArrayLiteral(" weight=")
                                + QByteArray::number(it.value()) + ';';
        if (ownLine)
            added += line + '\n';
        else
            added += '\n' + line;
    }
    if (!added.isEmpty()) {
        if (m_entries.isEmpty() && !ownLine)
            added += ' ';
        edits.append({at, at, added});
    }

    // From the end backwards, so earlier offsets stay valid; at one offset a removal goes
    // before an insertion (the insertion then lands where the removed text was).
    std::sort(edits.begin(), edits.end(), [](const Edit &a, const Edit &b) {
        return a.begin != b.begin ? a.begin > b.begin : a.end > b.end;
    });
    QByteArray out = m_text;
    for (const Edit &e : std::as_const(edits))
        out.replace(e.begin, e.end - e.begin, e.with);
    return out;
}

} // namespace Switchboard
