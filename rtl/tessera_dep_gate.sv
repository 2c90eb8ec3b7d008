// SPDX-License-Identifier: Apache-2.0
// tessera_dep_gate: lets a unit's commands start only when their tokens are there.
//
// Function:   holds the unit's next command until every token its DEPS flags ask to pop
//             (POP_PREV, POP_NEXT) is available, takes those tokens as the command starts,
//             and remembers its PUSH_PREV / PUSH_NEXT flags; when the unit reports that
//             command done (units finish in order), the tokens are given, and the command's
//             tag (in_tag_i when it started: the engine uses its ring index) comes back on
//             done_tag_o so a failure can be reported against it. This is all the
//             ordering the engine does: a unit never starts a command before its tokens,
//             and a token is never given before its command's results are in place.
//             PUSH_PREV goes with release_i instead, which a unit may raise before done_i
//             (once per command, in order): the store unit does once it has read a STORE's
//             accumulator lines, which is all the compute unit before it waits for, while
//             the writes still wait for their responses.
// Latency:    a command whose tokens are there passes in the same cycle (combinational).
// Throughput: one command per cycle; up to InFlight commands between start and done.
`include "tessera_assert.svh"

module tessera_dep_gate #(
  parameter int PayloadWidth = 32,
  parameter int TagWidth     = 1,
  parameter int InFlight     = 4
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,
  input  logic                    clr_i,
  // Commands from the unit's queue: DEPS flags (tessera_isa_pkg::DepsPopPrevBit etc.)
  input  logic                    in_valid_i,
  output logic                    in_ready_o,
  input  logic [3:0]              in_deps_i,
  input  logic [PayloadWidth-1:0] in_payload_i,
  input  logic [TagWidth-1:0]     in_tag_i,
  // Commands to the unit
  output logic                    out_valid_o,
  input  logic                    out_ready_i,
  output logic [PayloadWidth-1:0] out_payload_o,
  input  logic                    done_i,
  output logic [TagWidth-1:0]     done_tag_o,
  input  logic                    release_i,  // the command's buffers are free (<= done_i)
  // Token counters
  input  logic                    prev_avail_i,
  output logic                    prev_pop_o,
  input  logic                    next_avail_i,
  output logic                    next_pop_o,
  output logic                    prev_push_o,
  output logic                    next_push_o,
  // A command is waiting for tokens this cycle (the stall counter)
  output logic                    stall_o
);

  logic want_prev, want_next, tokens_ok, start, flags_ready, flags_valid;
  logic release_ready, release_valid, push_prev, push_next;

  assign want_prev = in_deps_i[tessera_isa_pkg::DepsPopPrevBit];
  assign want_next = in_deps_i[tessera_isa_pkg::DepsPopNextBit];
  assign tokens_ok = (!want_prev || prev_avail_i) && (!want_next || next_avail_i);

  assign out_valid_o   = in_valid_i && tokens_ok && flags_ready && release_ready;
  assign out_payload_o = in_payload_i;
  assign start         = out_valid_o && out_ready_i;
  assign in_ready_o    = start;
  assign prev_pop_o    = start && want_prev;
  assign next_pop_o    = start && want_next;

  // PUSH flags and tags of the commands started and not yet done, in order.
  tessera_fifo #(
    .Width(1 + TagWidth),
    .Depth(InFlight)
  ) u_push_flags (
    .clk_i,
    .rst_ni,
    .clr_i,
    .wr_valid_i(start),
    .wr_ready_o(flags_ready),
    .wr_data_i ({in_tag_i, in_deps_i[tessera_isa_pkg::DepsPushNextBit]}),
    .rd_valid_o(flags_valid),
    .rd_ready_i(done_i),
    .rd_data_o ({done_tag_o, push_next})
  );

  // PUSH_PREV flags of the commands started and not yet released, in order.
  tessera_fifo #(
    .Width(1),
    .Depth(InFlight)
  ) u_release_flags (
    .clk_i,
    .rst_ni,
    .clr_i,
    .wr_valid_i(start),
    .wr_ready_o(release_ready),
    .wr_data_i (in_deps_i[tessera_isa_pkg::DepsPushPrevBit]),
    .rd_valid_o(release_valid),
    .rd_ready_i(release_i),
    .rd_data_o (push_prev)
  );

  assign stall_o     = in_valid_i && !tokens_ok;
  assign prev_push_o = release_i && push_prev;
  assign next_push_o = done_i && push_next;

  `TESSERA_ASSERT(DoneHasCommand_A, done_i |-> flags_valid, clk_i, rst_ni)
  `TESSERA_ASSERT(ReleaseHasCommand_A, release_i |-> release_valid, clk_i, rst_ni)
  // A command is released no later than it is done: the commands released and not yet
  // done never go below zero.
  localparam int AheadWidth = $clog2(InFlight + 1) + 1;
  logic [AheadWidth-1:0] released_ahead_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni)    released_ahead_q <= '0;
    else if (clr_i) released_ahead_q <= '0;
    else released_ahead_q <= released_ahead_q + AheadWidth'(release_i) - AheadWidth'(done_i);
  end
  `TESSERA_ASSERT(ReleasedByDone_A, done_i && !release_i |-> released_ahead_q != '0, clk_i,
                  rst_ni)

endmodule
