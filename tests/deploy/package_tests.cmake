# The .deb (cmake/GempoolPackage.cmake, deploy/debian/): cpack -G DEB from this
# build tree (after the build: it builds nothing), unpacked into a scratch
# root and checked: files, Depends, units (systemd-analyze verify), the
# conffile, the maintainer scripts, and every binary's --help. Needs root and
# cmake, dpkg-dev, file, binutils, systemd (scripts/install-deps.sh --test).
# Not in sanitizer builds: their binaries are not what a package ships.
if((NOT DEFINED GEMPOOL_PACKAGE OR GEMPOOL_PACKAGE) AND GEMPOOL_SANITIZE STREQUAL "")
  add_test(NAME deploy.package
           COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/deploy/check_package.py
                   --build-dir ${CMAKE_BINARY_DIR} --cpack ${CMAKE_CPACK_COMMAND}
                   --source-dir ${PROJECT_SOURCE_DIR})
  set_tests_properties(deploy.package PROPERTIES TIMEOUT 120)
endif()
