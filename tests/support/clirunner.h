#pragma once
// Runs the switchboard binary the way a user's script does, with its config and data folders
// (XDG_CONFIG_HOME = <home>/config, XDG_DATA_HOME = <home>/data) kept in a home of the test's own,
// so the user's real presets and audit log stay out of it.

#include <QString>
#include <QStringList>

class QProcess;

class CliRunner final
{
public:
    struct Result
    {
        int code = -1; // -1 when it crashed or had to be killed
        QString out;
        QString err;
    };

    CliRunner(const QString &binary, const QString &home);
    // Who the runs act as ($SWITCHBOARD_OPERATOR): two runners with two operators are two
    // people (operator leases). Empty: the process' own user@host.
    void setOperator(const QString &name) { m_operator = name; }

    // Blocks until the binary ends, at most `timeoutMs` (then kills it). Blocking is fine: what it
    // talks to answers from other processes or threads.
    Result run(const QStringList &args, int timeoutMs = 60000) const;
    // Starts the binary in `process` with the same folders and returns at once, for a test that
    // has to act while it runs (signal it, feed what it waits for).
    void start(QProcess &process, const QStringList &args) const;

private:
    QString m_binary;
    QString m_home;
    QString m_operator;
};
