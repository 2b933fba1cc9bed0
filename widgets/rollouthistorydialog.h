#pragma once
// A target's rollouts (View → Rollout history…): every rollout the audit log holds for it, the
// CLI's and other operators' included, newest first, with how each ended; any of them exported
// as the change record's evidence (PDF, HTML or Markdown). Non-modal; the log is read and the
// report written off the GUI thread.

#include "reportexport.h"

#include <QDialog>
#include <QPointer>

class QLabel;
class QPushButton;
class QTableView;

namespace Switchboard {

class ReportExporter;
class RolloutListModel;
class TargetController;

class RolloutHistoryDialog final : public QDialog
{
    Q_OBJECT
public:
    RolloutHistoryDialog(TargetController *target, const QString &auditPath, QWidget *parent = nullptr);

    RolloutListModel *model() const { return m_model; }
    // The id of the selected rollout; empty when none is.
    QString selectedId() const;
    void selectRow(int row);
    // Writes the selected rollout's report to `path` (its extension picks the format); false
    // when no rollout is selected. reportFinished() answers.
    bool exportSelected(const QString &path);

public Q_SLOTS:
    void reload();

Q_SIGNALS:
    void reportFinished(const Switchboard::ReportExport::Result &result);

private:
    void askExport();
    void onLoaded(const QString &error);
    void updateButtons();

    QPointer<TargetController> m_target;
    QString m_auditPath;
    RolloutListModel *m_model;
    ReportExporter *m_exporter;
    QTableView *m_view;
    QLabel *m_status;
    QPushButton *m_export;
};

} // namespace Switchboard
