# gempool_add_fuzzer: one libFuzzer target over a fuzz body that the
# ordinary build's replay test runs too (gempool/testing/fuzz_replay.h).
#
#   gempool_add_fuzzer(NAME gemini_usage_scanner
#     FUNCTION gempool::gemini::FuzzUsageScanner   # void(const uint8_t*, size_t)
#     HEADER fuzz/usage_scanner_fuzz.h             # declares FUNCTION, relative to this directory
#     SOURCES fuzz/usage_scanner_fuzz.cc           # the body (also listed in the replay test)
#     LIBS gempool_gemini absl::strings
#     CORPUS gemini_usage)                         # tests/fuzz/<CORPUS>: the seeds
#
# With GEMPOOL_BUILD_FUZZERS (clang, scripts/fuzz.sh) this adds the executable
# <NAME>_fuzzer to the `fuzzers` target and a line "<binary> <corpus dir>" to
# <build>/fuzzers.txt, which scripts/fuzz.sh runs: a fixed number of
# executions in `make test`, longer in `make fuzz`. Without it, nothing.
if(GEMPOOL_BUILD_FUZZERS AND NOT TARGET fuzzers)
  add_custom_target(fuzzers)
  file(WRITE ${PROJECT_BINARY_DIR}/fuzzers.txt "")
endif()

function(gempool_add_fuzzer)
  cmake_parse_arguments(FUZZ "" "NAME;FUNCTION;HEADER;CORPUS" "SOURCES;LIBS" ${ARGN})
  foreach(required NAME FUNCTION HEADER CORPUS SOURCES)
    if(NOT FUZZ_${required})
      message(FATAL_ERROR "gempool_add_fuzzer: ${required} is required")
    endif()
  endforeach()
  set(corpus_dir ${PROJECT_SOURCE_DIR}/tests/fuzz/${FUZZ_CORPUS})
  if(NOT IS_DIRECTORY ${corpus_dir})
    message(FATAL_ERROR "gempool_add_fuzzer(${FUZZ_NAME}): no seed corpus at ${corpus_dir}")
  endif()
  if(NOT GEMPOOL_BUILD_FUZZERS)
    return()
  endif()
  set(GEMPOOL_FUZZER_NAME ${FUZZ_NAME})
  set(GEMPOOL_FUZZER_FUNCTION ${FUZZ_FUNCTION})
  set(GEMPOOL_FUZZER_HEADER ${FUZZ_HEADER})
  set(main ${CMAKE_CURRENT_BINARY_DIR}/${FUZZ_NAME}_fuzzer_main.cc)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/fuzzer_main.cc.in ${main} @ONLY)
  add_executable(${FUZZ_NAME}_fuzzer ${main} ${FUZZ_SOURCES})
  target_include_directories(${FUZZ_NAME}_fuzzer PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_options(${FUZZ_NAME}_fuzzer PRIVATE -fsanitize=fuzzer)
  target_link_libraries(${FUZZ_NAME}_fuzzer PRIVATE ${FUZZ_LIBS})
  add_dependencies(fuzzers ${FUZZ_NAME}_fuzzer)
  file(APPEND ${PROJECT_BINARY_DIR}/fuzzers.txt "${CMAKE_CURRENT_BINARY_DIR}/${FUZZ_NAME}_fuzzer ${corpus_dir}\n")
endfunction()
