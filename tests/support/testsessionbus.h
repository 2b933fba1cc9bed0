#pragma once
// A D-Bus session bus of the test's own: Debian's dbus-daemon started with --session on a
// private socket, stopped with the object. Nothing of the user's desktop is touched.

#include <QProcess>
#include <QString>

class TestSessionBus final
{
public:
    TestSessionBus();
    ~TestSessionBus();
    TestSessionBus(const TestSessionBus &) = delete;
    TestSessionBus &operator=(const TestSessionBus &) = delete;

    // Empty when the bus did not start; error() says why.
    QString address() const { return m_address; }
    QString error() const { return m_error; }

private:
    QProcess m_daemon;
    QString m_address;
    QString m_error;
};
