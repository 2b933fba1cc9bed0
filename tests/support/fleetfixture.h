#pragma once
// A small fleet for the fleet view's tests (tst_fleetmodels, tst_fleetview): simulator targets
// with names, groups and the kinds they are shown as, under TargetControllers sharing one event
// log, with the TargetListModel and FleetTableModel over them.

#include "eventlogmodel.h"
#include "fleettablemodel.h"
#include "targetlistmodel.h"

#include <QList>
#include <QString>

#include <memory>
#include <vector>

namespace Switchboard {
class SimWorld;
class TargetController;
}

struct FleetFixture
{
    struct Spec
    {
        QString name;
        QString group;
        QString kind = QStringLiteral("sim"); // shown kind; the backend is always the simulator
        double initialCanary = 0;
    };
    // The default fleet: payments-api (payments, haproxy, 20%), payments-db (payments, nginx),
    // search (discovery, sim, 10%), catalog (discovery, haproxy), auth (no group, sim).
    static QList<Spec> defaultSpecs();

    explicit FleetFixture(const QList<Spec> &specs = defaultSpecs(), int pollMs = 150);
    ~FleetFixture();

    void startAll();
    Switchboard::TargetController *controller(const QString &name) const;
    std::shared_ptr<Switchboard::SimWorld> world(const QString &name) const;
    double canaryOf(const QString &name) const;

    qint64 nowMs = 0; // 0: the wall clock; else the fleet model's clock
    Switchboard::EventLogModel log;
    std::vector<std::shared_ptr<Switchboard::SimWorld>> worlds;
    std::vector<std::unique_ptr<Switchboard::TargetController>> controllers;
    Switchboard::TargetListModel targets;
    std::unique_ptr<Switchboard::FleetTableModel> fleet;
};
