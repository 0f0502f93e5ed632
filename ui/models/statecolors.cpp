#include <immortal/models/statecolors.h>

#include <QGuiApplication>
#include <QHash>
#include <QPainter>
#include <QPixmap>

namespace immortal {

namespace {
// Hues chosen to read as traffic lights, grey for the dead.
int hueOf(ProcessTreeModel::State state)
{
    switch (state) {
    case ProcessTreeModel::State::Running:
        return 130;
    case ProcessTreeModel::State::Waiting:
    case ProcessTreeModel::State::Restarting:
        return 40;
    case ProcessTreeModel::State::Dead:
        return 0;
    }
    return 0;
}
} // namespace

bool StateColors::isDark(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

QColor StateColors::fill(ProcessTreeModel::State state, const QPalette &palette)
{
    const bool dark = isDark(palette);
    if (state == ProcessTreeModel::State::Dead)
        return dark ? QColor::fromHsl(0, 35, 70) : QColor::fromHsl(0, 45, 215);
    return dark ? QColor::fromHsl(hueOf(state), 110, 75) : QColor::fromHsl(hueOf(state), 150, 200);
}

QColor StateColors::border(ProcessTreeModel::State state, const QPalette &palette)
{
    const bool dark = isDark(palette);
    if (state == ProcessTreeModel::State::Dead)
        return dark ? QColor::fromHsl(0, 90, 140) : QColor::fromHsl(0, 120, 110);
    return dark ? QColor::fromHsl(hueOf(state), 160, 150) : QColor::fromHsl(hueOf(state), 180, 80);
}

QColor StateColors::tableFill(const QPalette &palette)
{
    return isDark(palette) ? QColor::fromHsl(215, 90, 80) : QColor::fromHsl(215, 170, 220);
}

QColor StateColors::tableBorder(const QPalette &palette)
{
    return isDark(palette) ? QColor::fromHsl(215, 170, 160) : QColor::fromHsl(215, 160, 90);
}

QIcon StateColors::icon(ProcessTreeModel::State state)
{
    static QHash<int, QIcon> cache;
    const QPalette palette = QGuiApplication::palette();
    const int key = int(state) * 2 + (isDark(palette) ? 1 : 0);
    if (auto it = cache.constFind(key); it != cache.cend())
        return *it;
    // Drawn at 2x so it stays crisp on high-DPI screens.
    QPixmap pixmap(32, 32);
    pixmap.setDevicePixelRatio(2.0);
    pixmap.fill(Qt::transparent);
    {
        QPainter p(&pixmap);
        p.setRenderHint(QPainter::Antialiasing);
        p.setPen(QPen(border(state, palette), 1.5));
        p.setBrush(state == ProcessTreeModel::State::Dead ? fill(state, palette)
                                                          : border(state, palette));
        p.drawEllipse(QRectF(3, 3, 10, 10));
    }
    QIcon icon(pixmap);
    cache.insert(key, icon);
    return icon;
}

} // namespace immortal
