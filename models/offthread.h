#pragma once
// Runs a piece of disk work (a file read or an atomic write) on Qt's global thread pool and
// hands its result back on the thread of a context object, so the GUI thread never waits on
// the disk. Nothing comes back once the context is gone (the watcher is its child).

#include <QFuture>
#include <QFutureWatcher>
#include <QObject>
#include <QPromise>
#include <QThreadPool>

#include <memory>
#include <type_traits>
#include <utility>

namespace Switchboard {

// `work` runs on a pool thread and must touch nothing `context` owns (take copies); `done`
// gets its result on `context`'s thread, once, whether the work ended before or after this call.
template <typename Work, typename Done>
void runOffThread(QObject *context, Work work, Done done)
{
    using Result = std::invoke_result_t<Work &>;
    auto promise = std::make_shared<QPromise<Result>>();
    QFuture<Result> future = promise->future();
    promise->start();
    auto *watcher = new QFutureWatcher<Result>(context);
    QObject::connect(watcher, &QFutureWatcher<Result>::finished, context, [watcher, done = std::move(done)]() mutable {
        done(watcher->result());
        watcher->deleteLater();
    });
    watcher->setFuture(future);
    QThreadPool::globalInstance()->start([promise, work = std::move(work)]() mutable {
        promise->addResult(work());
        promise->finish();
    });
}

} // namespace Switchboard
