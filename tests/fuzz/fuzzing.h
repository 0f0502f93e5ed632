#pragma once

// Shared by the fuzz targets (tests/fuzz/): the entry point libFuzzer calls,
// the bytes it passes read as a stream of choices, and the check that turns
// a broken invariant into a crash libFuzzer keeps the input of.

#include <QByteArray>
#include <QCoreApplication>
#include <QString>
#include <QtGlobal>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size);

// An invariant that holds for every input. abort(), not an exception: the
// harness catches immortal::Error as an expected result, and libFuzzer (or
// the replay driver) must see a crash and keep the input.
#define FUZZ_CHECK(cond) \
    do { \
        if (!(cond)) [[unlikely]] { \
            std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            std::abort(); \
        } \
    } while (false)

namespace immortal::fuzz {

// The fuzzer's bytes as a stream of choices. Past the end every read gives
// zero, so a short input is a valid program that ends early.
class Input
{
public:
    Input(const std::uint8_t *data, std::size_t size)
        : m_data(data)
        , m_size(size)
    { }

    bool atEnd() const noexcept { return m_pos >= m_size; }
    std::uint8_t byte() noexcept { return atEnd() ? 0 : m_data[m_pos++]; }
    bool flag() noexcept { return byte() & 1; }
    // 0 .. n-1 (n <= 256).
    int below(int n) noexcept { return n <= 1 ? 0 : byte() % n; }
    template<typename T>
    T raw() noexcept
    {
        unsigned char buf[sizeof(T)] = {};
        for (unsigned char &b : buf)
            b = byte();
        T value;
        std::memcpy(&value, buf, sizeof value);
        return value;
    }
    // Up to maxLength bytes, as they come.
    QByteArray bytes(int maxLength)
    {
        const int n = below(maxLength + 1);
        QByteArray out;
        for (int i = 0; i < n && !atEnd(); ++i)
            out.append(char(byte()));
        return out;
    }

private:
    const std::uint8_t *m_data;
    std::size_t m_size;
    std::size_t m_pos = 0;
};

// The one application object for the whole run: made on first use and kept,
// as the event loop's posted events (ETS-TRANSFER, deleteLater) need one.
inline QCoreApplication *application()
{
    static int argc = 1;
    static char name[] = "fuzz";
    static char *argv[] = { name, nullptr };
    static QCoreApplication *app = new QCoreApplication(argc, argv);
    return app;
}

} // namespace immortal::fuzz
