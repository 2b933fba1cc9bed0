#include "windowplacement.h"

#include <QGuiApplication>
#include <QScreen>
#include <QWidget>

#include <algorithm>
#include <array>

namespace Switchboard {

namespace {

// A frame the window manager has not told us about yet (the window was never mapped): assume a
// generous title bar, since being a few pixels too low costs nothing and overlapping costs the
// Rollback button.
const QMargins kAssumedFrame(8, 40, 8, 8);
constexpr int kGap = 4;

} // namespace

QRect WindowPlacement::frameClearOf(const QRect &available, const QRect &keepClear, QSize wanted, QSize minimum,
                                    const QMargins &frame)
{
    const QRect strip = keepClear.adjusted(-kGap, -kGap, kGap, kGap);
    // The four bands of the screen around the strip.
    const std::array<QRect, 4> bands = {
        QRect(QPoint(available.left(), strip.bottom() + 1), available.bottomRight()),           // below
        QRect(available.topLeft(), QPoint(available.right(), strip.top() - 1)),                 // above
        QRect(QPoint(strip.right() + 1, available.top()), available.bottomRight()),             // right
        QRect(available.topLeft(), QPoint(strip.left() - 1, available.bottom())),               // left
    };
    const QSize wantedFrame = wanted.grownBy(frame);
    const QSize minimumFrame = minimum.grownBy(frame);
    QRect best;
    qint64 bestArea = -1;
    for (std::size_t i = 0; i < bands.size(); ++i) {
        const QRect b = bands[i].intersected(available);
        if (b.isEmpty() || b.width() < minimumFrame.width() || b.height() < minimumFrame.height())
            continue;
        const QSize size = wantedFrame.boundedTo(b.size());
        const qint64 area = qint64(size.width()) * size.height();
        if (area <= bestArea)
            continue;
        bestArea = area;
        // Centred on the strip across, next to it (or level with it, beside it) along.
        QRect r(QPoint(0, 0), size);
        r.moveCenter(strip.center());
        if (i == 0)
            r.moveTop(b.top());
        else if (i == 1)
            r.moveBottom(b.bottom());
        else
            r.moveTop(std::max(b.top(), strip.top()));
        r.moveLeft(std::clamp(r.left(), b.left(), std::max(b.left(), b.right() - size.width() + 1)));
        r.moveTop(std::clamp(r.top(), b.top(), std::max(b.top(), b.bottom() - size.height() + 1)));
        best = r;
    }
    if (bestArea >= 0)
        return best;
    // Nowhere clear: as small as allowed, at the bottom of the screen, covering as little as it can.
    QRect r(QPoint(0, 0), minimumFrame.boundedTo(available.size()));
    r.moveBottomLeft(QPoint(std::clamp(strip.center().x() - r.width() / 2, available.left(), available.right() - r.width() + 1),
                            available.bottom()));
    return r;
}

void WindowPlacement::showClearOfActionStrip(QWidget *window)
{
    // Nothing the app opens may stand between the operator and Rollback (promise 1).
    window->setAttribute(Qt::WA_DeleteOnClose);
    window->setWindowModality(Qt::NonModal);
    QWidget *parent = window->parentWidget();
    QWidget *main = parent ? parent->window() : nullptr;
    const QWidget *strip = main ? main->findChild<QWidget *>(QStringLiteral("actionStrip")) : nullptr;
    QScreen *screen = main && main->screen() ? main->screen() : QGuiApplication::primaryScreen();
    const QRect available = screen ? screen->availableGeometry() : QRect();
    if (!strip || !strip->isVisible() || available.isEmpty()) {
        window->show();
        return;
    }
    const QRect keepClear(strip->mapToGlobal(QPoint(0, 0)), strip->size());
    QMargins frame = kAssumedFrame;
    if (main->frameGeometry() != main->geometry()) { // the window manager's frame, as it drew the main window
        const QRect f = main->frameGeometry(), g = main->geometry();
        frame = QMargins(g.left() - f.left(), g.top() - f.top(), f.right() - g.right(), f.bottom() - g.bottom());
        // A maximised main window may have lost its title bar while the new window gets one:
        // count half the assumed one, so the new window's bottom does not fall off the screen.
        frame.setTop(std::max(frame.top(), kAssumedFrame.top() / 2));
    }
    window->ensurePolished();
    const QSize wanted = window->size().expandedTo(window->sizeHint());
    const QSize minimum = window->minimumSizeHint().expandedTo(window->minimumSize());
    const QRect outer = frameClearOf(available, keepClear, wanted, minimum, frame);
    window->resize(outer.size().shrunkBy(frame).expandedTo(minimum));
    window->move(outer.topLeft()); // QWidget::move on a top-level places its frame
    window->show();
}

} // namespace Switchboard
