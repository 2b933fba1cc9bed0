#include "kubeimagereference.h"

#include <QRegularExpression>

namespace Switchboard {

QString KubeImageReference::problem(const QString &image)
{
    if (image.isEmpty())
        return QStringLiteral("the image is empty");
    if (image.size() > 4096)
        return QStringLiteral("the image reference is longer than 4096 characters");
    // distribution/reference's grammar: domain (optional), lower-case path components, an
    // optional tag of at most 128 characters and an optional digest.
    static const QRegularExpression re(QStringLiteral(
        "^(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\\[[0-9a-fA-F:]+\\])"
        "(?::[0-9]+)?/)?"
        "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
        "(?::[\\w][\\w.-]{0,127})?"
        "(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$"));
    if (!re.match(image).hasMatch())
        return QStringLiteral("\"%1\" is not a valid image reference ([registry/]name[:tag][@digest], name in lower case)").arg(image);
    return {};
}

} // namespace Switchboard
