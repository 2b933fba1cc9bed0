#pragma once
// Turns targets.json (or the demo) into running TargetControllers, for the GUI and the CLI alike.

#include "auditlog.h"
#include "eventlogmodel.h"
#include "notificationhub.h"
#include "targetconfig.h"
#include "targetcontroller.h"

#include <QHash>
#include <QList>
#include <QObject>

#include <memory>

namespace Switchboard {

class Workspace final : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        bool demo = false;
        QString configDir; // empty: the default config directory
        // --read-only: every target refuses every action (targets.json's own "readOnly" stays).
        bool readOnly = false;
    };

    explicit Workspace(const Options &options, QObject *parent = nullptr);
    // Stops every target's backends at once, then closes the targets (bounded: see BackendHost).
    ~Workspace() override;

    // Problems met while loading (broken or missing targets.json, unusable targets); the
    // workspace still holds something usable (the simulator) when there were any.
    QStringList problems() const { return m_problems; }
    bool usedFallback() const { return m_fallback; }
    QString targetsPath() const { return m_targetsPath; }

    QList<TargetController *> controllers() const { return m_controllers; }
    TargetController *find(const QString &name) const;
    // Why the target of that name in targets.json could not be built; empty when it was (or
    // when there is no such target).
    QString targetError(const QString &name) const { return m_targetErrors.value(name); }
    EventLogModel *events() { return &m_events; }
    AuditLog *audit() { return &m_audit; }
    // Who hears of rollbacks, pauses, failures and promotions (NotificationConfig).
    NotificationHub *notifications() const { return m_notifications.get(); }

private:
    void add(TargetConfig target);
    void startNotifications(const NotificationConfig &config);

    EventLogModel m_events;
    AuditLog m_audit;
    QList<TargetController *> m_controllers;
    std::unique_ptr<NotificationHub> m_notifications; // declared after what it watches
    QStringList m_problems;
    QHash<QString, QString> m_targetErrors;
    QString m_targetsPath;
    bool m_fallback = false;
    bool m_readOnly = false;
};

} // namespace Switchboard
