# SPDX-License-Identifier: Apache-2.0
# KCU105 constraints beyond the board automation (which places the PCIe lanes, the
# reference clock, PERST#, the DDR4 and its 300 MHz system clock from the board files).

# Configuration bank voltage, as the KCU105's configuration bank is powered (for a .bit
# loaded over JTAG these settings only silence the DRC).
set_property CONFIG_VOLTAGE 1.8 [current_design]
set_property CFGBVS GND [current_design]
set_property BITSTREAM.GENERAL.COMPRESS TRUE [current_design]

# PERST# is asynchronous to every clock.
set_false_path -from [get_ports pcie_perstn]
