#pragma once
// Talks to the running lab from outside, as a user's traffic and an operator would: plain HTTP
// requests through a frontend, counted by the app version that answered, and HAProxy's admin socket.

#include <QByteArray>
#include <QString>
#include <QtGlobal>

// Answers to a batch of requests, by the body that came back.
struct SplitCounts
{
    int v1 = 0;
    int v2 = 0;
    int other = 0; // no connection, not a 200, or neither version's body

    // The canary's share of the v1/v2 answers in percent; NaN when there were none.
    double canaryPercent() const;
};

class LabClient final
{
public:
    // `n` sequential requests to 127.0.0.1:`port`, one connection each (so each is balanced on its
    // own). Blocks: the servers run in their own processes, and the code under test on its own
    // thread, so nothing on the calling thread needs to run meanwhile.
    // `header`, when given, is one more request header line without CRLF ("X-Canary: always",
    // "Cookie: canary=always").
    static SplitCounts measure(quint16 port, int n, const QByteArray &header = {});

    // `get weight shop/<server>` on HAProxy's admin TCP socket: its current weight, -1 when there
    // is no answer or none that parses.
    static int haproxyWeight(quint16 adminPort, const QString &server);
};
