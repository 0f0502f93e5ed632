# IMMORTAL_SANITIZE: sanitizers for the whole project, every target built
# here (libraries, the studio, the tests). Empty (the default) for none;
# "address;undefined" for ASan with LeakSanitizer and UBSan; "thread" for TSan.
# Works with clang (what CI uses: scripts/check-sanitizers) and with gcc.
# docs/testing.md, "Sanitizers and memcheck", says how the suite runs under them.
set(IMMORTAL_SANITIZE "" CACHE STRING
    "Sanitizers for the whole build: empty, \"address;undefined\" or \"thread\"")
set_property(CACHE IMMORTAL_SANITIZE PROPERTY STRINGS "" "address;undefined" "address"
    "undefined" "thread")

# The flags as one string, for builds outside this project (tst_install's
# examples), and what every test's environment gets: both empty without.
set(IMMORTAL_SANITIZE_FLAGS "")
set(IMMORTAL_SANITIZE_TEST_ENVIRONMENT "")

# immortal_sanitize_tests(): every test of the calling directory gets
# IMMORTAL_SANITIZE_TEST_ENVIRONMENT, once the directory is read (so it sees
# every test, however added). Each directory with tests calls it.
function(immortal_sanitize_tests)
    if(IMMORTAL_SANITIZE)
        cmake_language(DEFER CALL immortal_sanitize_tests_now)
    endif()
endfunction()
function(immortal_sanitize_tests_now)
    get_property(tests DIRECTORY PROPERTY TESTS)
    foreach(t IN LISTS tests)
        set_property(TEST "${t}" APPEND PROPERTY ENVIRONMENT ${IMMORTAL_SANITIZE_TEST_ENVIRONMENT})
    endforeach()
endfunction()

if(NOT IMMORTAL_SANITIZE)
    return()
endif()

# Accept "address,undefined" too: it is how -fsanitize= spells it.
string(REPLACE "," ";" immortal_sanitizers "${IMMORTAL_SANITIZE}")
foreach(s IN LISTS immortal_sanitizers)
    if(NOT s MATCHES "^(address|undefined|thread)$")
        message(FATAL_ERROR "IMMORTAL_SANITIZE: unknown sanitizer \"${s}\"; "
            "use address, undefined or thread")
    endif()
endforeach()
if("thread" IN_LIST immortal_sanitizers AND "address" IN_LIST immortal_sanitizers)
    message(FATAL_ERROR "IMMORTAL_SANITIZE: thread and address cannot be combined")
endif()
list(JOIN immortal_sanitizers "," immortal_sanitize_joined)

# Frame pointers give the sanitizers' fast unwinder whole stacks.
set(immortal_sanitize_flags -fsanitize=${immortal_sanitize_joined} -fno-omit-frame-pointer)
if("undefined" IN_LIST immortal_sanitizers)
    # A UBSan report aborts the program, so a test with one fails.
    list(APPEND immortal_sanitize_flags -fno-sanitize-recover=undefined)
endif()
add_compile_options(${immortal_sanitize_flags})
add_link_options(${immortal_sanitize_flags})
list(JOIN immortal_sanitize_flags " " IMMORTAL_SANITIZE_FLAGS)
message(STATUS "Sanitizers: ${immortal_sanitize_joined}")

# Every test runs with these options and suppressions, whether CTest is
# started by scripts/check-sanitizers or by hand. A report fails the test:
# ASan and UBSan stop at the first, TSan exits with 66 after reporting.
set(immortal_supp "${PROJECT_SOURCE_DIR}/tests/sanitizers")
find_program(IMMORTAL_LLVM_SYMBOLIZER NAMES llvm-symbolizer-14 llvm-symbolizer)
set(immortal_symbolizer "")
if(IMMORTAL_LLVM_SYMBOLIZER)
    set(immortal_symbolizer ":external_symbolizer_path=${IMMORTAL_LLVM_SYMBOLIZER}")
endif()
set(IMMORTAL_SANITIZE_TEST_ENVIRONMENT
    "ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:check_initialization_order=1:strict_init_order=1:detect_stack_use_after_return=1${immortal_symbolizer}"
    "LSAN_OPTIONS=suppressions=${immortal_supp}/lsan.supp:print_suppressions=0${immortal_symbolizer}"
    "UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1${immortal_symbolizer}"
    "TSAN_OPTIONS=suppressions=${immortal_supp}/tsan.supp:second_deadlock_stack=1${immortal_symbolizer}")
