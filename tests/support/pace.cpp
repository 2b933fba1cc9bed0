#include "pace.h"

#include <QSignalSpy>
#include <QTimer>

void pace(int ms)
{
    QTimer t;
    t.setSingleShot(true);
    QSignalSpy fired(&t, &QTimer::timeout);
    t.start(ms);
    fired.wait(ms + 5000);
}
