// tessera_token_counter: the dependency tokens one unit has given another (docs/isa.md).
//
// Function:   counts tokens pushed and not yet popped. avail_o says a POP can be served;
//             push_i and pop_i may come in the same cycle. A pop without a token, or more
//             than 2^Width - 1 tokens outstanding, is a stream the engine cannot have run
//             (the gates only pop when avail_o) and fires an assertion.
// Latency:    a pushed token is available the next cycle. Throughput: one push and one pop
//             per cycle.
`include "tessera_assert.svh"

module tessera_token_counter #(
  parameter int Width = 8
) (
  input  logic clk_i,
  input  logic rst_ni,
  input  logic clr_i,
  input  logic push_i,
  input  logic pop_i,
  output logic avail_o
);

  logic [Width-1:0] count_d, count_q;

  always_comb begin
    count_d = count_q;
    if (push_i && !pop_i) count_d = count_q + 1'b1;
    if (pop_i && !push_i) count_d = count_q - 1'b1;
    if (clr_i)            count_d = '0;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) count_q <= '0;
    else         count_q <= count_d;
  end

  assign avail_o = count_q != '0;

  `TESSERA_ASSERT(PopHasToken_A, pop_i |-> avail_o, clk_i, rst_ni)
  `TESSERA_ASSERT(NoOverflow_A, push_i && !pop_i |-> count_q != '1, clk_i, rst_ni)

endmodule
