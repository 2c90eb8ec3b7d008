# SPDX-License-Identifier: Apache-2.0
# Vivado batch flow for a KCU105 (Kintex UltraScale XCKU040) as a PCIe card behind Xilinx's
# XDMA driver - the `xdma` backend of the driver (docs/boards.md):
#   - XDMA, PCIe Gen3 x8, AXI memory-mapped; its AXI master (the h2c/c2h channels) and the
#     engine's DMA master share the card's DDR4 (C0, 2 GiB at address 0) through a
#     SmartConnect; the card memory the driver uses is `mem=0:SIZE` (default 1 GiB);
#   - XDMA's AXI-Lite master (BAR0 of the user function, /dev/xdma0_user) reaches the
#     engine's registers at offset 0 (4 KiB);
#   - the engine's interrupt drives usr_irq_req[0] (/dev/xdma0_events_0);
#   - the engine runs on XDMA's axi_aclk (250 MHz); the build fails if timing is not met.
#
#   vivado -mode batch -source constraints/kcu105/build.tcl -tclargs <output directory>
# (make bitstream BOARD=kcu105 runs this.) Not run on this project's machines: no Vivado
# there (docs/boards.md).

set here [file dirname [file normalize [info script]]]
set root [file normalize [file join $here .. ..]]
set out [expr {$argc > 0 ? [file normalize [lindex $argv 0]] : "$root/build/boards/kcu105"}]

create_project -force tessera_kcu105 $out -part xcku040-ffva1156-2-e
set_property board_part xilinx.com:kcu105:part0:1.1 [current_project]

source [file join $root constraints common vivado.tcl]
tessera_add_sources $root
add_files -fileset constrs_1 -norecurse [file join $here kcu105.xdc]

create_bd_design tessera

# PCIe: the reference clock through an IBUFDS_GTE3, XDMA on the board's x8 edge connector.
set refclk [create_bd_cell -type ip -vlnv xilinx.com:ip:util_ds_buf pcie_refclk_buf]
set_property CONFIG.C_BUF_TYPE {IBUFDSGTE} $refclk
apply_board_connection -board_interface "pcie_refclk" -ip_intf "pcie_refclk_buf/CLK_IN_D" \
  -diagram "tessera"
set xdma [create_bd_cell -type ip -vlnv xilinx.com:ip:xdma xdma]
set_property -dict [list \
  CONFIG.mode_selection {Advanced} \
  CONFIG.pl_link_cap_max_link_width {X8} \
  CONFIG.pl_link_cap_max_link_speed {8.0_GT/s} \
  CONFIG.axi_data_width {256_bit} \
  CONFIG.axisten_freq {250} \
  CONFIG.axilite_master_en {true} \
  CONFIG.axilite_master_size {4} \
  CONFIG.axilite_master_scale {Kilobytes} \
  CONFIG.xdma_num_usr_irq {1} \
] $xdma
apply_board_connection -board_interface "pci_express" -ip_intf "xdma/pcie_mgt" -diagram "tessera"
apply_board_connection -board_interface "pcie_perstn" -ip_intf "xdma/RST.sys_rst_n" \
  -diagram "tessera"
connect_bd_net [get_bd_pins pcie_refclk_buf/IBUF_OUT] [get_bd_pins xdma/sys_clk_gt]
connect_bd_net [get_bd_pins pcie_refclk_buf/IBUF_DS_ODIV2] [get_bd_pins xdma/sys_clk]

# Card memory: DDR4 C0 with its own clock and reset.
set ddr [create_bd_cell -type ip -vlnv xilinx.com:ip:ddr4 ddr4]
apply_board_connection -board_interface "ddr4_sdram" -ip_intf "ddr4/C0_DDR4" -diagram "tessera"
apply_board_connection -board_interface "default_sysclk_300" -ip_intf "ddr4/C0_SYS_CLK" \
  -diagram "tessera"
apply_board_connection -board_interface "reset" -ip_intf "ddr4/SYSTEM_RESET" -diagram "tessera"
set ddr_rst [create_bd_cell -type ip -vlnv xilinx.com:ip:proc_sys_reset ddr4_reset]
connect_bd_net [get_bd_pins ddr4/c0_ddr4_ui_clk] [get_bd_pins ddr4_reset/slowest_sync_clk]
connect_bd_net [get_bd_pins ddr4/c0_ddr4_ui_clk_sync_rst] [get_bd_pins ddr4_reset/ext_reset_in]
connect_bd_net [get_bd_pins ddr4_reset/peripheral_aresetn] [get_bd_pins ddr4/c0_ddr4_aresetn]

# The engine on XDMA's clock; both masters into the DDR4 through one SmartConnect (which
# also crosses into the DDR4's clock).
create_bd_cell -type module -reference tessera_axi tessera
set sc [create_bd_cell -type ip -vlnv xilinx.com:ip:smartconnect memory_interconnect]
set_property -dict [list CONFIG.NUM_SI {2} CONFIG.NUM_MI {1} CONFIG.NUM_CLKS {2}] $sc
connect_bd_intf_net [get_bd_intf_pins xdma/M_AXI] [get_bd_intf_pins memory_interconnect/S00_AXI]
connect_bd_intf_net [get_bd_intf_pins tessera/m_axi_mem] \
  [get_bd_intf_pins memory_interconnect/S01_AXI]
connect_bd_intf_net [get_bd_intf_pins memory_interconnect/M00_AXI] \
  [get_bd_intf_pins ddr4/C0_DDR4_S_AXI]
connect_bd_intf_net [get_bd_intf_pins xdma/M_AXI_LITE] [get_bd_intf_pins tessera/s_axi_ctrl]
connect_bd_net [get_bd_pins xdma/axi_aclk] [get_bd_pins tessera/aclk] \
  [get_bd_pins memory_interconnect/aclk]
connect_bd_net [get_bd_pins ddr4/c0_ddr4_ui_clk] [get_bd_pins memory_interconnect/aclk1]
connect_bd_net [get_bd_pins xdma/axi_aresetn] [get_bd_pins tessera/aresetn] \
  [get_bd_pins memory_interconnect/aresetn]
connect_bd_net [get_bd_pins tessera/irq] [get_bd_pins xdma/usr_irq_req]

# Addresses: the DDR4 at 0 for both masters; the registers at 0 behind the AXI-Lite BAR.
assign_bd_address
set_property offset 0x00000000 [get_bd_addr_segs {xdma/M_AXI/SEG_ddr4_C0_DDR4_ADDRESS_BLOCK}]
set_property offset 0x00000000 \
  [get_bd_addr_segs {tessera/m_axi_mem/SEG_ddr4_C0_DDR4_ADDRESS_BLOCK}]
set_property offset 0x00000000 [get_bd_addr_segs {xdma/M_AXI_LITE/SEG_tessera_reg0}]
set_property range 4K [get_bd_addr_segs {xdma/M_AXI_LITE/SEG_tessera_reg0}]
validate_bd_design
save_bd_design

set wns [tessera_implement $out tessera_kcu105]
puts "tessera: $out/tessera_kcu105.bit written (WNS $wns ns)"
