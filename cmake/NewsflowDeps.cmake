# Every dependency comes from a Debian 12 package installed by ops/install-deps.sh.
find_package(PkgConfig REQUIRED)
find_package(RapidJSON REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(CLI11 REQUIRED)
find_package(spdlog REQUIRED)
find_package(Threads REQUIRED)
find_package(ICU REQUIRED COMPONENTS uc i18n data)
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)
pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET rdkafka rdkafka++)
pkg_check_modules(GUMBO REQUIRED IMPORTED_TARGET gumbo)
find_package(prometheus-cpp CONFIG REQUIRED)

# Snowball and CLD2 ship no CMake or pkg-config files in Debian 12.
find_path(STEMMER_INCLUDE_DIR libstemmer.h REQUIRED)
find_library(STEMMER_LIBRARY stemmer REQUIRED)
add_library(newsflow_dep_stemmer INTERFACE)
target_include_directories(newsflow_dep_stemmer SYSTEM INTERFACE ${STEMMER_INCLUDE_DIR})
target_link_libraries(newsflow_dep_stemmer INTERFACE ${STEMMER_LIBRARY})
add_library(Snowball::stemmer ALIAS newsflow_dep_stemmer)

find_path(CLD2_INCLUDE_DIR cld2/public/compact_lang_det.h REQUIRED)
find_library(CLD2_LIBRARY cld2 REQUIRED)
add_library(newsflow_dep_cld2 INTERFACE)
target_include_directories(newsflow_dep_cld2 SYSTEM INTERFACE ${CLD2_INCLUDE_DIR})
target_link_libraries(newsflow_dep_cld2 INTERFACE ${CLD2_LIBRARY})
add_library(CLD2::cld2 ALIAS newsflow_dep_cld2)

# The executables' allocator (newsflow::allocator, linked by every executable): gperftools'
# tcmalloc_minimal (libgoogle-perftools-dev), which takes CLD2's per-call scratch (~200 KiB
# allocated and freed per call) and the stages' short-lived strings from per-thread caches:
# +1-4 % on the normalize benchmark and more on the whole pipeline against glibc with its tuned
# thresholds, for ~7 MB more RSS (bench/README.md, session 5; jemalloc measured 4 % slower). With
# NEWSFLOW_TCMALLOC=OFF (ASan/TSan presets: they replace malloc themselves) it is glibc's.
add_library(newsflow_allocator INTERFACE)
if(NEWSFLOW_TCMALLOC AND CMAKE_CXX_FLAGS MATCHES "-fsanitize")
  # Also for a build directory configured before the presets said so.
  message(STATUS "NEWSFLOW_TCMALLOC ignored: sanitizer builds keep their own allocator")
  set(NEWSFLOW_TCMALLOC OFF)
endif()
if(NEWSFLOW_TCMALLOC)
  find_library(TCMALLOC_MINIMAL_LIBRARY tcmalloc_minimal REQUIRED)
  target_link_libraries(newsflow_allocator INTERFACE ${TCMALLOC_MINIMAL_LIBRARY})
  target_compile_definitions(newsflow_allocator INTERFACE NEWSFLOW_TCMALLOC=1)
endif()
add_library(newsflow::allocator ALIAS newsflow_allocator)

# RapidJSON's SSE2 paths: Writer<StringBuffer> copies the unescaped runs of a string 16 bytes at
# a time instead of one byte at a time (enriched events are mostly long strings), and its
# reader skips whitespace and scans strings 16 bytes at a time on NUL-terminated input, which is
# how the decoder parses records (PaddedCopy() in schemas/raw_article.cc). Set for every target
# so all translation units see the same RapidJSON definitions. SSE2 is part of the x86-64
# baseline.
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  add_compile_definitions(RAPIDJSON_SSE2)
endif()

if(NOT TARGET RapidJSON::RapidJSON)
  add_library(RapidJSON::RapidJSON INTERFACE IMPORTED)
  target_include_directories(RapidJSON::RapidJSON SYSTEM INTERFACE ${RapidJSON_INCLUDE_DIRS} ${RAPIDJSON_INCLUDE_DIRS})
endif()
