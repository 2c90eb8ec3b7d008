// SPDX-License-Identifier: Apache-2.0
// tessera_skew: a triangular delay that skews (or de-skews) a vector of lanes.
//
// Function:   lane k of data_o is lane k of data_i delayed by k cycles (Reverse = 0), or by
//             Lanes-1-k cycles (Reverse = 1). The core uses the forward form to feed the
//             systolic array's diagonal wavefront and the reverse form to realign its outputs.
// Latency:    0..Lanes-1 cycles depending on the lane. Throughput: one vector per cycle;
//             never stalls.
module tessera_skew #(
  parameter int Lanes    = 4,
  parameter int Width    = 8,
  parameter bit Reverse  = 1'b0,
  parameter bit HasReset = 1'b0
) (
  input  logic                   clk_i,
  input  logic                   rst_ni,
  input  logic [Lanes*Width-1:0] data_i,
  output logic [Lanes*Width-1:0] data_o
);

  for (genvar k = 0; k < Lanes; k++) begin : g_lane
    tessera_delay #(
      .Width   (Width),
      .Depth   (Reverse ? Lanes - 1 - k : k),
      .HasReset(HasReset)
    ) u_delay (
      .clk_i,
      .rst_ni,
      .data_i(data_i[k*Width +: Width]),
      .data_o(data_o[k*Width +: Width])
    );
  end

endmodule
