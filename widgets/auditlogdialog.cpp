#include "auditlogdialog.h"

#include "nonmodalprompt.h"

#include "atomicfile.h"
#include "auditlogmodel.h"
#include "offthread.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSet>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace Switchboard {

namespace {

// Target and action must match exactly, the text anywhere in the row.
class AuditFilterProxy final : public QSortFilterProxyModel
{
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;
    QString target;
    QString action;
    QString text;
    void refresh() { invalidateFilter(); }

protected:
    bool filterAcceptsRow(int row, const QModelIndex &parent) const override
    {
        auto cell = [this, row, &parent](int col) {
            return sourceModel()->index(row, col, parent).data().toString();
        };
        if (!target.isEmpty() && cell(AuditLogModel::Target) != target)
            return false;
        if (!action.isEmpty() && cell(AuditLogModel::Action) != action)
            return false;
        if (text.isEmpty())
            return true;
        for (int c = 0; c < AuditLogModel::ColumnCount; ++c)
            if (cell(c).contains(text, Qt::CaseInsensitive))
                return true;
        return false;
    }
};

} // namespace

AuditLogDialog::AuditLogDialog(const QString &path, QWidget *parent)
    : QDialog(parent)
    , m_model(new AuditLogModel(path, this))
    , m_proxy(new AuditFilterProxy(this))
    , m_view(new QTableView(this))
    , m_target(new QComboBox(this))
    , m_action(new QComboBox(this))
    , m_text(new QLineEdit(this))
    , m_status(new QLabel(this))
{
    setWindowTitle(tr("Audit log · %1").arg(path));
    m_proxy->setSourceModel(m_model);
    m_view->setModel(m_proxy);
    m_view->setObjectName(QStringLiteral("auditView"));
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_text->setPlaceholderText(tr("filter text"));
    auto *refresh = new QPushButton(tr("Reload"), this);
    auto *exportButton = new QPushButton(tr("Export…"), this);
    auto *filters = new QHBoxLayout;
    filters->addWidget(new QLabel(tr("target:"), this));
    filters->addWidget(m_target);
    filters->addWidget(new QLabel(tr("action:"), this));
    filters->addWidget(m_action);
    filters->addWidget(m_text, 1);
    filters->addWidget(refresh);
    filters->addWidget(exportButton);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(filters);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_status);
    resize(1100, 600);

    connect(m_target, &QComboBox::currentIndexChanged, this, &AuditLogDialog::applyFilters);
    connect(m_action, &QComboBox::currentIndexChanged, this, &AuditLogDialog::applyFilters);
    connect(m_text, &QLineEdit::textChanged, this, &AuditLogDialog::applyFilters);
    connect(refresh, &QPushButton::clicked, this, &AuditLogDialog::reload);
    connect(exportButton, &QPushButton::clicked, this, [this] {
        NonModalPrompt::saveFile(this, tr("Export audit entries"), QStringLiteral("audit.jsonl"), QString(), this,
                                 [this](const QString &file) { exportVisible(file); });
    });
    connect(this, &AuditLogDialog::exportFinished, this, [this](const QString &file, int entries, const QString &error) {
        m_status->setText(error.isEmpty() ? tr("exported %1 entries to %2").arg(entries).arg(file) : error);
    });
    // A file read again from the start (Reload, or cut shorter under the view) may hold other
    // targets and actions.
    connect(m_model, &QAbstractItemModel::modelReset, this, &AuditLogDialog::updateChoices);
    // Newest last: a view at the bottom stays there, one scrolled up to read stays put. Taken
    // as the rows arrive, not when the read was asked for.
    connect(m_model, &QAbstractItemModel::rowsAboutToBeInserted, this, [this] {
        m_stickToBottom = m_view->verticalScrollBar()->value() == m_view->verticalScrollBar()->maximum();
        m_wasEmpty = m_model->rowCount() == 0;
    });
    connect(m_model, &AuditLogModel::readFinished, this, &AuditLogDialog::onRead);
    m_status->setText(tr("reading %1…").arg(path)); // the model's first read is under way
    connect(&m_follow, &QTimer::timeout, this, &AuditLogDialog::follow);
    m_follow.start(1000);
}

void AuditLogDialog::reload()
{
    m_model->reload();
}

