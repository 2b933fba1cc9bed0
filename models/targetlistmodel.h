#pragma once
// The list of targets on the left of the main window: name, kind, state and current split.

#include <QAbstractListModel>
#include <QList>

namespace Switchboard {

class TargetController;

class TargetListModel final : public QAbstractListModel
{
    Q_OBJECT
public:
    enum Roles {
        NameRole = Qt::UserRole + 1,
        KindRole,
        StateRole,        // QString: connecting, healthy, progressing, paused, degraded, disconnected, no data
        CanaryPercentRole, // double, NaN when unknown
        ControllerRole,    // TargetController*
        VerdictRole,       // QString: healthy, watch, failing, no data; empty without canary traffic
    };

    explicit TargetListModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Does not take ownership.
    void setControllers(const QList<TargetController *> &controllers);
    TargetController *controllerAt(int row) const;
    static QString stateOf(const TargetController *c);

private:
    void onControllerChanged();

    QList<TargetController *> m_controllers;
};

} // namespace Switchboard
