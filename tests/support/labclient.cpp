#include "labclient.h"

#include <QTcpSocket>

#include <limits>

double SplitCounts::canaryPercent() const
{
    // NaN like Switchboard::unknown(), without tying the support library to the models.
    return v1 + v2 > 0 ? 100.0 * v2 / (v1 + v2) : std::numeric_limits<double>::quiet_NaN();
}

SplitCounts LabClient::measure(quint16 port, int n, const QByteArray &header)
{
    SplitCounts c;
    for (int i = 0; i < n; ++i) {
        QTcpSocket s;
        s.connectToHost(QHostAddress::LocalHost, port);
        if (!s.waitForConnected(2000)) {
            ++c.other;
            continue;
        }
        s.write("GET / HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n" + (header.isEmpty() ? QByteArray() : header + "\r\n")
                + "\r\n");
        QByteArray data;
        while (s.state() == QAbstractSocket::ConnectedState && s.waitForReadyRead(3000))
            data += s.readAll();
        data += s.readAll();
        if (!data.startsWith("HTTP/1.1 200"))
            ++c.other;
        else if (data.contains("hello from v1"))
            ++c.v1;
        else if (data.contains("hello from v2"))
            ++c.v2;
        else
            ++c.other;
    }
    return c;
}

int LabClient::haproxyWeight(quint16 adminPort, const QString &server)
{
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, adminPort);
    if (!s.waitForConnected(2000))
        return -1;
    s.write(QStringLiteral("get weight shop/%1\n").arg(server).toUtf8());
    // HAProxy answers "<current> (initial <initial>)" and closes.
    QByteArray answer;
    while (s.waitForReadyRead(2000))
        answer += s.readAll();
    bool ok = false;
    const int w = answer.split(' ').constFirst().trimmed().toInt(&ok);
    return ok ? w : -1;
}
