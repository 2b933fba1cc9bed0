#pragma once
// The analysis gates a rollout on the lab is judged by, shared by tst_rollout_lab and
// bench_rollout so that the bench measures the gate the test checks.

#include "analysisgate.h"

class LabGates final
{
public:
    // The canary's error ratio above 5 %, counted once the canary served a handful of requests,
    // failing on two breaches in a row.
    static Switchboard::GateSpec errorGate();
};
