# SPDX-License-Identifier: Apache-2.0
# tclsh scripts/tcl_complete.tcl FILE...: fails unless each file is complete Tcl (balanced
# braces, brackets and quotes), the one check of a vendor script possible without the tool.
foreach path $argv {
  set f [open $path]
  set text [read $f]
  close $f
  if {![info complete $text]} {
    puts stderr "$path: incomplete Tcl (unbalanced braces, brackets or quotes)"
    exit 1
  }
}
