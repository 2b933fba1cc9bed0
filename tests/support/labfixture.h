#pragma once
// Starts the real local lab (lab/up: HAProxy, two app versions, Prometheus on free loopback
// ports) in a fresh temporary folder for one test binary, and stops it (lab/down) when done.

#include <QJsonObject>
#include <QStringList>
#include <QSet>
#include <QString>
#include <QTemporaryDir>

#include <memory>

class LabFixture final
{
public:
    LabFixture();
    ~LabFixture(); // runs lab/down

    // Runs lab/up and waits for it (it waits for readiness itself). False with error() set on failure.
    bool start();

    enum class Outcome { Started, NotInstalled, Failed };
    // start(), with its failures told apart: NotInstalled only when a program the lab needs (or
    // one of `alsoNeeds`, e.g. "wrk") is not installed, and error() names it. With every program
    // there, any failure is Failed: a lab that could start and did not must fail the run.
    Outcome startUnlessMissing(const QStringList &alsoNeeds = {});
    QString error() const { return m_error; }

    QString dir() const;
    QJsonObject info() const { return m_info; } // lab.json
    int port(const char *key) const;            // e.g. "FRONT_PORT"
    QString value(const char *key) const;       // e.g. "ADMIN_SOCK", "PROM_URL"
    QString configDir() const;                  // holds targets.json for Switchboard
    // The lab nginx master's workers that accept connections (not those shutting down), and a
    // wait (up to 10 s) until none of `old` is among them: `nginx -s reload` only signals, and
    // old workers keep accepting for a moment, so a test measures the new config after this.
    QSet<int> nginxWorkers() const;
    bool waitForNewNginxWorkers(const QSet<int> &old) const;
    QString frontUrl() const;

    // Runs a lab script (e.g. "fault" with {"v2", "error=0.2"}); returns its exit code.
    int runScript(const QString &name, const QStringList &args, QString *output = nullptr) const;

    static QString sourceDir();

private:
    std::unique_ptr<QTemporaryDir> m_tmp;
    QJsonObject m_info;
    QString m_error;
    bool m_started = false;
};

// The one way a lab test starts its lab, in initTestCase (QSKIP and QFAIL return from the test
// function, so this has to be a macro): skipped (CTest reports it as skipped, see
// tests/support/run-qtest) only when a program is missing, failed on anything else.
#define LAB_START_OR_SKIP(lab, ...)                                             \
    do {                                                                        \
        switch ((lab).startUnlessMissing(QStringList{__VA_ARGS__})) {           \
        case LabFixture::Outcome::Started:                                      \
            break;                                                              \
        case LabFixture::Outcome::NotInstalled:                                 \
            QSKIP(qPrintable((lab).error()));                                   \
        case LabFixture::Outcome::Failed:                                       \
            QFAIL(qPrintable((lab).error()));                                   \
        }                                                                       \
    } while (false)
