#include "clirunner.h"

#include <QDir>
#include <QFile>
#include <QProcess>

CliRunner::CliRunner(const QString &binary, const QString &home)
    : m_binary(binary)
    , m_home(home)
{
}

void CliRunner::start(QProcess &process, const QStringList &args) const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), QDir(m_home).filePath(QStringLiteral("config")));
    env.insert(QStringLiteral("XDG_DATA_HOME"), QDir(m_home).filePath(QStringLiteral("data")));
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    // The simulator's lease files live in the runtime folder: the test's own, so that two
    // tests' simulated targets (same names) never see each other's leases.
    const QString runtime = QDir(m_home).filePath(QStringLiteral("runtime"));
    QDir().mkpath(runtime);
    QFile::setPermissions(runtime, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), runtime);
    if (!m_operator.isEmpty())
        env.insert(QStringLiteral("SWITCHBOARD_OPERATOR"), m_operator);
    process.setProcessEnvironment(env);
    process.start(m_binary, args);
}

CliRunner::Result CliRunner::run(const QStringList &args, int timeoutMs) const
{
    QProcess p;
    start(p, args);
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}
