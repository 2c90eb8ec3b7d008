// SPDX-License-Identifier: Apache-2.0
// tessera_postproc: the store path's output stage for one accumulator vector per cycle.
//
// Function:   for every lane l of an int32 vector, tessera_requant_lane computes
//               out[l] = clamp(requantize(acc[l] + bias[l], mult[l], shift[l]) + zero_point,
//                              act_min, act_max)
//             bit-exact with tessera::ref. bias/mult/shift are per lane (per-channel
//             quantization; repeat one value for per-tensor), zero_point and the clamp
//             bounds per vector (per tensor; ReLU and ReLU6 are clamp bounds). in_user_i is
//             carried to out_user_o unchanged (e.g. a last flag). With RawOut = 1 the lanes
//             give the requantized int32 before the zero point and clamp (which are unused).
// Latency:    4 cycles. Throughput: one vector per cycle.
// Stalls:     out may stall; the whole pipeline then holds (in_ready_o low). in_ready_o and
//             out_valid_o depend only on registers and out_ready_i.
`include "tessera_assert.svh"

module tessera_postproc #(
  parameter int  Lanes     = tessera_pkg::DefaultNumCols,
  parameter int  UserWidth = 1,
  parameter bit  RawOut    = 1'b0,
  localparam int OutWidth  = RawOut ? 32 : 8
) (
  input  logic                   clk_i,
  input  logic                   rst_ni,
  // Accumulator vectors with their output-stage parameters
  input  logic                   in_valid_i,
  output logic                   in_ready_o,
  input  logic [Lanes*32-1:0]    in_acc_i,
  input  logic [Lanes*32-1:0]    in_bias_i,
  input  logic [Lanes*32-1:0]    in_mult_i,
  input  logic [Lanes*6-1:0]     in_shift_i,
  input  logic [7:0]             in_zero_point_i,
  input  logic [7:0]             in_act_min_i,
  input  logic [7:0]             in_act_max_i,
  input  logic [UserWidth-1:0]   in_user_i,
  // int8 vectors (int32 raw)
  output logic                   out_valid_o,
  input  logic                   out_ready_i,
  output logic [Lanes*OutWidth-1:0] out_data_o,
  output logic [UserWidth-1:0]   out_user_o
);

  localparam int Stages = 4;  // tessera_requant_lane's latency

  logic en;
  assign en         = !out_valid_o || out_ready_i;
  assign in_ready_o = en;

  // Valid bits and user sideband ride along the lanes' pipeline; the per-tensor operands
  // are needed in the lanes' last stage, so they ride along three stages.
  logic [Stages-1:0]           valid_q;
  logic [Stages*UserWidth-1:0] user_q;
  logic [3*24-1:0]             tensor_q;  // {zero_point, act_min, act_max} per stage

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni)  valid_q <= '0;
    else if (en)  valid_q <= {valid_q[Stages-2:0], in_valid_i};
  end
  always_ff @(posedge clk_i) begin
    if (en) begin
      user_q   <= {user_q[(Stages-1)*UserWidth-1:0], in_user_i};
      tensor_q <= {tensor_q[2*24-1:0], in_zero_point_i, in_act_min_i, in_act_max_i};
    end
  end

  logic [7:0] zero_point, act_min, act_max;
  assign {zero_point, act_min, act_max} = tensor_q[2*24 +: 24];

  for (genvar l = 0; l < Lanes; l++) begin : g_lane
    tessera_requant_lane #(
      .RawOut(RawOut)
    ) u_lane (
      .clk_i,
      .en_i        (en),
      .acc_i       (in_acc_i[l*32 +: 32]),
      .bias_i      (in_bias_i[l*32 +: 32]),
      .mult_i      (in_mult_i[l*32 +: 32]),
      .shift_i     (in_shift_i[l*6 +: 6]),
      .zero_point_i(zero_point),
      .act_min_i   (act_min),
      .act_max_i   (act_max),
      .out_o       (out_data_o[l*OutWidth +: OutWidth])
    );
  end

  assign out_valid_o = valid_q[Stages-1];
  assign out_user_o  = user_q[(Stages-1)*UserWidth +: UserWidth];

  `TESSERA_ASSERT(OutHeldWhileStalled_A,
                  (out_valid_o && !out_ready_i) |=> (out_valid_o && $stable(out_data_o)),
                  clk_i, rst_ni)

endmodule
