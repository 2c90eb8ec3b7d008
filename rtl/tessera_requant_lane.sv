// SPDX-License-Identifier: Apache-2.0
// tessera_requant_lane: one lane of the output stage - bias, TFLite requantization, clamp.
//
// Function:   out = clamp(MultiplyByQuantizedMultiplier(acc + bias, mult, shift) + zero_point,
//                         act_min, act_max)
//             with TFLite's semantics, bit-exact with tessera::ref::requantize:
//               x  = acc + bias                          (int32, wrapping)
//               xl = x << max(shift, 0)                  (int32, wrapping)
//               h  = round(xl * mult / 2^31), ties up; INT32_MIN * INT32_MIN saturates
//                    (gemmlowp SaturatingRoundingDoublingHighMul)
//               q  = round(h / 2^max(-shift, 0)), ties away from zero
//                    (gemmlowp RoundingDivideByPOT)
//             shift is two's complement in [-31, 30]; act_min <= act_max are int8.
//             With RawOut = 1 the result is q itself, int32 (zero point and clamp unused):
//             the rescaling of TFLite ADD's inputs (tessera_compute_unit's RESCALE).
// Latency:    4 cycles: bias and left shift | 32x32 multiply | rounding high half |
//             rounding right shift, zero point and clamp. Throughput: one value per cycle
//             while en_i is high; every register holds while en_i is low (the pipeline stall
//             of tessera_postproc).
module tessera_requant_lane #(
  parameter bit  RawOut   = 1'b0,
  localparam int OutWidth = RawOut ? 32 : 8
) (
  input  logic        clk_i,
  input  logic        en_i,
  // Stage-0 operands
  input  logic [31:0] acc_i,
  input  logic [31:0] bias_i,
  input  logic [31:0] mult_i,
  input  logic [5:0]  shift_i,
  // Stage-3 operands (per tensor; the caller delays them with the pipeline)
  input  logic [7:0]  zero_point_i,
  input  logic [7:0]  act_min_i,
  input  logic [7:0]  act_max_i,
  // Result, 4 cycles after its operands
  output logic [OutWidth-1:0] out_o
);

  // ---- Stage 0: bias, left shift --------------------------------------------------------
  logic [31:0] x, xl;
  logic [4:0]  right_amount;
  logic        shift_left;
  assign x            = acc_i + bias_i;
  assign shift_left   = !shift_i[5] && shift_i != '0;
  assign xl           = shift_left ? x << shift_i[4:0] : x;
  assign right_amount = shift_left ? 5'd0 : 5'(-shift_i);

  logic [31:0] s1_xl_q, s1_mult_q;
  logic [4:0]  s1_right_q;

  // ---- Stage 1: the 32x32 signed multiply -----------------------------------------------
  logic signed [63:0] product;
  assign product = $signed(s1_xl_q) * $signed(s1_mult_q);

  logic [63:0] s2_product_q;
  logic        s2_saturate_q;
  logic [4:0]  s2_right_q;

  // ---- Stage 2: high half, rounded (add 2^30, floor-divide by 2^31) ---------------------
  logic [63:0] nudged;
  logic [31:0] high;
  assign nudged = s2_product_q + 64'h0000_0000_4000_0000;
  assign high   = s2_saturate_q ? 32'h7fff_ffff : nudged[62:31];

  logic [31:0] s3_high_q;
  logic [4:0]  s3_right_q;

  // ---- Stage 3: rounding right shift, zero point, clamp ---------------------------------
  logic [31:0] mask, remainder, threshold, quotient;
  logic signed [33:0] with_zero_point;
  logic signed [33:0] lo, hi;
  assign mask            = (32'd1 << s3_right_q) - 32'd1;
  assign remainder       = s3_high_q & mask;
  assign threshold       = (mask >> 1) + {31'd0, s3_high_q[31]};
  assign quotient        = 32'($signed(s3_high_q) >>> s3_right_q) +
                           {31'd0, remainder > threshold};
  assign with_zero_point = 34'($signed(quotient)) + 34'($signed(zero_point_i));
  assign lo              = 34'($signed(act_min_i));
  assign hi              = 34'($signed(act_max_i));

  logic [OutWidth-1:0] out_q, result;
  if (RawOut) begin : g_raw
    assign result = quotient;
  end else begin : g_clamped
    assign result = with_zero_point < lo ? act_min_i
                  : with_zero_point > hi ? act_max_i
                  : with_zero_point[7:0];
  end

  always_ff @(posedge clk_i) begin
    if (en_i) begin
      s1_xl_q       <= xl;
      s1_mult_q     <= mult_i;
      s1_right_q    <= right_amount;
      s2_product_q  <= product;
      s2_saturate_q <= s1_xl_q == 32'h8000_0000 && s1_mult_q == 32'h8000_0000;
      s2_right_q    <= s1_right_q;
      s3_high_q     <= high;
      s3_right_q    <= s2_right_q;
      out_q         <= result;
    end
  end

  assign out_o = out_q;

  // Unused: the nudged product's bits outside its rounded high half [62:31]; raw, the zero
  // point and clamp bounds.
  logic unused_nudged;
  assign unused_nudged = ^{nudged[63], nudged[30:0], RawOut ? {with_zero_point, lo, hi} : 102'd0};

endmodule
