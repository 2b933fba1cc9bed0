#pragma once
// The fleet table (UI.md: with many targets, search as you type, sort, filter, group, the ones
// that need someone first): one line per target with its state, health, split, rollout step,
// data age and last action. Keyboard: Ctrl+F finds, arrows move, Enter opens the target in the
// main panel, Ctrl+Alt+R rolls the selected one back after an inline confirmation (Enter / Esc).

#include <QPointer>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QModelIndex;
class QTreeView;

namespace Switchboard {

class ConfirmBarWidget;
class FleetFilterProxy;
class FleetGroupModel;
class FleetTableModel;
class TargetController;

class FleetViewWidget final : public QWidget
{
    Q_OBJECT
public:
    // `model` must outlive the widget.
    explicit FleetViewWidget(FleetTableModel *model, QWidget *parent = nullptr);

    FleetFilterProxy *proxy() const { return m_proxy; }
    FleetGroupModel *groups() const { return m_groups; }
    QTreeView *view() const { return m_view; }
    ConfirmBarWidget *confirmBar() const { return m_confirm; }
    // The target of the current row, null on a group row or with none.
    TargetController *currentTarget() const;
    // Names in the order shown (group rows left out).
    QStringList shownNames() const;

public Q_SLOTS:
    // Makes the named target the current row (clearing a filter that hides it), without opening it.
    void selectTarget(const QString &name);
    void focusSearch();
    // Asks, inline, to roll the current row's target back; Enter confirms.
    void rollbackCurrent();

Q_SIGNALS:
    // The operator opened a target (Enter, a click): the main panel shows it.
    void openRequested(Switchboard::TargetController *target);
    // Transient messages for the status bar.
    void message(const QString &text, int timeoutMs);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void onActivated(const QModelIndex &index);
    void onCurrentChanged(const QModelIndex &current);
    void onReset();
    void refillFilters();
    void updateCount();

    FleetTableModel *m_model;
    FleetFilterProxy *m_proxy;
    FleetGroupModel *m_groups;
    QLineEdit *m_search;
    QComboBox *m_state;
    QComboBox *m_kind;
    QCheckBox *m_grouped;
    QCheckBox *m_attentionFirst;
    QLabel *m_count;
    QTreeView *m_view;
    ConfirmBarWidget *m_confirm;
    QString m_currentName; // kept across the tree's resets (a filter typed, grouping toggled)
};

} // namespace Switchboard
