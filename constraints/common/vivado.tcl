# SPDX-License-Identifier: Apache-2.0
# Shared by the boards' Vivado flows (constraints/<board>/build.tcl): the sources, and the
# implementation with its reports, timing check and bitstream.

# Adds the RTL in the order of rtl/tessera.f (packages first) and the board wrapper.
proc tessera_add_sources {root} {
  set sources {}
  set list [open [file join $root rtl tessera.f]]
  foreach line [split [read $list] "\n"] {
    set line [string trim [regsub {//.*} $line ""]]
    # Option lines (+incdir+, for Verilator's -F) are not files.
    if {$line ne "" && ![string match {[+-]*} $line]} { lappend sources [file join $root rtl $line] }
  }
  close $list
  add_files -norecurse $sources
  add_files -norecurse [file join $root rtl tessera_assert.svh]
  set_property file_type SystemVerilog [get_files -filter {FILE_TYPE == Verilog && NAME =~ *.sv}]
  set_property include_dirs [list [file join $root rtl]] [current_fileset]
  add_files -norecurse [file join $root constraints common tessera_axi.v]
  update_compile_order -fileset sources_1
}

# Wraps the block design `tessera`, implements it, writes the timing and utilization
# reports and <out>/<name>.bit; fails unless implementation completed and timing is met.
# Returns the worst setup slack in ns.
proc tessera_implement {out name} {
  make_wrapper -files [get_files tessera.bd] -top -import
  set_property top tessera_wrapper [current_fileset]
  update_compile_order -fileset sources_1
  launch_runs impl_1 -to_step write_bitstream -jobs 4
  wait_on_run impl_1
  if {[get_property PROGRESS [get_runs impl_1]] ne "100%"} {
    error "tessera: implementation did not complete; see $out/$name.runs/impl_1"
  }
  open_run impl_1
  report_timing_summary -file [file join $out timing_summary.rpt]
  report_utilization -hierarchical -file [file join $out utilization.rpt]
  set wns [get_property SLACK [get_timing_paths -max_paths 1 -nworst 1 -setup]]
  if {$wns < 0} {
    error "tessera: timing not met (WNS $wns ns); see $out/timing_summary.rpt"
  }
  file copy -force [lindex [glob [file join $out $name.runs impl_1 *.bit]] 0] \
    [file join $out $name.bit]
  return $wns
}
