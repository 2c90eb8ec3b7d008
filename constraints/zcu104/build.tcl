# SPDX-License-Identifier: Apache-2.0
# Vivado batch flow for the ZCU104 (Zynq UltraScale+ XCZU7EV): a block design with the
# processing system, tessera_axi (constraints/common) with its registers on M_AXI_HPM0_FPD
# and its DMA master on S_AXI_HP0_FPD (128 bits), its interrupt on pl_ps_irq0, a 200 MHz
# PL clock; then the bitstream, a timing check and the hardware description (.xsa) for
# PetaLinux. The registers land at 0xA000_0000 (4 KiB), as tessera-overlay.dtso says.
#
#   vivado -mode batch -source constraints/zcu104/build.tcl -tclargs <output directory>
# (make bitstream BOARD=zcu104 runs this.) Not run on this project's machines: no Vivado
# there (docs/boards.md).

set here [file dirname [file normalize [info script]]]
set root [file normalize [file join $here .. ..]]
set out [expr {$argc > 0 ? [file normalize [lindex $argv 0]] : "$root/build/boards/zcu104"}]
set clock_mhz 200

create_project -force tessera_zcu104 $out -part xczu7ev-ffvc1156-2-e
set_property board_part xilinx.com:zcu104:part0:1.1 [current_project]

source [file join $root constraints common vivado.tcl]
tessera_add_sources $root

# Block design.
create_bd_design tessera
set ps [create_bd_cell -type ip -vlnv xilinx.com:ip:zynq_ultra_ps_e zynq_ps]
apply_bd_automation -rule xilinx.com:bd_rule:zynq_ultra_ps_e -config {apply_board_preset "1"} $ps
set_property -dict [list \
  CONFIG.PSU__USE__M_AXI_GP0 {1} \
  CONFIG.PSU__USE__M_AXI_GP1 {0} \
  CONFIG.PSU__USE__S_AXI_GP2 {1} \
  CONFIG.PSU__SAXIGP2__DATA_WIDTH {128} \
  CONFIG.PSU__USE__IRQ0 {1} \
  CONFIG.PSU__FPGA_PL0_ENABLE {1} \
  CONFIG.PSU__CRL_APB__PL0_REF_CTRL__FREQMHZ $clock_mhz \
] $ps
create_bd_cell -type module -reference tessera_axi tessera
apply_bd_automation -rule xilinx.com:bd_rule:axi4 -config [list \
  Clk_master "/zynq_ps/pl_clk0 ($clock_mhz MHz)" Clk_slave Auto Clk_xbar Auto \
  Master /zynq_ps/M_AXI_HPM0_FPD Slave /tessera/s_axi_ctrl ddr_seg Auto \
  intc_ip {New AXI SmartConnect} master_apm 0] [get_bd_intf_pins tessera/s_axi_ctrl]
apply_bd_automation -rule xilinx.com:bd_rule:axi4 -config [list \
  Clk_master Auto Clk_slave "/zynq_ps/pl_clk0 ($clock_mhz MHz)" Clk_xbar Auto \
  Master /tessera/m_axi_mem Slave /zynq_ps/S_AXI_HP0_FPD ddr_seg Auto \
  intc_ip {New AXI SmartConnect} master_apm 0] [get_bd_intf_pins zynq_ps/S_AXI_HP0_FPD]
connect_bd_net [get_bd_pins tessera/irq] [get_bd_pins zynq_ps/pl_ps_irq0]
assign_bd_address
set_property offset 0xA0000000 [get_bd_addr_segs {zynq_ps/Data/SEG_tessera_reg0}]
set_property range 4K [get_bd_addr_segs {zynq_ps/Data/SEG_tessera_reg0}]
validate_bd_design
save_bd_design

set wns [tessera_implement $out tessera_zcu104]
write_hw_platform -fixed -include_bit -force [file join $out tessera_zcu104.xsa]
puts "tessera: $out/tessera_zcu104.bit and .xsa written (WNS $wns ns at $clock_mhz MHz)"
