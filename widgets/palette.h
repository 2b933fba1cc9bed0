#pragma once
// The colours every view agrees on (UI.md): one colour per version everywhere, red only for
// errors and Rollback.

#include <QColor>
#include <QPalette>

namespace Switchboard::Palette {

inline QColor stable() { return QColor(0x2f, 0x6f, 0xde); }   // blue
inline QColor canary() { return QColor(0xe8, 0x9a, 0x0c); }   // amber
inline QColor danger() { return QColor(0xc6, 0x28, 0x28); }   // red
inline QColor ok() { return QColor(0x2e, 0x9d, 0x4f); }       // green
inline QColor muted() { return QColor(0x8a, 0x8a, 0x8a); }    // grey: unknown, stale
inline QColor warning() { return QColor(0xd9, 0x7a, 0x00); }
inline QColor neutral() { return QColor(0x54, 0x6e, 0x7a); }  // slate: events that are neither good nor bad

// A dark system palette (dark window behind light text): text colours of our own are lightened
// for it, and the charts take its colours instead of QtCharts' light theme.
inline bool isDark(const QPalette &p) { return p.color(QPalette::Window).lightness() < p.color(QPalette::WindowText).lightness(); }
// `c` as text on `p`'s window: the same hue, lighter on a dark one so that it stays readable.
inline QColor onWindow(const QColor &c, const QPalette &p) { return isDark(p) ? c.lighter(150) : c; }

} // namespace Switchboard::Palette
