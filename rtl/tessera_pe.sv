// SPDX-License-Identifier: Apache-2.0
// tessera_pe: one weight-stationary processing element of the systolic array.
//
// Function:   holds two int8 weights (bank 0 and bank 1). Each cycle it multiplies the
//             activation arriving from the left by the weight of the bank that activation
//             selects, adds the product to the partial sum arriving from above, and passes
//             the activation right and the new partial sum down:
//                 psum_o <= psum_i + act_i * wgt[act_bank_i]      (int8 x int8 -> int32)
//             When wgt_write_i is high it stores wgt_data_i into bank wgt_bank_i. Loading
//             one bank never disturbs the other, which is what lets the next tile load
//             while this one computes.
//             With ProductRegister = 1 the product is registered before the add (psum_o
//             then carries the product of the previous cycle's activation): the multiply
//             and the 32-bit add take a cycle each, for clock rates where they do not fit
//             in one (the iCE40's LUT multipliers; a DSP's M register elsewhere).
// Latency:    one cycle on the activation and partial-sum paths (two from act_i to
//             psum_o with ProductRegister); a weight write is visible to the next cycle's
//             multiply.
// Throughput: one MAC per cycle; never stalls (flow control lives in tessera_core).
module tessera_pe #(
  parameter int ProductRegister = 0  // 1: register the product (see above)
) (
  input  logic                              clk_i,
  // Activation from the left, with the weight bank it uses
  input  logic [tessera_pkg::DataWidth-1:0] act_i,
  input  logic                              act_bank_i,
  output logic [tessera_pkg::DataWidth-1:0] act_o,
  output logic                              act_bank_o,
  // Partial sum from above
  input  logic [tessera_pkg::AccWidth-1:0]  psum_i,
  output logic [tessera_pkg::AccWidth-1:0]  psum_o,
  // Weight write
  input  logic                              wgt_write_i,
  input  logic                              wgt_bank_i,
  input  logic [tessera_pkg::DataWidth-1:0] wgt_data_i
);

  localparam int DataWidth = tessera_pkg::DataWidth;
  localparam int AccWidth  = tessera_pkg::AccWidth;

  // The activation and its bank bit travel as one register: one wider register costs the
  // hardware nothing and simulates faster than two.
  logic [DataWidth:0]    act_q;  // {bank, activation}
  logic [DataWidth-1:0]  wgt0_q, wgt1_q, wgt_selected;
  logic [AccWidth-1:0]   psum_d, psum_q;
  logic [2*DataWidth-1:0] act_wide, wgt_wide, product;

  // The int8 x int8 product is formed as the low 16 bits of an unsigned multiply of the
  // operands sign-extended to 16 bits, which equals the signed product. Two tools shaped
  // this line: Yosys 0.23 maps a 32x32 multiply of sign-extended operands to three
  // DSP48E2 (this form takes one), and Verilator's signed-multiply helpers cost a third
  // of the array's simulation speed (this form is a plain C++ multiply).
  assign wgt_selected = act_bank_i ? wgt1_q : wgt0_q;
  assign act_wide     = {{DataWidth{act_i[DataWidth-1]}}, act_i};
  assign wgt_wide     = {{DataWidth{wgt_selected[DataWidth-1]}}, wgt_selected};
  assign product      = act_wide * wgt_wide;

  logic [2*DataWidth-1:0] addend;  // the product the add takes: this cycle's or the last
  if (ProductRegister != 0) begin : g_product_q
    logic [2*DataWidth-1:0] product_q;
    always_ff @(posedge clk_i) product_q <= product;
    assign addend = product_q;
  end else begin : g_product
    assign addend = product;
  end
  assign psum_d = psum_i + {{(AccWidth-2*DataWidth){addend[2*DataWidth-1]}}, addend};

  // The datapath has no reset: every value is written before the core marks it valid.
  always_ff @(posedge clk_i) begin
    act_q  <= {act_bank_i, act_i};
    psum_q <= psum_d;
    if (wgt_write_i && !wgt_bank_i) wgt0_q <= wgt_data_i;
    if (wgt_write_i &&  wgt_bank_i) wgt1_q <= wgt_data_i;
  end

  assign {act_bank_o, act_o} = act_q;
  assign psum_o              = psum_q;

endmodule
