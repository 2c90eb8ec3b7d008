// SPDX-License-Identifier: Apache-2.0
// tessera_tap_delay: a delay line whose every stage is an output (a tapped delay).
//
// Function:   tap k of data_o is data_i delayed by exactly k cycles, k = 0..Taps-1 (tap 0
//             is a wire). It is the skew of a value that every lane shares: one chain of
//             Taps-1 registers instead of a triangle of them.
// Latency:    k cycles for tap k. Throughput: one word per cycle; never stalls.
// Reset:      every stage resets to zero (the core uses it for write enables).
module tessera_tap_delay #(
  parameter int Width = 1,
  parameter int Taps  = 2
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  input  logic [Width-1:0]      data_i,
  output logic [Taps*Width-1:0] data_o
);

  if (Taps == 1) begin : g_wire
    assign data_o = data_i;
    logic unused_clk_rst;
    assign unused_clk_rst = clk_i ^ rst_ni;
  end else begin : g_chain
    // Stage s (bits [s*Width +: Width]) holds data_i delayed s+1 cycles.
    logic [(Taps-1)*Width-1:0] stages_d, stages_q;

    if (Taps == 2) begin : g_single
      assign stages_d = data_i;
    end else begin : g_multi
      assign stages_d = {stages_q[(Taps-2)*Width-1:0], data_i};
    end

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) stages_q <= '0;
      else         stages_q <= stages_d;
    end

    assign data_o = {stages_q, data_i};
  end

  if (Taps < 1) begin : g_bad_taps
    $error("tessera_tap_delay: Taps must be >= 1");
  end

endmodule
