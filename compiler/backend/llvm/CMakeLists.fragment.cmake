# CMakeLists.fragment.cmake - the LLVM CPU backend and the reference
# interpreter as the static library brainc_llvm. Included from
# compiler/CMakeLists.txt (after brainc_lib is defined), with
# find_package(BraincLLVM) done by the top level.
file(GLOB BRAINC_LLVM_SOURCES CONFIGURE_DEPENDS
  ${CMAKE_CURRENT_LIST_DIR}/*.c
  ${CMAKE_CURRENT_LIST_DIR}/../interp*.c)
add_library(brainc_llvm STATIC ${BRAINC_LLVM_SOURCES})
target_include_directories(brainc_llvm PUBLIC ${CMAKE_CURRENT_LIST_DIR}/..)
target_link_libraries(brainc_llvm PUBLIC brainc_lib brainrt brainc::llvm)
# The interpreter is the oracle the JIT is compared with bit for bit: no
# contraction of a*b+c into an FMA (GCC's default in gnu11 mode is "fast").
set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/../interp.c ${CMAKE_CURRENT_LIST_DIR}/../interp_syn.c
  PROPERTIES COMPILE_OPTIONS "-ffp-contract=off")
