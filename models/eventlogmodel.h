#pragma once
// The in-app event log shown under the main window: actions, their results, connection changes.

#include <QAbstractListModel>
#include <QList>
#include <QTimer>

namespace Switchboard {

class EventLogModel final : public QAbstractListModel
{
    Q_OBJECT
public:
    enum class Severity { Info, Action, Warning, Error };
    struct Event
    {
        qint64 timeMs = 0;
        QString target;
        Severity severity = Severity::Info;
        QString text;
    };
    enum Roles { TimeRole = Qt::UserRole + 1, TargetRole, SeverityRole, TextRole };

    explicit EventLogModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    void add(const QString &target, Severity severity, const QString &text, qint64 timeMs = 0);
    // A target connected for the first time. Such lines arriving within `windowMs` of the
    // first are summed up in one ("12 targets connected: a, b, …"): with hundreds of targets,
    // one line each would bury everything else. A lone one is logged as `text`.
    void addConnected(const QString &target, const QString &text);
    void setConnectedWindowMs(int windowMs) { m_connectedFlush.setInterval(windowMs); }
    // Logs what addConnected() holds now.
    void flushConnected();
    const QList<Event> &events() const { return m_events; }

Q_SIGNALS:
    void eventAdded(const Switchboard::EventLogModel::Event &event);

private:
    QList<Event> m_events; // newest last
    QList<Event> m_connected; // addConnected() lines not logged yet
    QTimer m_connectedFlush;
    int m_limit = 5000;
};

} // namespace Switchboard
