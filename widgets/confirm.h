#pragma once
// How views ask the operator to confirm a risky action without blocking anything: the question
// (title, "before → after" text) is shown inline and `decided` is called later with the answer.
// A question that is replaced or withdrawn (another target selected) is never answered, so
// `decided` must not be what cleans up. The panel's ConfirmBarWidget answers it.

#include <functional>

#include <QString>

namespace Switchboard {

using ConfirmFn = std::function<void(const QString &title, const QString &text, std::function<void(bool)> decided)>;

} // namespace Switchboard
