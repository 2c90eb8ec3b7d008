// SPDX-License-Identifier: Apache-2.0
// tessera_pool_2x2: 2x2 max-pool of int8 vectors that arrive a window at a time.
//
// Function:   with enable_i, takes the four vectors of each 2x2 window in a row and emits,
//             with the fourth, their lane-wise signed maximum; without it, every vector
//             passes unchanged. start_i takes a new command's enable_i and begins a window.
// Latency:    combinational: the pooled vector leaves in the cycle its window's fourth
//             vector arrives. Throughput: one vector in per cycle.
// Stalls:     either side; a vector that completes no window is always taken.
module tessera_pool_2x2 #(
  parameter int Lanes = tessera_pkg::DefaultNumCols
) (
  input  logic               clk_i,
  input  logic               start_i,
  input  logic               enable_i,   // sampled with start_i
  // Vectors in window order
  input  logic               in_valid_i,
  output logic               in_ready_o,
  input  logic [Lanes*8-1:0] in_data_i,
  // Pooled vectors
  output logic               out_valid_o,
  input  logic               out_ready_i,
  output logic [Lanes*8-1:0] out_data_o
);

  logic               enable_d, enable_q;
  logic [1:0]         phase_d, phase_q;  // vector of the window that arrives next
  logic [Lanes*8-1:0] max_d, max_q;      // the window's maximum so far
  logic               emit, take;

  always_comb begin
    for (int l = 0; l < Lanes; l++) begin
      out_data_o[8*l +: 8] = (phase_q != 2'd0 && $signed(max_q[8*l +: 8]) > $signed(in_data_i[8*l +: 8]))
                             ? max_q[8*l +: 8] : in_data_i[8*l +: 8];
    end
  end

  assign emit        = !enable_q || phase_q == 2'd3;
  assign out_valid_o = in_valid_i && emit;
  assign in_ready_o  = !emit || out_ready_i;
  assign take        = enable_q && in_valid_i && in_ready_o;

  always_comb begin
    enable_d = enable_q;
    phase_d = phase_q;
    max_d   = max_q;
    if (take) begin
      phase_d = phase_q + 2'd1;
      max_d   = out_data_o;
    end
    if (start_i) begin
      enable_d = enable_i;
      phase_d  = '0;
    end
  end

  // Reset-free: start_i sets them before every command's first vector.
  always_ff @(posedge clk_i) begin
    enable_q <= enable_d;
    phase_q  <= phase_d;
    max_q   <= max_d;
  end

endmodule
