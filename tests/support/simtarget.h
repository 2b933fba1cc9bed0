#pragma once
// A demo (simulator) target under a TargetController, the way the unit tests drive one: its
// world to inject faults into and read weights from, its event log, optionally an audit log.

#include "domain.h"
#include "eventlogmodel.h"

#include <memory>

class QSignalSpy;

namespace Switchboard {
class AuditLog;
class SimWorld;
class TargetController;
}

struct SimTarget
{
    // `audit` may be null; it must outlive this object.
    explicit SimTarget(int pollMs = 200, Switchboard::AuditLog *audit = nullptr);
    ~SimTarget();

    Switchboard::EventLogModel log;
    std::shared_ptr<Switchboard::SimWorld> world;
    std::unique_ptr<Switchboard::TargetController> controller;
};

// The next result on a spy of TargetController::actionFinished (one already caught counts),
// waiting up to 5 s; a default (Failed) result when none comes.
Switchboard::ChangeResult nextResult(QSignalSpy &spy);
