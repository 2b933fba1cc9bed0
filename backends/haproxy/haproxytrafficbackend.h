#pragma once
// HAProxy as a traffic layer: reads and sets the weights of a backend's stable and canary
// servers through the runtime API of every configured endpoint (one HAProxy process each, or
// several sockets of one process), applying each change to all of them and verifying it on all.

#include "haproxyruntime.h"
#include "layerparts.h"
#include "trafficbackend.h"

namespace Switchboard {

class HaproxyTrafficBackend final : public TrafficBackend
{
    Q_OBJECT
public:
    explicit HaproxyTrafficBackend(const HaproxyTargetSettings &settings, QObject *parent = nullptr);
    // The factory's entry point (common/layerparts.h): reads the target's "haproxy" object.
    static bool create(const QJsonObject &settings, LayerParts *out, QString *error);

    void refresh() override;
    void apply(const Switchboard::WeightChange &change) override;

private:
    // What one endpoint says about the configured servers.
    struct Reading
    {
        QString endpoint;
        QString error; // empty when the read worked
        QList<Member> members;
        QMap<QString, int> weights;
        bool ok() const { return error.isEmpty(); }
    };
    Reading read(const HaproxyRuntime &runtime) const;
    // Turns `show stat` rows into the configured members; false naming the missing servers.
    bool membersFrom(const QList<HaproxyServerStat> &rows, const QString &endpoint, QList<Member> *members,
                     QString *error) const;
    QStringList setCommands(const QMap<QString, int> &target, const QMap<QString, int> &live, bool raise) const;
    // The `set weight` answers that are errors, each with its command.
    static QStringList answerErrors(const QStringList &commands, const QStringList &answers);

    HaproxyTargetSettings m_settings;
    QList<HaproxyRuntime> m_runtimes;
};

} // namespace Switchboard
