# SPDX-License-Identifier: Apache-2.0
# Verilating Tessera's RTL. The file list rtl/tessera.f is the single source of truth for
# which files make up the design; both this and the Makefile's lint target read it.
file(STRINGS "${PROJECT_SOURCE_DIR}/rtl/tessera.f" _tessera_rtl_lines)
set(TESSERA_RTL_SOURCES "")
foreach(_line IN LISTS _tessera_rtl_lines)
  string(STRIP "${_line}" _line)
  if(_line AND NOT _line MATCHES "^(//|\\+|-)")  # comments and options are not files
    list(APPEND TESSERA_RTL_SOURCES "${PROJECT_SOURCE_DIR}/rtl/${_line}")
  endif()
endforeach()

# Flags for every model: assertions on, unknowns fast, power-up values randomizable at run
# time (+verilator+rand+reset+2) so that a missing reset fails a test.
set(TESSERA_VERILATOR_ARGS
  -O3 --assert --x-assign fast --x-initial unique
  -I${PROJECT_SOURCE_DIR}/rtl ${PROJECT_SOURCE_DIR}/rtl/lint.vlt)

# Verilator 5.006's generated makefiles would put -Os after our flags; the CMake flow takes
# its optimisation levels from here instead.
set(TESSERA_VERILATOR_OPT OPT_FAST -O3 OPT_SLOW -O1 OPT_GLOBAL -O3)

# tessera_verilate(<target> PREFIX <class> TOP <module> [SYSTEMC] [PARAMS -GName=value ...]):
# adds a Verilated model of <module> with those parameters to <target> as class <class>,
# a SystemC module with SYSTEMC (then every model in <target> must be SystemC: Verilator
# compiles its runtime once per target, for one flavour).
# EXTRA_SOURCES adds test-only wrappers from tb/ to the design sources. TRACE_FST builds
# the model able to write an FST waveform (off until a program opens a trace).
function(tessera_verilate target)
  cmake_parse_arguments(ARG "SYSTEMC;TRACE_FST" "PREFIX;TOP" "PARAMS;EXTRA_SOURCES" ${ARGN})
  set(flavour "")
  if(ARG_SYSTEMC)
    set(flavour SYSTEMC)
  endif()
  if(ARG_TRACE_FST)
    list(APPEND flavour TRACE_FST)
  endif()
  verilate(${target} ${flavour}
    PREFIX ${ARG_PREFIX}
    TOP_MODULE ${ARG_TOP}
    SOURCES ${TESSERA_RTL_SOURCES} ${ARG_EXTRA_SOURCES}
    VERILATOR_ARGS ${TESSERA_VERILATOR_ARGS} ${ARG_PARAMS}
    ${TESSERA_VERILATOR_OPT})
endfunction()

# tessera_verilate_core(<target> ROWS <r> COLS <c>): a tessera_core of that shape, as class
# Vtessera_core_<r>x<c>.
function(tessera_verilate_core target)
  cmake_parse_arguments(ARG "" "ROWS;COLS" "" ${ARGN})
  tessera_verilate(${target} PREFIX Vtessera_core_${ARG_ROWS}x${ARG_COLS} TOP tessera_core
    PARAMS -GNumRows=${ARG_ROWS} -GNumCols=${ARG_COLS})
endfunction()
