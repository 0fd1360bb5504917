# Helpers that give every raspkit target the same flags, and register tests with labels.
add_library(raspkit_flags INTERFACE)
target_include_directories(raspkit_flags INTERFACE ${CMAKE_SOURCE_DIR})
target_compile_options(raspkit_flags INTERFACE -Wall -Wextra -Werror
                       -Wno-error=deprecated-declarations)
if(RASPKIT_SANITIZE)
  target_compile_options(raspkit_flags INTERFACE -fsanitize=address,undefined
                         -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  # gcc 12's flow analysis under -fsanitize reports libstdc++'s own std::regex/std::function
  # moves as maybe-uninitialized: a warning only, not an error, in this build (the plain
  # build keeps it an error). clang has no such option (the fuzz build).
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(raspkit_flags INTERFACE -Wno-error=maybe-uninitialized)
  endif()
  target_link_options(raspkit_flags INTERFACE -fsanitize=address,undefined)
endif()

# raspkit_library(NAME SOURCES... DEPS ...): one folder, one library.
function(raspkit_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_link_libraries(${name} PUBLIC raspkit_flags ${ARG_DEPS})
endfunction()

include(GoogleTest)
# raspkit_test(NAME LABEL label [ENV VAR=value] SOURCES... DEPS...): a GoogleTest executable
# whose tests ctest discovers one by one, labelled unit|prop|corpus|smt|bench.
function(raspkit_test name)
  cmake_parse_arguments(ARG "" "LABEL;TIMEOUT;ENV" "SOURCES;DEPS" ${ARGN})
  if(NOT ARG_LABEL)
    set(ARG_LABEL unit)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 600)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE raspkit_flags ${ARG_DEPS} GTest::gtest GTest::gmock
                        GTest::gtest_main rapidcheck rapidcheck_gtest)
  set(env_property)
  if(ARG_ENV)
    set(env_property ENVIRONMENT "${ARG_ENV}")
  endif()
  gtest_discover_tests(${name} PROPERTIES LABELS ${ARG_LABEL} TIMEOUT ${ARG_TIMEOUT} ${env_property}
                       WORKING_DIRECTORY ${CMAKE_SOURCE_DIR} DISCOVERY_TIMEOUT 60)
endfunction()
