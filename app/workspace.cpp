#include "workspace.h"

#include "backendfactory.h"

namespace Switchboard {

Workspace::Workspace(const Options &options, QObject *parent)
    : QObject(parent)
    , m_audit(AuditLog::defaultPath())
    , m_readOnly(options.readOnly)
{
    // A write that fails shows in the event log at once, not only at the next action. The
    // handler runs on the audit log's writer; the event log lives on this thread.
    EventLogModel *events = &m_events;
    m_audit.setErrorHandler([events](const QString &error) {
        QMetaObject::invokeMethod(events, [events, error] {
            events->add(QStringLiteral("switchboard"), EventLogModel::Severity::Error, error);
        }, Qt::QueuedConnection);
    });
    if (options.demo) {
        add(demoTarget());
        startNotifications({});
        return;
    }
    m_targetsPath = targetsFilePath(options.configDir.isEmpty() ? defaultConfigDir() : options.configDir);
    const TargetConfigResult config = loadTargetConfig(m_targetsPath);
    if (config.ok()) {
        for (const TargetConfig &t : config.targets)
            add(t);
    } else if (!config.fileFound && options.configDir.isEmpty()) {
        // First start with nothing configured: the simulator is the expected default.
        m_events.add(QStringLiteral("switchboard"), EventLogModel::Severity::Info,
                     QStringLiteral("no targets configured (%1): showing the built-in simulator").arg(m_targetsPath));
    } else {
        // The file is left exactly as it is: it's the user's to fix.
        m_problems.append(config.error);
    }
    if (m_controllers.isEmpty()) {
        m_fallback = true;
        if (!m_problems.isEmpty())
            m_problems.append(QStringLiteral("falling back to the built-in simulator"));
        add(demoTarget());
    }
    for (const QString &p : std::as_const(m_problems))
        m_events.add(QStringLiteral("switchboard"), EventLogModel::Severity::Error, p);
    startNotifications(m_fallback ? NotificationConfig() : NotificationConfig::load(m_targetsPath));
}

void Workspace::startNotifications(const NotificationConfig &config)
{
    m_notifications = std::make_unique<NotificationHub>(config, m_controllers, &m_events, AuditLog::currentUser());
}

Workspace::~Workspace()
{
    // All at once, so N slow servers cost one bounded wait, not N: every call is asked to stop
    // first, and the waits for the threads share one deadline (a call that ignores the request,
    // on a server that stopped answering, would otherwise cost each of its targets a wait).
    // The controllers go before the event and audit logs they write to (children would be
    // deleted after the members).
    m_notifications.reset(); // stops webhook sends still under way (bounded)
    const BackendHost::StopScope oneWait;
    for (TargetController *c : std::as_const(m_controllers))
        c->requestStop();
    qDeleteAll(m_controllers);
    m_controllers.clear();
}

void Workspace::add(TargetConfig target)
{
    if (m_readOnly && !target.readOnly) {
        target.readOnly = true;
        target.readOnlyReason = QStringLiteral("Switchboard was started with --read-only");
    }
    QString error;
    std::unique_ptr<BackendHost> host = createBackends(target, &error);
    if (!host) {
        m_problems.append(error);
        m_targetErrors.insert(target.name, error);
        return;
    }
    m_controllers.append(new TargetController(target, std::move(host), &m_events, &m_audit, this));
}

TargetController *Workspace::find(const QString &name) const
{
    for (TargetController *c : m_controllers)
        if (c->name() == name)
            return c;
    return nullptr;
}

} // namespace Switchboard
