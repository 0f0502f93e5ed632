#include "shortcutsheet.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace immortal {

ShortcutSheet::ShortcutSheet(const QList<QAction *> &actions, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("shortcutSheet"));
    setWindowTitle(tr("Keyboard shortcuts"));
    QList<QAction *> keyed;
    for (QAction *a : actions) {
        if (!a->shortcut().isEmpty() && !a->text().isEmpty())
            keyed.append(a);
    }
    std::stable_sort(keyed.begin(), keyed.end(), [](const QAction *a, const QAction *b) {
        return a->text()
                   .remove(QLatin1Char('&'))
                   .compare(b->text().remove(QLatin1Char('&')), Qt::CaseInsensitive)
            < 0;
    });
    auto *table = new QTableWidget(int(keyed.size()), 3, this);
    table->setObjectName(QStringLiteral("shortcutTable"));
    table->setHorizontalHeaderLabels({ tr("Action"), tr("Key"), tr("What it does") });
    table->verticalHeader()->setVisible(false);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setAlternatingRowColors(true);
    for (int r = 0; r < keyed.size(); ++r) {
        const QAction *a = keyed.at(r);
        table->setItem(r, 0, new QTableWidgetItem(a->text().remove(QLatin1Char('&'))));
        table->setItem(r, 1,
                       new QTableWidgetItem(a->shortcut().toString(QKeySequence::NativeText)));
        table->setItem(r, 2, new QTableWidgetItem(a->statusTip()));
    }
    table->resizeColumnsToContents();
    table->horizontalHeader()->setStretchLastSection(true);
    m_count = int(keyed.size());

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(table);
    layout->addWidget(buttons);
    resize(720, 480);
}

} // namespace immortal
