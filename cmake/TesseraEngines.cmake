# SPDX-License-Identifier: Apache-2.0
# The simulated engines this build makes. TESSERA_ENGINE is the one `--device sim` opens and
# `make sim` runs; TESSERA_EXTRA_ENGINES are more shapes for the tests
# (`--device sim:engine=ROWSxCOLSxBUS`). Both default from the RTL package's one size knob
# (cmake/TesseraDefaultEngine.cmake, generated from rtl/tessera_pkg.sv). `make sim ROWS=8
# COLS=8 BUS=64` configures a build directory of its own with that engine as TESSERA_ENGINE.
include(${CMAKE_CURRENT_LIST_DIR}/TesseraDefaultEngine.cmake)
set(TESSERA_ENGINE
  "${TESSERA_DEFAULT_NUM_ROWS}x${TESSERA_DEFAULT_NUM_COLS}x${TESSERA_DEFAULT_BUS_WIDTH}"
  CACHE STRING "the simulated engine, ROWSxCOLSxBUS (rows and columns powers of two, bus 64..512)")
set(TESSERA_EXTRA_ENGINES "8x8x64" CACHE STRING "more simulated engines for the tests, ROWSxCOLSxBUS")

# tessera_engine_shape(<ROWSxCOLSxBUS> <prefix>): sets <prefix>_ROWS, _COLS, _BUS, or stops
# with a message naming the value and what is accepted.
function(tessera_engine_shape spec prefix)
  if(NOT spec MATCHES "^([0-9]+)x([0-9]+)x([0-9]+)$")
    message(FATAL_ERROR "engine '${spec}' is not ROWSxCOLSxBUS (e.g. 16x16x128)")
  endif()
  set(rows ${CMAKE_MATCH_1})
  set(cols ${CMAKE_MATCH_2})
  set(bus ${CMAKE_MATCH_3})
  foreach(dim rows cols)
    if(NOT ${dim} MATCHES "^(2|4|8|16|32|64)$")
      message(FATAL_ERROR "engine '${spec}': ${dim} = ${${dim}} is not a power of two in [2, 64]")
    endif()
  endforeach()
  if(NOT bus MATCHES "^(64|128|256|512)$")
    message(FATAL_ERROR "engine '${spec}': bus = ${bus} is not 64, 128, 256 or 512 bits")
  endif()
  set(${prefix}_ROWS ${rows} PARENT_SCOPE)
  set(${prefix}_COLS ${cols} PARENT_SCOPE)
  set(${prefix}_BUS ${bus} PARENT_SCOPE)
endfunction()

set(TESSERA_SIM_ENGINES ${TESSERA_ENGINE} ${TESSERA_EXTRA_ENGINES})
list(REMOVE_DUPLICATES TESSERA_SIM_ENGINES)
foreach(_engine IN LISTS TESSERA_SIM_ENGINES)
  tessera_engine_shape(${_engine} _check)
endforeach()
tessera_engine_shape(${TESSERA_ENGINE} TESSERA_ENGINE)

# The default engine's models, for programs and tests of that shape: the core alone
# (TESSERA_CORE_MODEL, _HEADER, _ROWS, _COLS) and the whole engine (TESSERA_TOP_MODEL,
# _HEADER, _ROWS, _COLS, _BUS, TESSERA_ENGINE_NAME).
function(tessera_core_model_defines target)
  set(core Vtessera_core_${TESSERA_ENGINE_ROWS}x${TESSERA_ENGINE_COLS})
  target_compile_definitions(${target} PRIVATE TESSERA_CORE_MODEL=${core}
    TESSERA_CORE_HEADER="${core}.h" TESSERA_CORE_ROWS=${TESSERA_ENGINE_ROWS}
    TESSERA_CORE_COLS=${TESSERA_ENGINE_COLS})
endfunction()
function(tessera_top_model_defines target)
  set(top Vtessera_top_${TESSERA_ENGINE})
  target_compile_definitions(${target} PRIVATE TESSERA_TOP_MODEL=${top}
    TESSERA_TOP_HEADER="${top}.h" TESSERA_TOP_ROWS=${TESSERA_ENGINE_ROWS}
    TESSERA_TOP_COLS=${TESSERA_ENGINE_COLS} TESSERA_TOP_BUS=${TESSERA_ENGINE_BUS}
    TESSERA_ENGINE_NAME="${TESSERA_ENGINE}")
endfunction()
