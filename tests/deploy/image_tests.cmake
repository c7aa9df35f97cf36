# The image (deploy/Dockerfile) and its release workflow, checked without a
# Docker engine (tests/deploy/check_image.py, check_release_workflow.py).
# Included from tests/CMakeLists.txt.
set(GEMPOOL_IMAGE_CHECK ${CMAKE_CURRENT_SOURCE_DIR}/deploy/check_image.py)
# Every path the Dockerfile COPYs exists; the build stage's copies alone configure.
add_test(NAME deploy.image_copies COMMAND python3 ${GEMPOOL_IMAGE_CHECK} copies)
# BASE_REGISTRY / APT_MIRROR / APT_SECURITY_MIRROR: the rewrite each stage runs, on bookworm's sources.
add_test(NAME deploy.image_build_args COMMAND python3 ${GEMPOOL_IMAGE_CHECK} build-args)
# The release workflow: actionlint (pinned, built once into ~/.cache/gempool/tools; needs go and
# shellcheck) and its jobs, steps, platforms and registries. The first run builds actionlint.
add_test(NAME deploy.release_workflow
         COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/deploy/check_release_workflow.py)
set_tests_properties(deploy.image_copies deploy.image_build_args deploy.release_workflow
                     PROPERTIES LABELS deploy TIMEOUT 300)
# The runtime stage has every library this tree's four binaries link (ldd -> dpkg -S). Only in
# an ordinary build: the image is a GCC build without sanitizers.
if(GEMPOOL_SANITIZE STREQUAL "" AND NOT GEMPOOL_BUILD_FUZZERS)
  add_test(NAME deploy.image_runtime_libs COMMAND python3 ${GEMPOOL_IMAGE_CHECK} runtime ${CMAKE_BINARY_DIR})
  set_tests_properties(deploy.image_runtime_libs PROPERTIES LABELS deploy TIMEOUT 120)
endif()
