#pragma once
// The colours every view agrees on (UI.md): one colour per version everywhere, red only for
// errors and Rollback.

#include <QColor>

namespace Switchboard::Palette {

inline QColor stable() { return QColor(0x2f, 0x6f, 0xde); }   // blue
inline QColor canary() { return QColor(0xe8, 0x9a, 0x0c); }   // amber
inline QColor danger() { return QColor(0xc6, 0x28, 0x28); }   // red
inline QColor ok() { return QColor(0x2e, 0x9d, 0x4f); }       // green
inline QColor muted() { return QColor(0x8a, 0x8a, 0x8a); }    // grey: unknown, stale
inline QColor warning() { return QColor(0xd9, 0x7a, 0x00); }
inline QColor neutral() { return QColor(0x54, 0x6e, 0x7a); }  // slate: events that are neither good nor bad

} // namespace Switchboard::Palette
