#include "confirmbarwidget.h"

#include "palette.h"

#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QPointer>
#include <QPushButton>
#include <QVBoxLayout>

#include <utility>

namespace Switchboard {

ConfirmBarWidget::ConfirmBarWidget(QWidget *parent)
    : QWidget(parent)
    , m_title(new QLabel(this))
    , m_text(new QLabel(this))
    , m_confirm(new QPushButton(tr("Confirm (Enter)"), this))
    , m_cancel(new QPushButton(tr("Cancel (Esc)"), this))
{
    setFocusPolicy(Qt::StrongFocus);
    setAutoFillBackground(true);
    setStyleSheet(QStringLiteral("Switchboard--ConfirmBarWidget { border: 2px solid %1; border-radius: 4px; }")
                      .arg(Palette::warning().name()));
    setAttribute(Qt::WA_StyledBackground);
    m_title->setObjectName(QStringLiteral("confirmTitle"));
    m_text->setObjectName(QStringLiteral("confirmText"));
    m_confirm->setObjectName(QStringLiteral("confirmButton"));
    m_cancel->setObjectName(QStringLiteral("cancelButton"));
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    // Long texts wrap here instead of widening the window.
    for (QLabel *l : {m_title, m_text}) {
        l->setWordWrap(true);
        l->setTextFormat(Qt::PlainText);
        l->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    }
    auto *texts = new QVBoxLayout;
    texts->addWidget(m_title);
    texts->addWidget(m_text);
    auto *row = new QHBoxLayout(this);
    row->setContentsMargins(8, 6, 8, 6);
    row->addLayout(texts, 1);
    row->addWidget(m_confirm);
    row->addWidget(m_cancel);
    connect(m_confirm, &QPushButton::clicked, this, &ConfirmBarWidget::confirm);
    connect(m_cancel, &QPushButton::clicked, this, &ConfirmBarWidget::cancel);
    hide();
}

void ConfirmBarWidget::ask(const QString &title, const QString &text, std::function<void(bool)> decided)
{
    m_decided = std::move(decided);
    m_title->setText(title);
    m_text->setText(text);
    show();
    setFocus(Qt::OtherFocusReason); // Enter and Esc answer it at once
    Q_EMIT asked(title, text);
}

ConfirmFn ConfirmBarWidget::confirmFn()
{
    QPointer<ConfirmBarWidget> bar(this);
    return [bar](const QString &title, const QString &text, std::function<void(bool)> decided) {
        if (bar)
            bar->ask(title, text, std::move(decided));
    };
}

QString ConfirmBarWidget::question() const
{
    return isAsking() ? m_title->text() + QLatin1Char('\n') + m_text->text() : QString();
}

void ConfirmBarWidget::confirm()
{
    answer(true);
}

void ConfirmBarWidget::cancel()
{
    answer(false);
}

void ConfirmBarWidget::withdraw()
{
    m_decided = nullptr;
    hide();
}

void ConfirmBarWidget::answer(bool yes)
{
    // Taken out first: the answer may ask the next question.
    std::function<void(bool)> decided = std::exchange(m_decided, nullptr);
    hide();
    if (decided)
        decided(yes);
}

void ConfirmBarWidget::keyPressEvent(QKeyEvent *event)
{
    switch (event->key()) {
    case Qt::Key_Return:
    case Qt::Key_Enter:
        confirm();
        return;
    case Qt::Key_Escape:
        cancel();
        return;
    default:
        QWidget::keyPressEvent(event);
    }
}

} // namespace Switchboard
