# Unity builds: a target's sources compiled in batches, one translation unit
# per batch (GEMPOOL_UNITY_BATCH_SIZE files). Most of a gempool source file's
# compile time is parsing and instantiating the same headers as its
# neighbours (gRPC, protobuf, Abseil, nlohmann, gtest: measured, -fsyntax-only
# is 65-70 % of a library file's -O2 compile); compiled together they do that
# once. Measured (gcc, 2 cores, the ordinary test build from scratch): 21 min
# file by file, 18 min with test code in batches, 10 min with everything in
# batches. DuckDB builds the same way.
#
#   GEMPOOL_UNITY_BUILD=tests  (default) test code: every target that links
#                              gempool_testing, directly or through a helper library
#   GEMPOOL_UNITY_BUILD=all    every target but the generated protobuf code:
#                              `make test` and its sanitizer builds use this
#   GEMPOOL_UNITY_BUILD=off    file by file: quicker when editing one file again and again
#
# Files in one batch share a translation unit, so names at namespace scope in
# their anonymous namespaces must differ between files of one target: two
# files defining the same helper fail to compile (loudly, never silently);
# give the helper a name that says whose it is, or share one definition.
# A batch also uses more memory than one file: the default stays "tests" for
# builds on a small VPS.
set(GEMPOOL_UNITY_BUILD "tests" CACHE STRING "Unity batches for: tests (test code), all (every target but generated code) or off")
set_property(CACHE GEMPOOL_UNITY_BUILD PROPERTY STRINGS tests all off)
set(GEMPOOL_UNITY_BATCH_SIZE 8 CACHE STRING "Source files per unity translation unit")

function(_gempool_collect_targets dir out)
  get_property(targets DIRECTORY "${dir}" PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirs DIRECTORY "${dir}" PROPERTY SUBDIRECTORIES)
  foreach(sub IN LISTS subdirs)
    _gempool_collect_targets("${sub}" sub_targets)
    list(APPEND targets ${sub_targets})
  endforeach()
  set(${out} ${targets} PARENT_SCOPE)
endfunction()

# True when ${target} links gempool_testing, directly or through one of the
# project's own libraries (gempool_integration_support, for example): the
# targets that compile at -O0 as test code.
function(_gempool_is_test_code target out)
  get_property(known GLOBAL PROPERTY "_GEMPOOL_TEST_CODE_${target}" SET)
  if(known)
    get_property(result GLOBAL PROPERTY "_GEMPOOL_TEST_CODE_${target}")
    set(${out} ${result} PARENT_SCOPE)
    return()
  endif()
  set(result OFF)
  get_target_property(libs ${target} LINK_LIBRARIES)
  if(libs)
    foreach(lib IN LISTS libs)
      if(lib STREQUAL "gempool_testing")
        set(result ON)
        break()
      endif()
      if(TARGET "${lib}")
        get_target_property(imported "${lib}" IMPORTED)
        get_target_property(aliased "${lib}" ALIASED_TARGET)
        if(NOT imported AND NOT aliased)
          _gempool_is_test_code("${lib}" lib_result)
          if(lib_result)
            set(result ON)
            break()
          endif()
        endif()
      endif()
    endforeach()
  endif()
  set_property(GLOBAL PROPERTY "_GEMPOOL_TEST_CODE_${target}" ${result})
  set(${out} ${result} PARENT_SCOPE)
endfunction()

# Call once, after every target exists.
function(gempool_unity_build)
  if(GEMPOOL_UNITY_BUILD STREQUAL "off")
    return()
  elseif(NOT GEMPOOL_UNITY_BUILD MATCHES "^(tests|all)$")
    message(FATAL_ERROR "GEMPOOL_UNITY_BUILD is '${GEMPOOL_UNITY_BUILD}': use tests, all or off")
  endif()
  _gempool_collect_targets("${CMAKE_SOURCE_DIR}" targets)
  foreach(target IN LISTS targets)
    get_target_property(type ${target} TYPE)
    if(NOT type MATCHES "^(EXECUTABLE|STATIC_LIBRARY|OBJECT_LIBRARY)$")
      continue()
    endif()
    _gempool_is_test_code(${target} is_test_code)
    if(is_test_code OR (GEMPOOL_UNITY_BUILD STREQUAL "all" AND NOT target STREQUAL "gempool_proto"))
      set_target_properties(${target} PROPERTIES UNITY_BUILD ON
                                                 UNITY_BUILD_BATCH_SIZE ${GEMPOOL_UNITY_BATCH_SIZE})
    endif()
  endforeach()
endfunction()
