# SPDX-License-Identifier: Apache-2.0
# `make install` (cmake --install): the libraries, their headers, the tools, a CMake package
# (find_package(Tessera): cmake/TesseraConfig.cmake.in) and a pkg-config file for the
# SystemC-free driver. The version is the hardware release in rtl/tessera_regs.json.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

file(READ ${PROJECT_SOURCE_DIR}/rtl/tessera_regs.json _regs)
string(JSON _major GET "${_regs}" version major)
string(JSON _minor GET "${_regs}" version minor)
string(JSON _patch GET "${_regs}" version patch)
set(TESSERA_VERSION ${_major}.${_minor}.${_patch})
string(REPLACE ";" ", " TESSERA_SIM_ENGINES_TEXT "${TESSERA_SIM_ENGINES}")

install(TARGETS tessera_ref tessera_isa tessera_driver tessera_devices tessera_model tessera_train
                tessera_fsim
                tessera_sim_device tessera_sc_models tessera_sc_main
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/driver/include/tessera
                  ${PROJECT_SOURCE_DIR}/refmodel/include/tessera
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.hpp")
install(FILES ${PROJECT_SOURCE_DIR}/fsim/include/tessera/fsim.hpp
              ${PROJECT_SOURCE_DIR}/sim/include/tessera/sim_device.hpp
              ${PROJECT_SOURCE_DIR}/sim/include/tessera/axi_memory_config.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/tessera)
install(TARGETS tessera tessera_sim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

configure_file(${CMAKE_CURRENT_LIST_DIR}/TesseraConfig.cmake.in
               ${PROJECT_BINARY_DIR}/install/TesseraConfig.cmake @ONLY)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/install/TesseraConfigVersion.cmake
  VERSION ${TESSERA_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/install/TesseraConfig.cmake
              ${PROJECT_BINARY_DIR}/install/TesseraConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/Tessera)
configure_file(${CMAKE_CURRENT_LIST_DIR}/tessera.pc.in ${PROJECT_BINARY_DIR}/install/tessera.pc
               @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/install/tessera.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# The same names inside this build, for a project that adds Tessera with add_subdirectory().
add_library(Tessera::ref ALIAS tessera_ref)
add_library(Tessera::isa ALIAS tessera_isa)
add_library(Tessera::driver ALIAS tessera_driver)
add_library(Tessera::devices ALIAS tessera_devices)
add_library(Tessera::model ALIAS tessera_model)
add_library(Tessera::train ALIAS tessera_train)
add_library(Tessera::sim ALIAS tessera_sim_backend)
add_library(Tessera::fsim ALIAS tessera_fsim_backend)
