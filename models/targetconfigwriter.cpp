#include "targetconfigwriter.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include <nlohmann/json.hpp>

namespace Switchboard {

bool updateTargetSetting(const QString &path, const QString &target, const QString &section, const QString &key,
                         const QJsonValue &value, QString *error)
{
    QFile in(path);
    if (!in.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("%1: %2").arg(path, in.errorString());
        return false;
    }
    // ordered_json keeps the user's key order; QJsonObject would sort it.
    auto doc = nlohmann::ordered_json::parse(in.readAll().toStdString(), nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("targets") || !doc["targets"].is_array()) {
        *error = QStringLiteral("%1: not a valid targets.json; fix it first, it was left unchanged").arg(path);
        return false;
    }
    for (auto &t : doc["targets"]) {
        if (!t.is_object() || !t.contains("name") || t["name"] != target.toStdString())
            continue;
        auto &sec = t[section.toStdString()];
        if (!sec.is_object())
            sec = nlohmann::ordered_json::object();
        // Through a one-element array: QJsonDocument holds no bare values.
        const auto wrapped = nlohmann::ordered_json::parse(QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact).toStdString());
        sec[key.toStdString()] = wrapped.at(0);
        QSaveFile out(path);
        const std::string text = doc.dump(2) + "\n";
        if (!out.open(QIODevice::WriteOnly) || out.write(text.data(), qint64(text.size())) != qint64(text.size())
            || !out.commit()) {
            *error = QStringLiteral("%1: %2").arg(path, out.errorString());
            return false;
        }
        return true;
    }
    *error = QStringLiteral("%1: no target named \"%2\"").arg(path, target);
    return false;
}

} // namespace Switchboard
