#pragma once
// One object per key on the calling thread, made on first use and kept while someone holds it:
// for objects used by one thread at a time that the backends on a shared worker thread share
// (HAProxy sessions, HAProxy counter readings). Entries no one holds any more are dropped on
// the way. Each T has its own registry.

#include <QString>

#include <map>
#include <memory>

namespace Switchboard {

template <typename T, typename Make>
std::shared_ptr<T> threadShared(const QString &key, Make make)
{
    thread_local std::map<QString, std::weak_ptr<T>> objects;
    for (auto it = objects.begin(); it != objects.end();)
        it = it->second.expired() ? objects.erase(it) : std::next(it);
    std::weak_ptr<T> &slot = objects[key];
    std::shared_ptr<T> object = slot.lock();
    if (!object) {
        object = make();
        slot = object;
    }
    return object;
}

} // namespace Switchboard
