#pragma once
// Whether a string is a container image reference Kubernetes would pull
// ([registry[:port]/]path[:tag][@digest], as the distribution reference grammar has it), so a
// typo is refused before a Deployment is touched.

#include <QString>

namespace Switchboard {

class KubeImageReference final
{
public:
    // Empty when valid, else why not (one line).
    static QString problem(const QString &image);
};

} // namespace Switchboard
