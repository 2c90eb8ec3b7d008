// SPDX-License-Identifier: Apache-2.0
// tessera_delay: a fixed-length pipeline delay line.
//
// Function:   data_o is data_i delayed by exactly Depth clock cycles (Depth = 0 is a wire).
// Latency:    Depth cycles. Throughput: one word per cycle; never stalls.
// Reset:      with HasReset = 1 every stage resets to zero (use it for valid bits);
//             with HasReset = 0 the stages have no reset (datapath, cheaper to route).
module tessera_delay #(
  parameter int Width    = 1,
  parameter int Depth    = 1,
  parameter bit HasReset = 1'b0
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic [Width-1:0] data_i,
  output logic [Width-1:0] data_o
);

  if (Depth == 0) begin : g_wire
    assign data_o = data_i;
    logic unused_clk_rst;
    assign unused_clk_rst = clk_i ^ rst_ni;
  end else begin : g_stages
    // Stage s occupies bits [s*Width +: Width]; stage 0 is the newest word. The line
    // shifts as one vector, which simulates far faster than a per-stage loop.
    logic [Depth*Width-1:0] stages_d, stages_q;

    if (Depth == 1) begin : g_single
      assign stages_d = data_i;
    end else begin : g_multi
      assign stages_d = {stages_q[(Depth-1)*Width-1:0], data_i};
    end

    if (HasReset) begin : g_reset
      always_ff @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni) stages_q <= '0;
        else         stages_q <= stages_d;
      end
    end else begin : g_no_reset
      always_ff @(posedge clk_i) begin
        stages_q <= stages_d;
      end
      logic unused_rst;
      assign unused_rst = rst_ni;
    end

    assign data_o = stages_q[(Depth-1)*Width +: Width];
  end

  if (Depth < 0) begin : g_bad_depth
    $error("tessera_delay: Depth must be >= 0");
  end

endmodule
