#include "chaosdialog.h"

#include "chaosmonkey.h"

#include <immortal/error.h>

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpression>
#include <QSpinBox>
#include <QVBoxLayout>

#include <limits>

namespace immortal {

ChaosDialog::ChaosDialog(ChaosMonkey *chaos, QWidget *parent)
    : QDialog(parent)
    , m_chaos(chaos)
{
    setWindowTitle(tr("Chaos monkey"));
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("Kills random processes of the tree at a steady rate, so you can "
                                "watch it heal. The same seed, rate and tree kill the same "
                                "sequence."));
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto *form = new QFormLayout;
    m_enabled = new QCheckBox(tr("Enabled"));
    m_enabled->setChecked(chaos->isEnabled());
    form->addRow(QString(), m_enabled);
    m_rate = new QDoubleSpinBox;
    m_rate->setRange(0.1, 1000);
    m_rate->setDecimals(1);
    m_rate->setSuffix(tr(" kills/s"));
    m_rate->setValue(chaos->rate());
    form->addRow(tr("&Rate"), m_rate);
    m_filter = new QLineEdit(chaos->targetFilter().pattern());
    m_filter->setPlaceholderText(tr("all workers and table managers"));
    m_filter->setToolTip(tr("A regular expression matched against registered names and child "
                            "ids (partial match; ^...$ anchors). Supervisors are candidates "
                            "only when it matches them."));
    form->addRow(tr("&Targets"), m_filter);
    m_seed = new QSpinBox;
    m_seed->setRange(0, std::numeric_limits<int>::max());
    m_seed->setValue(int(std::min<quint64>(chaos->seed(), std::numeric_limits<int>::max())));
    form->addRow(tr("&Seed"), m_seed);
    layout->addLayout(form);
    m_preview = new QLabel;
    m_preview->setWordWrap(true);
    layout->addWidget(m_preview);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &ChaosDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &ChaosDialog::reject);
    layout->addWidget(buttons);
    connect(m_filter, &QLineEdit::textChanged, this, &ChaosDialog::preview);
    preview();
}

void ChaosDialog::preview()
{
    const QRegularExpression re(m_filter->text());
    if (!re.isValid()) {
        m_preview->setText(tr("Not a valid regular expression: %1").arg(re.errorString()));
        return;
    }
    if (!m_chaos)
        return;
    // Ask the monkey itself, so the preview filters exactly as it will.
    QStringList names;
    const QRegularExpression old = m_chaos->targetFilter();
    try {
        m_chaos->setTargetFilter(re);
        for (const ChaosMonkey::Candidate &c : m_chaos->eligible())
            names << (c.name.isEmpty() ? c.childId : c.name);
        m_chaos->setTargetFilter(old);
    } catch (const Error &e) {
        m_preview->setText(e.message());
        return;
    }
    m_preview->setText(names.isEmpty()
                           ? tr("No process matches: the monkey would do nothing.")
                           : tr("Candidates now: %1").arg(names.join(QStringLiteral(", "))));
}

void ChaosDialog::accept()
{
    if (!m_chaos) {
        QDialog::reject();
        return;
    }
    try {
        m_chaos->setRate(m_rate->value());
        m_chaos->setTargetFilter(QRegularExpression(m_filter->text()));
        if (quint64(m_seed->value()) != m_chaos->seed())
            m_chaos->setSeed(quint64(m_seed->value()));
        m_chaos->setEnabled(m_enabled->isChecked());
    } catch (const Error &e) {
        m_preview->setText(e.message());
        return;
    }
    QDialog::accept();
}

} // namespace immortal