void AuditLogDialog::follow()
{
    if (!m_model->isReading())
        m_model->readAppended();
}

void AuditLogDialog::onRead(int added, bool restarted, const QString &error)
{
    if (!error.isEmpty()) {
        showCount(error);
        return;
    }
    if (restarted) {
        applyFilters();
        m_view->resizeColumnsToContents();
        m_view->scrollToBottom();
        Q_EMIT rowsRead();
        return;
    }
    if (added == 0)
        return;
    updateChoices();
    if (m_wasEmpty) // the columns were sized to their headers alone; later rows leave them be
        m_view->resizeColumnsToContents();
    applyFilters(); // a choice gone with a file read again falls back to "all"; the count
    if (m_stickToBottom)
        m_view->scrollToBottom();
    Q_EMIT rowsRead();
}

void AuditLogDialog::updateChoices()
{
    QSet<QString> targets;
    QSet<QString> actions;
    for (int r = 0; r < m_model->rowCount(); ++r) {
        targets.insert(m_model->index(r, AuditLogModel::Target).data().toString());
        actions.insert(m_model->index(r, AuditLogModel::Action).data().toString());
    }
    for (auto [combo, values] : {std::pair{m_target, targets}, std::pair{m_action, actions}}) {
        QStringList sorted(values.cbegin(), values.cend());
        sorted.sort();
        QStringList shown;
        for (int i = 1; i < combo->count(); ++i)
            shown.append(combo->itemData(i).toString());
        if (shown == sorted && combo->count() > 0)
            continue; // the same choices: a list the operator may have open stays as it is
        const QString keep = combo->currentData().toString();
        const QSignalBlocker block(combo);
        combo->clear();
        combo->addItem(tr("all"), QString());
        for (const QString &v : std::as_const(sorted))
            combo->addItem(v, v);
        combo->setCurrentIndex(std::max(0, combo->findData(keep)));
    }
}

void AuditLogDialog::showCount(const QString &error)
{
    if (!error.isEmpty())
        m_status->setText(error);
    else if (m_model->brokenLines() > 0)
        m_status->setText(tr("%1 of %2 entries; %3 unreadable lines are shown as such")
                              .arg(m_proxy->rowCount()).arg(m_model->rowCount()).arg(m_model->brokenLines()));
    else
        m_status->setText(tr("%1 of %2 entries").arg(m_proxy->rowCount()).arg(m_model->rowCount()));
}

void AuditLogDialog::setTargetFilter(const QString &target)
{
    m_target->setCurrentIndex(std::max(0, m_target->findData(target)));
}

void AuditLogDialog::setActionFilter(const QString &action)
{
    m_action->setCurrentIndex(std::max(0, m_action->findData(action)));
}

void AuditLogDialog::setTextFilter(const QString &text)
{
    m_text->setText(text);
}

int AuditLogDialog::visibleRows() const
{
    return m_proxy->rowCount();
}

void AuditLogDialog::applyFilters()
{
    auto *proxy = static_cast<AuditFilterProxy *>(m_proxy);
    proxy->target = m_target->currentData().toString();
    proxy->action = m_action->currentData().toString();
    proxy->text = m_text->text();
    proxy->refresh();
    showCount();
}

void AuditLogDialog::exportVisible(const QString &path)
{
    // The lines are taken here (the rows live on this thread); the file is written off it.
    QList<QByteArray> lines;
    lines.reserve(m_proxy->rowCount());
    for (int r = 0; r < m_proxy->rowCount(); ++r)
        lines.append(m_model->line(m_proxy->mapToSource(m_proxy->index(r, 0)).row()));
    const int entries = int(lines.size());
    runOffThread(
        this, [path, lines = std::move(lines)] { return writeLines(path, lines); },
        [this, path, entries](const QString &error) { Q_EMIT exportFinished(path, entries, error); });
}

QString AuditLogDialog::writeLines(const QString &path, const QList<QByteArray> &lines)
{
    QByteArray text;
    for (const QByteArray &line : lines)
        text += line + '\n';
    QString reason;
    return writeFileAtomically(path, text, &reason) ? QString() : QStringLiteral("%1: %2").arg(path, reason);
}

} // namespace Switchboard
