// SPDX-License-Identifier: Apache-2.0
// tessera_assert.svh: the project's one assertion macro (after OpenTitan's prim_assert).
//
// `TESSERA_ASSERT(Name_A, property, clk, rst_n) checks `property` on every rising edge of
// `clk` while `rst_n` is high. Under Verilator (run with --assert) it becomes a named
// concurrent assertion; under synthesis (Yosys defines SYNTHESIS) it expands to nothing,
// because Yosys 0.23 rejects clocked properties.
`ifndef TESSERA_ASSERT_SVH
`define TESSERA_ASSERT_SVH

`ifdef SYNTHESIS
  `define TESSERA_ASSERT(name, prop, clk, rst_n)
`else
  `define TESSERA_ASSERT(name, prop, clk, rst_n) \
    name: assert property (@(posedge clk) disable iff (!(rst_n)) (prop)) \
      else $error("assertion %m failed");
`endif

`endif  // TESSERA_ASSERT_SVH
