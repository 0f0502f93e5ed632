# One Debian package with the libraries, their headers and CMake package,
# and Immortal Studio: `cpack -G DEB` in the build directory, then
# `apt install ./immortal_<version>_<arch>.deb` on Debian 12.
set(CPACK_PACKAGE_NAME "immortal")
set(CPACK_PACKAGE_VENDOR "The Immortal developers")
set(CPACK_PACKAGE_CONTACT "The Immortal developers <immortal@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION
    "Immortal brings Erlang/OTP's heir-protected ETS tables to C++20 and Qt 6: processes, a name
registry, ETS-style tables with owner, heir and give-away, OTP supervisors and the TableManager.
Immortal Studio draws the supervision tree and who owns and inherits each table, live.")
set(CPACK_RESOURCE_FILE_LICENSE "${PROJECT_SOURCE_DIR}/LICENSE")
set(CPACK_RESOURCE_FILE_README "${PROJECT_SOURCE_DIR}/README.md")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_GENERATOR "DEB")
set(CPACK_DEB_COMPONENT_INSTALL OFF)
# Debug information stays in the build tree; the package ships stripped binaries.
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "libdevel")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${PROJECT_HOMEPAGE_URL}")
# The run-time libraries' packages come from the binaries (dpkg-shlibdeps);
# the headers need these -dev packages to be usable with find_package().
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "qt6-base-dev, libboost1.81-dev, libabsl-dev, libqt6svg6")
include(CPack)
