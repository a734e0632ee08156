# Script mode (ctest `LayeringCheck`): fails when a source file includes a header of a folder its
# folder may not depend on. The dependency direction of the tree:
#   schemas/          <- nothing of ours (the wire contract stands alone)
#   processors/core/  <- schemas/
#   processors/*      <- schemas/, processors/
#   consumers/        <- schemas/, processors/
#   app/              <- everything
# Usage: cmake -DROOT=<source dir> -P tests/layering_check.cmake
set(rules
    "schemas:schemas"
    "processors/core:schemas|processors/core"
    "processors:schemas|processors"
    "consumers:schemas|processors|consumers")
set(our_folders "schemas|processors|consumers|app|tests|bench")
set(violations "")
foreach(rule IN LISTS rules)
  string(REPLACE ":" ";" parts "${rule}")
  list(GET parts 0 folder)
  list(GET parts 1 allowed)
  file(GLOB_RECURSE sources RELATIVE ${ROOT} ${ROOT}/${folder}/*.h ${ROOT}/${folder}/*.cc)
  foreach(src IN LISTS sources)
    file(STRINGS ${ROOT}/${src} includes REGEX "^#include \"")
    foreach(line IN LISTS includes)
      string(REGEX REPLACE "^#include \"([^\"]+)\".*" "\\1" header "${line}")
      if(NOT header MATCHES "^(${our_folders})/")
        continue()  # a generated or third-party header
      endif()
      if(NOT header MATCHES "^(${allowed})/")
        string(APPEND violations "  ${src} includes ${header} (${folder}/ may use only: ${allowed})\n")
      endif()
    endforeach()
  endforeach()
endforeach()
if(violations)
  message(FATAL_ERROR "layering violations:\n${violations}")
endif()
message(STATUS "layering: every include points down the dependency direction")
