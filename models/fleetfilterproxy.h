#pragma once
// The fleet table as the operator asked for it: search as you type (name, group, kind, state),
// a state and a kind filter, sorting by any column, and, by default, the targets that need
// someone (failing, paused, disconnected, stale) first whichever column sorts the rest.

#include <QSortFilterProxyModel>

namespace Switchboard {

class FleetFilterProxy final : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    // A state filter that keeps only the targets needing someone.
    static QString attentionFilter() { return QStringLiteral("@attention"); }

    explicit FleetFilterProxy(QObject *parent = nullptr);

    QString searchText() const { return m_search; }
    QString stateFilter() const { return m_state; }
    QString kindFilter() const { return m_kind; }
    bool attentionFirst() const { return m_attentionFirst; }

public Q_SLOTS:
    // Case-insensitive; every word must match somewhere. Empty shows everything.
    void setSearchText(const QString &text);
    // A state as TargetListModel::stateOf, attentionFilter(), or empty for all.
    void setStateFilter(const QString &state);
    void setKindFilter(const QString &kind);
    void setAttentionFirst(bool on);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    QString m_search;
    QStringList m_words;
    QString m_state;
    QString m_kind;
    bool m_attentionFirst = true;
};

} // namespace Switchboard
