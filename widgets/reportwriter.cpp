#include "reportwriter.h"

#include "reportchartpainter.h"
#include "rolloutreporttext.h"

#include <QBuffer>
#include <QDir>
#include <QFileInfo>
#include <QPageSize>
#include <QPdfWriter>
#include <QSaveFile>
#include <QTextDocument>
#include <QUrl>

namespace Switchboard {

namespace {

bool reportCommit(QSaveFile &f, QString *error)
{
    if (f.commit())
        return true;
    if (error)
        *error = QStringLiteral("cannot write %1: %2").arg(f.fileName(), f.errorString());
    return false;
}

bool reportOpen(QSaveFile &f, QString *error)
{
    if (f.open(QIODevice::WriteOnly))
        return true;
    if (error)
        *error = QStringLiteral("cannot write %1: %2").arg(f.fileName(), f.errorString());
    return false;
}

QByteArray reportPng(const QImage &image)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

} // namespace

ReportWriter::Format ReportWriter::formatOf(const QString &path)
{
    const QString ext = QFileInfo(path).suffix().toLower();
    if (ext == QStringLiteral("pdf"))
        return Format::Pdf;
    if (ext == QStringLiteral("html") || ext == QStringLiteral("htm"))
        return Format::Html;
    if (ext == QStringLiteral("md") || ext == QStringLiteral("markdown"))
        return Format::Markdown;
    return Format::Unknown;
}

bool ReportWriter::write(const RolloutReportData &data, const QString &path, QString *error, QStringList *written)
{
    const Format format = formatOf(path);
    if (format == Format::Unknown) {
        if (error)
            *error = QStringLiteral("%1: the report is written as .pdf, .html or .md").arg(path);
        return false;
    }
    QList<QPair<QImage, QString>> images;
    for (ReportChartPainter::Chart c : ReportChartPainter::all()) {
        const QImage image = ReportChartPainter::render(data, c);
        if (!image.isNull())
            images.append(QPair<QImage, QString>{image, ReportChartPainter::caption(c)});
    }
    RolloutReportData shown = data;
    if (images.isEmpty() && shown.chartNote.isEmpty())
        shown.chartNote = QStringLiteral("No metrics were recorded in the rollout's window.");

    QList<RolloutReportText::Chart> charts;
    QSaveFile out(path);
    switch (format) {
    case Format::Markdown: {
        const QFileInfo info(path);
        for (int i = 0; i < images.size(); ++i) {
            const QString name = QStringLiteral("%1-chart-%2.png").arg(info.completeBaseName()).arg(i + 1);
            QSaveFile png(info.dir().filePath(name));
            if (!reportOpen(png, error))
                return false;
            png.write(reportPng(images.at(i).first));
            if (!reportCommit(png, error))
                return false;
            if (written)
                written->append(png.fileName());
            charts.append(RolloutReportText::Chart{name, images.at(i).second});
        }
        if (!reportOpen(out, error))
            return false;
        out.write(RolloutReportText::markdown(shown, charts).toUtf8());
        break;
    }
    case Format::Html:
        for (const auto &[image, caption] : std::as_const(images))
            charts.append(RolloutReportText::Chart{QStringLiteral("data:image/png;base64,") + QString::fromLatin1(reportPng(image).toBase64()), caption});
        if (!reportOpen(out, error))
            return false;
        out.write(RolloutReportText::html(shown, charts).toUtf8());
        break;
    case Format::Pdf: {
        QTextDocument doc;
        for (int i = 0; i < images.size(); ++i) {
            const QString name = QStringLiteral("chart-%1.png").arg(i + 1);
            doc.addResource(QTextDocument::ImageResource, QUrl(name), images.at(i).first);
            charts.append(RolloutReportText::Chart{name, images.at(i).second});
        }
        QFont font = doc.defaultFont();
        font.setPointSize(8);
        doc.setDefaultFont(font);
        doc.setHtml(RolloutReportText::html(shown, charts));
        if (!reportOpen(out, error))
            return false;
        QPdfWriter pdf(&out);
        pdf.setPageSize(QPageSize(QPageSize::A4));
        pdf.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout::Millimeter);
        pdf.setTitle(RolloutReportText::title(shown));
        pdf.setCreator(QStringLiteral("Switchboard"));
        doc.print(&pdf);
        break;
    }
    case Format::Unknown:
        break;
    }
    if (!reportCommit(out, error))
        return false;
    if (written)
        written->append(path);
    return true;
}

} // namespace Switchboard
