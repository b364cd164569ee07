# tree-sitter grammars for the code and markdown strategies, compiled as C
# from the sources scripts/fetch/grammars puts into the build tree
# (${HEWN_DATA_DIR}/grammars/<lang>/src, never committed) into hewn_grammars.
set(HEWN_GRAMMARS python javascript typescript tsx c cpp java go rust markdown)
set(HEWN_GRAMMAR_DIR ${HEWN_DATA_DIR}/grammars)
if(NOT EXISTS ${HEWN_GRAMMAR_DIR}/.pins)
  message(STATUS "hewn: fetching tree-sitter grammars into ${HEWN_GRAMMAR_DIR}")
  execute_process(COMMAND ${CMAKE_SOURCE_DIR}/scripts/fetch/grammars ${HEWN_DATA_DIR} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0 OR NOT EXISTS ${HEWN_GRAMMAR_DIR}/.pins)
    message(FATAL_ERROR "hewn: tree-sitter grammars missing; run scripts/fetch/grammars ${HEWN_DATA_DIR}")
  endif()
endif()
pkg_check_modules(TREE_SITTER REQUIRED IMPORTED_TARGET tree-sitter)
set(grammar_sources)
foreach(lang ${HEWN_GRAMMARS})
  set(dir ${HEWN_GRAMMAR_DIR}/${lang}/src)
  list(APPEND grammar_sources ${dir}/parser.c)
  if(EXISTS ${dir}/scanner.c)
    list(APPEND grammar_sources ${dir}/scanner.c)
  endif()
endforeach()
# parse_table.c reads the TSLanguage struct of the grammars' own header.
add_library(hewn_grammars STATIC ${grammar_sources} ${CMAKE_CURRENT_SOURCE_DIR}/parse_table.c)
set_source_files_properties(${CMAKE_CURRENT_SOURCE_DIR}/parse_table.c PROPERTIES INCLUDE_DIRECTORIES
                            ${HEWN_GRAMMAR_DIR}/python/src)
# Generated code: quiet, optimised even in Debug (parse speed matters).
set_source_files_properties(${grammar_sources} PROPERTIES COMPILE_OPTIONS "-w;-O2")
set_target_properties(hewn_grammars PROPERTIES C_STANDARD 11 POSITION_INDEPENDENT_CODE ON)
target_link_libraries(hewn_grammars PUBLIC PkgConfig::TREE_SITTER)
