// SPDX-License-Identifier: Apache-2.0
// tessera_perf_counters: the engine's 64-bit performance counters (docs/registers.md).
//
// Function:   counter i adds inc_i[i] (0 .. 2^IncWidth - 1) every cycle; clr_i zeroes them
//             all. Which counter counts what is tessera_reg_pkg's Counter* list.
// Latency:    an increment shows the next cycle. Throughput: every counter every cycle.
module tessera_perf_counters #(
  parameter int NumCounters = tessera_reg_pkg::NumCounters,
  parameter int IncWidth    = 32
) (
  input  logic                          clk_i,
  input  logic                          rst_ni,
  input  logic                          clr_i,
  input  logic [NumCounters*IncWidth-1:0] inc_i,
  output logic [NumCounters*64-1:0]     counters_o
);

  logic [NumCounters*64-1:0] count_d, count_q;

  always_comb begin
    for (int i = 0; i < NumCounters; i++) begin
      count_d[64*i +: 64] = count_q[64*i +: 64] + 64'(inc_i[IncWidth*i +: IncWidth]);
    end
    if (clr_i) count_d = '0;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) count_q <= '0;
    else         count_q <= count_d;
  end

  assign counters_o = count_q;

endmodule
