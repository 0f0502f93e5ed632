#pragma once

#include <QDialog>
#include <QPointer>

class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace immortal {

class ChaosMonkey;

// The chaos monkey's settings: rate, target filter, seed, on/off. Shows
// which processes the filter lets through before you apply it.
class ChaosDialog : public QDialog
{
    Q_OBJECT
public:
    explicit ChaosDialog(ChaosMonkey *chaos, QWidget *parent = nullptr);

    void accept() override; // applies; stays open with a message if a value is wrong

private:
    void preview();

    QPointer<ChaosMonkey> m_chaos;
    QDoubleSpinBox *m_rate;
    QLineEdit *m_filter;
    QSpinBox *m_seed;
    QCheckBox *m_enabled;
    QLabel *m_preview;
};

} // namespace immortal
