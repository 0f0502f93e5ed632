#pragma once

#include <QDialog>
#include <QList>

class QAction;

namespace immortal {

/// Help ▸ Keyboard shortcuts: every action of the window that has a key,
/// with the key, grouped as the menus group them. Built from the actions
/// themselves, so it never goes stale.
class ShortcutSheet : public QDialog
{
    Q_OBJECT
public:
    /// A sheet of these actions (those without a shortcut are left out).
    explicit ShortcutSheet(const QList<QAction *> &actions, QWidget *parent = nullptr);

    int shortcutCount() const { return m_count; } ///< the rows listed

private:
    int m_count = 0;
};

} // namespace immortal
