#include "labfixture.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>
#include <QTest>

LabFixture::LabFixture()
    : m_tmp(std::make_unique<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/sb-lab-XXXXXX")))
{
}

LabFixture::~LabFixture()
{
    if (m_started)
        runScript(QStringLiteral("down"), {});
}

QString LabFixture::sourceDir()
{
    const QString env = qEnvironmentVariable("SWITCHBOARD_SOURCE_DIR");
    return env.isEmpty() ? QStringLiteral(SWITCHBOARD_SOURCE_DIR) : env;
}

QString LabFixture::dir() const
{
    return m_tmp->path();
}

int LabFixture::runScript(const QString &name, const QStringList &args, QString *output) const
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(sourceDir() + QStringLiteral("/lab/") + name, QStringList{dir()} + args);
    // lab/up bounds its own readiness wait; this is only a backstop.
    if (!p.waitForFinished(90000)) {
        p.kill();
        p.waitForFinished();
        if (output)
            *output = QString::fromLocal8Bit(p.readAll()) + QStringLiteral("\n(timed out)");
        return -1;
    }
    if (output)
        *output = QString::fromLocal8Bit(p.readAll());
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

bool LabFixture::start()
{
    if (!m_tmp->isValid()) {
        m_error = QStringLiteral("cannot create a temporary folder");
        return false;
    }
    QString out;
    m_started = true; // even a failed start may have left something to stop
    const int rc = runScript(QStringLiteral("up"), {}, &out);
    if (rc != 0) {
        m_error = QStringLiteral("lab/up exited %1:\n%2").arg(rc).arg(out);
        return false;
    }
    QFile f(dir() + QStringLiteral("/lab.json"));
    if (!f.open(QIODevice::ReadOnly)) {
        m_error = QStringLiteral("lab/up wrote no lab.json");
        return false;
    }
    m_info = QJsonDocument::fromJson(f.readAll()).object();
    return !m_info.isEmpty();
}

LabFixture::Outcome LabFixture::startUnlessMissing(const QStringList &alsoNeeds)
{
    QStringList missing;
    for (const QString &program : alsoNeeds) {
        if (QStandardPaths::findExecutable(program).isEmpty())
            missing << program;
    }
    if (!missing.isEmpty()) {
        m_error = QStringLiteral("not installed: %1 (scripts/install-deps installs it)").arg(missing.join(QStringLiteral(", ")));
        return Outcome::NotInstalled;
    }
    if (start())
        return Outcome::Started;
    // lab/up checks its own programs first and exits 2 when one is missing.
    return m_error.startsWith(QLatin1String("lab/up exited 2")) ? Outcome::NotInstalled : Outcome::Failed;
}

int LabFixture::port(const char *key) const
{
    const QJsonValue v = m_info.value(QLatin1String(key));
    return v.isString() ? v.toString().toInt() : v.toInt();
}

QString LabFixture::value(const char *key) const
{
    const QJsonValue v = m_info.value(QLatin1String(key));
    return v.isString() ? v.toString() : QString::number(v.toInt());
}

QString LabFixture::configDir() const
{
    return dir() + QStringLiteral("/config");
}

QString LabFixture::frontUrl() const
{
    return QStringLiteral("http://127.0.0.1:%1/").arg(port("FRONT_PORT"));
}

QSet<int> LabFixture::nginxWorkers() const
{
    auto read = [](const QString &path) {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    };
    const int master = read(dir() + QStringLiteral("/nginx/nginx.pid")).trimmed().toInt();
    QSet<int> out;
    const QStringList pids = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &p : pids) {
        bool numeric = false;
        const int pid = p.toInt(&numeric);
        if (!numeric)
            continue;
        const QByteArray stat = read(QStringLiteral("/proc/%1/stat").arg(pid));
        // "pid (comm) state ppid ...": comm may hold blanks, so split after its ')'.
        const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
        if (fields.size() < 2 || fields.at(1).toInt() != master)
            continue;
        const QByteArray title = read(QStringLiteral("/proc/%1/cmdline").arg(pid));
        if (title.startsWith("nginx: worker process") && !title.contains("shutting down"))
            out.insert(pid);
    }
    return out;
}

bool LabFixture::waitForNewNginxWorkers(const QSet<int> &old) const
{
    return QTest::qWaitFor([&] {
        const QSet<int> now = nginxWorkers();
        return !now.isEmpty() && !now.intersects(old);
    }, 10000);
}
