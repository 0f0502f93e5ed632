#pragma once

/// \file
/// Everything public in Immortal::Core, for programs that would rather
/// include one header.
#include <immortal/childspec.h>
#include <immortal/error.h>
#include <immortal/exitreason.h>
#include <immortal/node.h>
#include <immortal/process.h>
#include <immortal/processinfo.h>
#include <immortal/processscope.h>
#include <immortal/registry.h>
#include <immortal/rows.h>
#include <immortal/supervisor.h>
#include <immortal/table.h>
#include <immortal/tableinfo.h>
#include <immortal/tablemanager.h>
#include <immortal/tableoptions.h>
#include <immortal/term.h>
#include <immortal/trace.h>
#include <immortal/traceevent.h>
#include <immortal/tracewriter.h>
#include <immortal/tuple.h>
#include <immortal/types.h>
#include <immortal/version.h>
