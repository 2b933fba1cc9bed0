#pragma once
// Remembers the main window's place and size between runs (QSettings), and never restores it
// larger than the screen it comes back on: a monitor unplugged since, a smaller laptop screen.

#include <QRect>

class QSettings;
class QWidget;

namespace Switchboard {

class WindowGeometry final
{
public:
    // `saved` moved and shrunk to lie inside `available` (an invalid `saved` gives an invalid rect).
    static QRect fitted(const QRect &saved, const QRect &available);
    // Puts `window` where it was (on the screen under its old centre, else the primary one);
    // false when nothing was saved.
    static bool restore(QWidget *window, const QSettings &settings);
    // First run (nothing saved): the window's size, shrunk to fit the primary screen with room
    // for a title bar, centred there. A default larger than a small screen would put the
    // right-hand end of the action strip, ROLLBACK included, off the screen.
    static void fitToScreen(QWidget *window);
    static void save(const QWidget *window, QSettings *settings);
};

} // namespace Switchboard
