#pragma once
// Where the app's other windows (presets, settings, audit log, file and name prompts) open: on
// the same screen as the main window but clear of its action strip, so ROLLBACK stays in sight
// whichever of them is open, even at 1024x640 where a window manager would otherwise put a
// 900-pixel dialog right over it (promise 1).

#include <QMargins>
#include <QRect>
#include <QSize>

class QWidget;

namespace Switchboard {

class WindowPlacement final
{
public:
    // The frame rectangle (title bar included) for a window that wants `wanted` (its client
    // size) and must not overlap `keepClear`, inside `available`. The window keeps at least
    // `minimum`; when even that cannot fit clear of the strip, it goes where it overlaps least.
    static QRect frameClearOf(const QRect &available, const QRect &keepClear, QSize wanted, QSize minimum,
                              const QMargins &frame);

    // Opens `window` (a top-level parented in the main window) the way every other window of
    // the app opens: non-modal, deleted when closed, sized and moved clear of the widget named
    // "actionStrip" in its parent's window.
    static void showClearOfActionStrip(QWidget *window);
};

} // namespace Switchboard
