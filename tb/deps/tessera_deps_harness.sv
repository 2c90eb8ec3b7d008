// SPDX-License-Identifier: Apache-2.0
// Test wrapper (not part of the design): the dependency-token wiring of the engine - a
// tessera_dep_gate per unit (load, compute, store) and a tessera_token_counter per
// direction - with the units themselves left to the test.
module tessera_deps_harness (
  input  logic        clk_i,
  input  logic        rst_ni,
  // Per unit u (0 load, 1 compute, 2 store): commands in, to the unit, done
  input  logic [2:0]  in_valid_i,
  output logic [2:0]  in_ready_o,
  input  logic [11:0] in_deps_i,
  input  logic [47:0] in_id_i,
  output logic [47:0] done_id_o,
  output logic [2:0]  out_valid_o,
  input  logic [2:0]  out_ready_i,
  output logic [47:0] out_id_o,
  input  logic [2:0]  done_i
);

  // Counters: l2c (load -> compute), c2l, c2s, s2c.
  logic l2c_avail, c2l_avail, c2s_avail, s2c_avail;
  logic l2c_push, c2l_push, c2s_push, s2c_push;
  logic l2c_pop, c2l_pop, c2s_pop, s2c_pop;
  logic [3:0] unused_pops;
  logic [2:0] unused_stall;
  logic [3:0] unused_overflow;  // the engine reports it (tessera_cmd_path); not tested here

  tessera_token_counter u_l2c (.clk_i, .rst_ni, .clr_i(1'b0), .push_i(l2c_push), .pop_i(l2c_pop), .avail_o(l2c_avail),
                              .overflow_o(unused_overflow[0]));
  tessera_token_counter u_c2l (.clk_i, .rst_ni, .clr_i(1'b0), .push_i(c2l_push), .pop_i(c2l_pop), .avail_o(c2l_avail),
                              .overflow_o(unused_overflow[1]));
  tessera_token_counter u_c2s (.clk_i, .rst_ni, .clr_i(1'b0), .push_i(c2s_push), .pop_i(c2s_pop), .avail_o(c2s_avail),
                              .overflow_o(unused_overflow[2]));
  tessera_token_counter u_s2c (.clk_i, .rst_ni, .clr_i(1'b0), .push_i(s2c_push), .pop_i(s2c_pop), .avail_o(s2c_avail),
                              .overflow_o(unused_overflow[3]));

  // Load: no previous unit; next = compute.
  tessera_dep_gate #(.PayloadWidth(16), .TagWidth(16)) u_load (
    .clk_i, .rst_ni, .clr_i(1'b0),
    .in_valid_i(in_valid_i[0]), .in_ready_o(in_ready_o[0]), .in_deps_i(in_deps_i[3:0]),
    .in_payload_i(in_id_i[15:0]), .out_valid_o(out_valid_o[0]), .out_ready_i(out_ready_i[0]),
    .out_payload_o(out_id_o[15:0]), .done_i(done_i[0]), .release_i(done_i[0]), .in_tag_i(in_id_i[15:0]), .done_tag_o(done_id_o[15:0]),
    .prev_avail_i(1'b0), .prev_pop_o(unused_pops[0]), .next_avail_i(c2l_avail), .next_pop_o(c2l_pop),
    .prev_push_o(unused_pops[1]), .next_push_o(l2c_push), .stall_o(unused_stall[0]));
  // Compute: previous = load, next = store.
  tessera_dep_gate #(.PayloadWidth(16), .TagWidth(16)) u_compute (
    .clk_i, .rst_ni, .clr_i(1'b0),
    .in_valid_i(in_valid_i[1]), .in_ready_o(in_ready_o[1]), .in_deps_i(in_deps_i[7:4]),
    .in_payload_i(in_id_i[31:16]), .out_valid_o(out_valid_o[1]), .out_ready_i(out_ready_i[1]),
    .out_payload_o(out_id_o[31:16]), .done_i(done_i[1]), .release_i(done_i[1]), .in_tag_i(in_id_i[31:16]), .done_tag_o(done_id_o[31:16]),
    .prev_avail_i(l2c_avail), .prev_pop_o(l2c_pop), .next_avail_i(s2c_avail), .next_pop_o(s2c_pop),
    .prev_push_o(c2l_push), .next_push_o(c2s_push), .stall_o(unused_stall[1]));
  // Store: previous = compute; no next unit.
  tessera_dep_gate #(.PayloadWidth(16), .TagWidth(16)) u_store (
    .clk_i, .rst_ni, .clr_i(1'b0),
    .in_valid_i(in_valid_i[2]), .in_ready_o(in_ready_o[2]), .in_deps_i(in_deps_i[11:8]),
    .in_payload_i(in_id_i[47:32]), .out_valid_o(out_valid_o[2]), .out_ready_i(out_ready_i[2]),
    .out_payload_o(out_id_o[47:32]), .done_i(done_i[2]), .release_i(done_i[2]), .in_tag_i(in_id_i[47:32]), .done_tag_o(done_id_o[47:32]),
    .prev_avail_i(c2s_avail), .prev_pop_o(c2s_pop), .next_avail_i(1'b0), .next_pop_o(unused_pops[2]),
    .prev_push_o(s2c_push), .next_push_o(unused_pops[3]), .stall_o(unused_stall[2]));

endmodule
