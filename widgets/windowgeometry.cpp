#include "windowgeometry.h"

#include <QGuiApplication>
#include <QScreen>
#include <QSettings>
#include <QWidget>

#include <algorithm>

namespace Switchboard {

namespace {
const QString kGeometryKey = QStringLiteral("mainWindow/geometry");
const QString kMaximizedKey = QStringLiteral("mainWindow/maximized");
} // namespace

QRect WindowGeometry::fitted(const QRect &saved, const QRect &available)
{
    if (!saved.isValid() || !available.isValid())
        return {};
    QRect r(saved.topLeft(), saved.size().boundedTo(available.size()));
    r.moveLeft(std::clamp(r.left(), available.left(), available.right() - r.width() + 1));
    r.moveTop(std::clamp(r.top(), available.top(), available.bottom() - r.height() + 1));
    return r;
}

bool WindowGeometry::restore(QWidget *window, const QSettings &settings)
{
    const QRect saved = settings.value(kGeometryKey).toRect();
    if (!saved.isValid())
        return false;
    QScreen *screen = QGuiApplication::screenAt(saved.center());
    if (!screen)
        screen = QGuiApplication::primaryScreen();
    if (!screen)
        return false;
    // The saved rectangle is the client area; leave room for a typical title bar and border.
    const QRect available = screen->availableGeometry();
    const QRect r = fitted(saved, available.adjusted(0, 0, 0, -std::min(40, available.height() / 10)));
    window->setGeometry(r);
    if (settings.value(kMaximizedKey, false).toBool())
        window->setWindowState(window->windowState() | Qt::WindowMaximized);
    return true;
}

void WindowGeometry::fitToScreen(QWidget *window)
{
    const QScreen *screen = QGuiApplication::primaryScreen();
    if (!screen)
        return;
    const QRect available = screen->availableGeometry();
    const QRect room = available.adjusted(0, 0, 0, -std::min(40, available.height() / 10));
    QRect r(QPoint(), window->size().boundedTo(room.size()));
    r.moveCenter(room.center());
    window->setGeometry(fitted(r, room));
}

void WindowGeometry::save(const QWidget *window, QSettings *settings)
{
    // The normal geometry: a maximized window comes back maximized, and un-maximizes to where it was.
    settings->setValue(kGeometryKey, window->isMaximized() ? window->normalGeometry() : window->geometry());
    settings->setValue(kMaximizedKey, window->isMaximized());
}

} // namespace Switchboard
