#include "graphlayout.h"

#include <QByteArray>
#include <QLoggingCategory>

#include <algorithm>
#include <functional>
#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

Q_LOGGING_CATEGORY(lcGraphLayout, "immortal.ui.layout")

namespace immortal {

namespace {
constexpr double nodeSep = 14; // points between siblings
constexpr double rankSep = 60; // points between levels
bool s_usedGraphviz = false;

// cgraph predates const: it takes char * for names it only reads.
void set(void *object, const char *name, const QByteArray &value)
{
    agsafeset(object, const_cast<char *>(name), const_cast<char *>(value.constData()),
              const_cast<char *>(""));
}

GVC_t *context()
{
    // One context for the program: loading the plugins is the slow part.
    static GVC_t *gvc = gvContext();
    return gvc;
}
} // namespace

bool GraphLayout::usedGraphviz()
{
    return s_usedGraphviz;
}

QHash<quint64, QPointF> GraphLayout::layout(const QList<Box> &boxes)
{
    QHash<quint64, QPointF> out;
    if (boxes.isEmpty())
        return out;
    s_usedGraphviz = layoutWithDot(boxes, &out);
    if (!s_usedGraphviz)
        out = layoutTidy(boxes);
    return out;
}

bool GraphLayout::layoutWithDot(const QList<Box> &boxes, QHash<quint64, QPointF> *out)
{
    GVC_t *gvc = context();
    if (!gvc)
        return false;
    Agraph_t *g = agopen(const_cast<char *>("tree"), Agdirected, nullptr);
    set(g, "rankdir", "LR");
    set(g, "ordering", "out"); // keep children in start order
    set(g, "nodesep", QByteArray::number(nodeSep / 72.0));
    set(g, "ranksep", QByteArray::number(rankSep / 72.0));

    QHash<quint64, Agnode_t *> byKey;
    for (const Box &n : boxes) {
        QByteArray name = "n" + QByteArray::number(n.key);
        Agnode_t *gn = agnode(g, name.data(), 1);
        set(gn, "shape", "box");
        set(gn, "fixedsize", "true");
        set(gn, "width", QByteArray::number(n.size.width() / 72.0));
        set(gn, "height", QByteArray::number(n.size.height() / 72.0));
        byKey.insert(n.key, gn);
    }
    for (const Box &n : boxes) {
        if (Agnode_t *p = byKey.value(n.parent))
            agedge(g, p, byKey.value(n.key), nullptr, 1);
    }
    const bool ok = gvLayout(gvc, g, "dot") == 0;
    if (ok) {
        for (auto it = byKey.cbegin(); it != byKey.cend(); ++it) {
            const pointf c = ND_coord(it.value());
            out->insert(it.key(), QPointF(c.x, -c.y)); // dot's y grows upwards
        }
        gvFreeLayout(gvc, g);
    } else {
        qCWarning(lcGraphLayout)
            << "Graphviz dot layout unavailable; using the built-in tree layout";
    }
    agclose(g);
    return ok;
}

QHash<quint64, QPointF> GraphLayout::layoutTidy(const QList<Box> &boxes)
{
    // Leaves side by side in order, each parent centred over its children.
    QHash<quint64, QList<const Box *>> children;
    QList<const Box *> roots;
    QHash<quint64, const Box *> byKey;
    for (const Box &n : boxes)
        byKey.insert(n.key, &n);
    for (const Box &n : boxes) {
        if (byKey.contains(n.parent))
            children[n.parent].append(&n);
        else
            roots.append(&n);
    }
    QHash<quint64, QPointF> out;
    double nextX = 0;
    std::function<double(const Box *, int)> place = [&](const Box *n, int depth) {
        const auto kids = children.value(n->key);
        double x; // across the ranks: the vertical axis of a left-to-right tree
        if (kids.isEmpty()) {
            x = nextX + n->size.height() / 2;
            nextX += n->size.height() + nodeSep;
        } else {
            double first = 0, last = 0;
            for (int i = 0; i < kids.size(); ++i) {
                const double cx = place(kids.at(i), depth + 1);
                if (i == 0)
                    first = cx;
                last = cx;
            }
            x = (first + last) / 2;
        }
        out.insert(n->key, QPointF(depth * (n->size.width() + rankSep), x));
        return x;
    };
    for (const Box *r : std::as_const(roots))
        place(r, 0);
    return out;
}

} // namespace immortal
