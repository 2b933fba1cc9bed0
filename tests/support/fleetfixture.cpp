#include "fleetfixture.h"

#include "backendfactory.h"
#include "simworld.h"
#include "targetconfig.h"
#include "targetcontroller.h"

#include <QDateTime>
#include <QJsonObject>

using namespace Switchboard;

QList<FleetFixture::Spec> FleetFixture::defaultSpecs()
{
    return {{QStringLiteral("payments-api"), QStringLiteral("payments"), QStringLiteral("haproxy"), 20},
            {QStringLiteral("payments-db"), QStringLiteral("payments"), QStringLiteral("nginx"), 0},
            {QStringLiteral("search"), QStringLiteral("discovery"), QStringLiteral("sim"), 10},
            {QStringLiteral("catalog"), QStringLiteral("discovery"), QStringLiteral("haproxy"), 0},
            {QStringLiteral("auth"), QString(), QStringLiteral("sim"), 0}};
}

FleetFixture::FleetFixture(const QList<Spec> &specs, int pollMs)
{
    QList<TargetController *> list;
    for (const Spec &s : specs) {
        TargetConfig t;
        t.name = s.name;
        t.kind = QStringLiteral("sim");
        t.pollMs = pollMs;
        t.settings = QJsonObject{{QStringLiteral("name"), s.name},
                                 {QStringLiteral("kind"), QStringLiteral("sim")},
                                 {QStringLiteral("sim"), QJsonObject{{QStringLiteral("seed"), 7},
                                                                     {QStringLiteral("initialCanaryPercent"), s.initialCanary}}}};
        if (!s.group.isEmpty())
            t.settings.insert(QStringLiteral("group"), s.group);
        QString error;
        std::shared_ptr<SimWorld> world;
        auto host = createBackends(t, &error, &world);
        if (!host)
            qFatal("simulator backends: %s", qPrintable(error));
        t.kind = s.kind; // what the fleet shows and filters on
        controllers.push_back(std::make_unique<TargetController>(t, std::move(host), &log, nullptr));
        worlds.push_back(world);
        list << controllers.back().get();
    }
    targets.setControllers(list);
    fleet = std::make_unique<FleetTableModel>(&targets, [this] { return nowMs ? nowMs : QDateTime::currentMSecsSinceEpoch(); });
}

FleetFixture::~FleetFixture()
{
    fleet.reset();
    targets.setControllers({});
}

void FleetFixture::startAll()
{
    for (auto &c : controllers)
        c->start();
}

TargetController *FleetFixture::controller(const QString &name) const
{
    for (const auto &c : controllers)
        if (c->name() == name)
            return c.get();
    return nullptr;
}

std::shared_ptr<SimWorld> FleetFixture::world(const QString &name) const
{
    for (size_t i = 0; i < controllers.size(); ++i)
        if (controllers.at(i)->name() == name)
            return worlds.at(i);
    return {};
}

double FleetFixture::canaryOf(const QString &name) const
{
    return TrafficSplit::fromMembers(world(name)->members()).canary;
}
