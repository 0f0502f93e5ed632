#pragma once

#include <immortal/models/processtreemodel.h>

#include <QColor>
#include <QIcon>
#include <QPalette>

namespace immortal {

/// The colours of process states, derived from the palette so that a dark
/// desktop gets dark fills with light text instead of pastel blocks.
class StateColors
{
public:
    static bool isDark(const QPalette &palette); ///< a dark window colour
    /// The fill for a node in that state.
    static QColor fill(ProcessTreeModel::State state, const QPalette &palette);
    /// The border for a node in that state.
    static QColor border(ProcessTreeModel::State state, const QPalette &palette);
    /// For table badges: a colour distinct from every process state.
    static QColor tableFill(const QPalette &palette);
    static QColor tableBorder(const QPalette &palette); ///< the border to tableFill()
    /// A small round icon in the state's colour (cached per state and theme).
    static QIcon icon(ProcessTreeModel::State state);
};

} // namespace immortal
