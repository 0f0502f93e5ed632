#include "postedcall.h"

#include <QCoreApplication>

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define IMMORTAL_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__) // gcc
#define IMMORTAL_TSAN 1
#endif
#ifdef IMMORTAL_TSAN
#include <sanitizer/tsan_interface.h>
#endif

namespace immortal {

namespace {

void tsanRelease([[maybe_unused]] void *addr) noexcept
{
#ifdef IMMORTAL_TSAN
    __tsan_release(addr);
#endif
}

void tsanAcquire([[maybe_unused]] void *addr) noexcept
{
#ifdef IMMORTAL_TSAN
    __tsan_acquire(addr);
#endif
}

} // namespace

QEvent::Type PostedCall::eventType()
{
    static const auto type = QEvent::Type(QEvent::registerEventType());
    return type;
}

PostedCall::PostedCall(std::function<void()> fn)
    : QEvent(eventType())
    , m_fn(std::move(fn))
{ }

PostedCall::~PostedCall()
{
    tsanAcquire(this);
}

void PostedCall::post(QObject *receiver, std::function<void()> fn)
{
    auto *call = new PostedCall(std::move(fn));
    // After the last write to it, before Qt hands it over.
    tsanRelease(call);
    tsanRelease(receiver);
    QCoreApplication::postEvent(receiver, call);
}

void PostedCall::received(QObject *receiver) noexcept
{
    tsanAcquire(receiver);
}

} // namespace immortal
