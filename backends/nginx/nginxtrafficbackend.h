#pragma once
// nginx (open source) as a traffic layer: reads the weights of an upstream's stable and canary
// servers from the config file that holds the upstream, and changes them by rewriting that file
// (atomically), testing the whole config (`nginx -t`) and reloading nginx, putting the previous
// file back whenever the test or the reload fails.
//
// Open-source nginx has no API to read or set live weights: what this backend reads is what is
// *configured*, i.e. what nginx runs once the file has been loaded (nginx only loads a config
// that passes its test). Member states are therefore "UP" or "DOWN (config)", never health.
// `nginx -s reload` only signals the master: a change is reported once the signal is sent and
// the master switches to new workers a few milliseconds later.

#include "nginxroutefile.h"
#include "nginxupstreamfile.h"
#include "layerparts.h"
#include "trafficbackend.h"

#include <QJsonObject>
#include <QStringList>

namespace Switchboard {

// The `nginx` section of a target in targets.json:
//   {"upstreamFile": "/etc/nginx/conf.d/shop-upstream.conf", "upstream": "shop",
//    "stable": ["127.0.0.1:8001"], "canary": ["127.0.0.1:8002"],
//    "testCommand": ["nginx", "-t"], "reloadCommand": ["nginx", "-s", "reload"],
//    "commandTimeoutMs": 10000}
// stable/canary are server addresses exactly as the upstream block writes them. The commands
// are argv arrays run without a shell; they default to the ones shown (the system nginx).
struct NginxTargetSettings
{
    QString upstreamFile;
    QString upstream;
    QStringList stable;
    QStringList canary;
    QStringList testCommand{QStringLiteral("nginx"), QStringLiteral("-t")};
    QStringList reloadCommand{QStringLiteral("nginx"), QStringLiteral("-s"), QStringLiteral("reload")};
    int commandTimeoutMs = 10000;
    // "routes": {"file": ..., "variable": ..., "canaryUpstream": ...}: tester routes (see
    // NginxRouteFile); file empty when the target has none.
    NginxRouteSettings routes;

    // Errors name the offending key, e.g. `nginx.stable[1]: ...`.
    static bool fromJson(const QJsonObject &nginx, NginxTargetSettings *out, QString *error);
};

class NginxTrafficBackend final : public TrafficBackend
{
    Q_OBJECT
public:
    explicit NginxTrafficBackend(const NginxTargetSettings &settings, QObject *parent = nullptr);
    // The factory's entry point (common/layerparts.h): reads the target's "nginx" object.
    static bool create(const QJsonObject &settings, LayerParts *out, QString *error);

    void refresh() override;
    void apply(const Switchboard::WeightChange &change) override;
    // Rewrites the routes include, tests, reloads; the previous file comes back on failure.
    void editRoutes(const Switchboard::WeightChange &change) override;

private:
    // The upstream file as it is on disk now.
    struct Reading
    {
        QString error; // empty when the file was read and parsed
        QByteArray text;
        NginxUpstreamFile file;
        QList<Member> members;
        QMap<QString, int> weights;
        QStringList unlisted; // addresses in the upstream that are neither stable nor canary and take traffic
        bool hasZone = false;
        bool ok() const { return error.isEmpty(); }
    };
    Reading read() const;
    bool membersFrom(const NginxUpstreamFile &file, Reading *r) const;
    bool isWritable() const;
    // Replaces the file's contents in one rename (QSaveFile in the same folder; a symlink is
    // followed, its target replaced): readers see the old file or the new one, never a part.
    // Permissions stay; so does the owner when we run as root.
    bool write(const QByteArray &text, QString *error) const { return write(m_settings.upstreamFile, text, error); }
    bool write(const QString &path, const QByteArray &text, QString *error) const;
    // The routes include as it is on disk (missing: no routes, empty text).
    bool readRoutes(QByteArray *text, QString *error) const;
    // Test and reload after a write; on failure puts `restore` (path → previous text) back and
    // says so in *error.
    bool testAndReload(const QList<QPair<QString, QByteArray>> &restore, QString *error) const;
    // Runs argv (no shell) bounded by commandTimeoutMs; false with *error = the first line of
    // its output that says what went wrong.
    bool run(const QStringList &argv, QString *error) const;

    NginxTargetSettings m_settings;
};

} // namespace Switchboard
