#include "rollouthistorydialog.h"

#include "displaynames.h"
#include "nonmodalprompt.h"
#include "reportexporter.h"
#include "rolloutlistmodel.h"
#include "targetcontroller.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPushButton>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QVBoxLayout>

namespace Switchboard {

namespace {

// The outcome column in the reader's language; the model keeps the log's words.
class OutcomeDelegate final : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    QString displayText(const QVariant &value, const QLocale &) const override { return DisplayNames::rolloutOutcome(value.toString()); }
};

} // namespace

RolloutHistoryDialog::RolloutHistoryDialog(TargetController *target, const QString &auditPath, QWidget *parent)
    : QDialog(parent)
    , m_target(target)
    , m_auditPath(auditPath)
    , m_model(new RolloutListModel(this))
    , m_exporter(new ReportExporter(this))
    , m_view(new QTableView(this))
    , m_status(new QLabel(this))
    , m_export(new QPushButton(tr("Export report…"), this))
{
    setWindowTitle(tr("Rollouts of %1").arg(target ? target->name() : QString()));
    m_view->setObjectName(QStringLiteral("rolloutHistoryView"));
    m_view->setModel(m_model);
    m_view->setItemDelegateForColumn(RolloutListModel::Outcome, new OutcomeDelegate(m_view));
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->verticalHeader()->hide();
    m_export->setObjectName(QStringLiteral("exportRolloutReportButton"));
    m_export->setToolTip(tr("The selected rollout as evidence for the change record: PDF, HTML or Markdown"));
    auto *reloadButton = new QPushButton(tr("Reload"), this);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_status, 1);
    buttons->addWidget(reloadButton);
    buttons->addWidget(m_export);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_view, 1);
    layout->addLayout(buttons);
    resize(900, 420);

    connect(reloadButton, &QPushButton::clicked, this, &RolloutHistoryDialog::reload);
    connect(m_export, &QPushButton::clicked, this, &RolloutHistoryDialog::askExport);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &RolloutHistoryDialog::updateButtons);
    connect(m_model, &RolloutListModel::loaded, this, &RolloutHistoryDialog::onLoaded);
    connect(m_exporter, &ReportExporter::finished, this, [this](const ReportExport::Result &r) {
        m_status->setText(r.ok ? tr("Report of rollout %1 (%2) written to %3").arg(r.rolloutId, r.outcome, r.files.constLast())
                               : tr("Report not written: %1").arg(r.error));
        Q_EMIT reportFinished(r);
    });
    reload();
}

void RolloutHistoryDialog::reload()
{
    if (!m_target)
        return;
    m_status->setText(tr("reading %1…").arg(m_auditPath));
    m_model->load(m_auditPath, m_target->name());
}

void RolloutHistoryDialog::onLoaded(const QString &error)
{
    if (!error.isEmpty()) {
        m_status->setText(error);
        return;
    }
    m_view->resizeColumnsToContents();
    if (m_model->rowCount() > 0 && selectedId().isEmpty())
        selectRow(0); // the newest: what is usually wanted for the change record
    m_status->setText(m_model->rowCount() > 0 ? tr("%n rollout(s)", nullptr, m_model->rowCount())
                                              : tr("no rollout of this target in the audit log"));
    updateButtons();
}

QString RolloutHistoryDialog::selectedId() const
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : rows.constFirst().data(RolloutListModel::IdRole).toString();
}

void RolloutHistoryDialog::selectRow(int row)
{
    m_view->selectRow(row);
}

void RolloutHistoryDialog::updateButtons()
{
    m_export->setEnabled(m_target && !selectedId().isEmpty());
}

void RolloutHistoryDialog::askExport()
{
    const QString id = selectedId();
    if (!m_target || id.isEmpty())
        return;
    NonModalPrompt::saveFile(this, tr("Export rollout report"), m_target->name() + QLatin1Char('-') + id + QStringLiteral(".pdf"),
                             tr("PDF (*.pdf);;HTML (*.html);;Markdown (*.md)"), this,
                             [this](const QString &path) { exportSelected(path); });
}

bool RolloutHistoryDialog::exportSelected(const QString &path)
{
    const QString id = selectedId();
    if (!m_target || id.isEmpty())
        return false;
    m_status->setText(tr("Writing the report of rollout %1…").arg(id));
    m_exporter->exportRollout(m_target, m_auditPath, id, path);
    return true;
}

} // namespace Switchboard
