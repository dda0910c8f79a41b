# FindBraincLLVM.cmake - finds LLVM through llvm-config and exposes it as the
# imported target brainc::llvm (include directories, LLVM's compile
# definitions, and the libraries of the components the LLVM CPU backend
# uses: core orcjit native passes target analysis, plus system libraries).
#
# llvm-config is taken from the LLVM_CONFIG cache variable when set, else
# the newest of llvm-config-19 .. llvm-config-14, else plain llvm-config.
# Sets BraincLLVM_FOUND, BraincLLVM_VERSION and LLVM_CONFIG.
#
# Only the -I and -D parts of `llvm-config --cflags` are taken: its other
# options (-O2, -g, warning flags, -std=...) are LLVM's own build choices,
# not ours. The -D parts (e.g. -D_GNU_SOURCE, -D__STDC_*_MACROS) are kept
# as given, so our code must build with them.

set(LLVM_CONFIG "" CACHE FILEPATH "llvm-config of the LLVM to build the CPU backend with")
if(NOT LLVM_CONFIG)
  find_program(_brainc_llvm_config
    NAMES llvm-config-19 llvm-config-18 llvm-config-17 llvm-config-16 llvm-config-15
          llvm-config-14 llvm-config
    NO_CACHE)
  if(_brainc_llvm_config)
    set(LLVM_CONFIG "${_brainc_llvm_config}" CACHE FILEPATH
        "llvm-config of the LLVM to build the CPU backend with" FORCE)
  endif()
endif()

function(_brainc_llvm_query out)
  execute_process(COMMAND "${LLVM_CONFIG}" ${ARGN}
    OUTPUT_VARIABLE value RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT rc EQUAL 0)
    set(value "")
  endif()
  string(REPLACE "\n" " " value "${value}")
  set(${out} "${value}" PARENT_SCOPE)
endfunction()

if(LLVM_CONFIG)
  _brainc_llvm_query(BraincLLVM_VERSION --version)
  _brainc_llvm_query(_llvm_includedir --includedir)
  _brainc_llvm_query(_llvm_cflags --cflags)
  _brainc_llvm_query(_llvm_ldflags --ldflags)
  _brainc_llvm_query(_llvm_libs --libs core orcjit native passes target analysis)
  _brainc_llvm_query(_llvm_syslibs --system-libs)
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(BraincLLVM
  REQUIRED_VARS LLVM_CONFIG _llvm_includedir _llvm_libs
  VERSION_VAR BraincLLVM_VERSION)

if(BraincLLVM_FOUND AND NOT TARGET brainc::llvm)
  separate_arguments(_llvm_cflags UNIX_COMMAND "${_llvm_cflags}")
  set(_llvm_defs "")
  foreach(flag IN LISTS _llvm_cflags)
    if(flag MATCHES "^-D(.+)$")
      list(APPEND _llvm_defs "${CMAKE_MATCH_1}")
    endif()
  endforeach()
  separate_arguments(_llvm_link UNIX_COMMAND "${_llvm_ldflags} ${_llvm_libs} ${_llvm_syslibs}")
  add_library(brainc::llvm INTERFACE IMPORTED)
  set_target_properties(brainc::llvm PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${_llvm_includedir}"
    INTERFACE_COMPILE_DEFINITIONS "${_llvm_defs}"
    INTERFACE_LINK_LIBRARIES "${_llvm_link}")
endif()
