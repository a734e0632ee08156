# Helpers shared by every target: warnings, include root, embedding files.

# newsflow_warnings(<target>): the project's warning set; errors when NEWSFLOW_WERROR.
function(newsflow_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                           -Wold-style-cast -Wcast-align -Woverloaded-virtual
                                           -Wimplicit-fallthrough -Wswitch-enum -Wno-switch-default)
  # GCC 12 at -O3 reports false -Wrestrict positives inside std::string concatenation
  # (GCC bug 105329); they are not actionable in our code.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
  if(NEWSFLOW_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# newsflow_library(<name> SOURCES ... DEPS ...): a static library aliased newsflow::<name>.
function(newsflow_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(newsflow_${name} STATIC ${ARG_SOURCES})
  add_library(newsflow::${name} ALIAS newsflow_${name})
  target_include_directories(newsflow_${name} PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/generated)
  target_link_libraries(newsflow_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  newsflow_warnings(newsflow_${name})
endfunction()

# newsflow_embed(<out.cc> <namespace> <symbol> [BASE <dir>] <file>...): compiles files into the
# binary as a table {name, contents} so the executable needs no data directory at run time.
# Names are base names, or paths relative to BASE when given.
function(newsflow_embed out namespace symbol)
  cmake_parse_arguments(ARG "" "BASE" "" ${ARGN})
  set(files ${ARG_UNPARSED_ARGUMENTS})
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNAMESPACE=${namespace} -DSYMBOL=${symbol}
            "-DBASE=${ARG_BASE}" "-DFILES=${files}" -P ${PROJECT_SOURCE_DIR}/cmake/EmbedFiles.cmake
    DEPENDS ${files} ${PROJECT_SOURCE_DIR}/cmake/EmbedFiles.cmake
    COMMENT "Embedding ${symbol}"
    VERBATIM)
endfunction()
