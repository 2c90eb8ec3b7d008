// SPDX-License-Identifier: Apache-2.0
// tessera_token_counter: the dependency tokens one unit has given another (docs/isa.md).
//
// Function:   counts tokens pushed and not yet popped, up to MaxTokens (the command set's
//             MAX_TOKENS). avail_o says a POP can be served; push_i and pop_i may come in the
//             same cycle. A push that would make MaxTokens + 1 outstanding is not counted:
//             overflow_o flags it in that cycle (the engine stops with TOKEN_OVERFLOW). A pop
//             without a token cannot happen (the gates only pop when avail_o) and fires an
//             assertion.
// Latency:    a pushed token is available the next cycle. Throughput: one push and one pop
//             per cycle.
`include "tessera_assert.svh"

module tessera_token_counter #(
  parameter int MaxTokens = tessera_isa_pkg::MaxTokens,
  localparam int Width    = $clog2(MaxTokens + 1)
) (
  input  logic clk_i,
  input  logic rst_ni,
  input  logic clr_i,
  input  logic push_i,
  input  logic pop_i,
  output logic avail_o,
  output logic overflow_o
);

  logic [Width-1:0] count_d, count_q;

  always_comb begin
    count_d = count_q;
    if (push_i && !pop_i && !overflow_o) count_d = count_q + 1'b1;
    if (pop_i && !push_i) count_d = count_q - 1'b1;
    if (clr_i)            count_d = '0;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) count_q <= '0;
    else         count_q <= count_d;
  end

  assign avail_o    = count_q != '0;
  assign overflow_o = push_i && !pop_i && count_q == Width'(MaxTokens);

  `TESSERA_ASSERT(PopHasToken_A, pop_i |-> avail_o, clk_i, rst_ni)
  `TESSERA_ASSERT(AtMostMaxTokens_A, count_q <= Width'(MaxTokens), clk_i, rst_ni)

endmodule
