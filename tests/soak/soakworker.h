#pragma once

#include <immortal/process.h>

namespace immortal::soak {

// A plain worker; with a scratch table, it owns a private table with no
// heir, which must die with it.
class SoakWorker : public Process
{
    Q_OBJECT
public:
    explicit SoakWorker(bool scratch, QObject *parent = nullptr);
};

} // namespace immortal::soak
