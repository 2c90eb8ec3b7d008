// tessera_pe: one weight-stationary processing element of the systolic array.
//
// Function:   holds two int8 weights (bank 0 and bank 1). Each cycle it multiplies the
//             activation arriving from the left by the weight of the bank that activation
//             selects, adds the product to the partial sum arriving from above, and passes
//             the activation right and the new partial sum down:
//                 psum_o <= psum_i + act_i * wgt[act_bank_i]      (int8 x int8 -> int32)
//             Weights for the next tile travel down the column through the PE (wgt_*_i ->
//             wgt_*_o, one row per cycle); the PE whose RowIndex equals the word's row tag
//             writes it into the tagged bank. Loading one bank never disturbs the other,
//             which is what lets the next tile load while this one computes.
// Latency:    one cycle on every path (activation, partial sum, weight word).
// Throughput: one MAC per cycle; never stalls (flow control lives in tessera_core).
module tessera_pe #(
  parameter int RowIndex    = 0,
  parameter int RowIdxWidth = 4
) (
  input  logic                                clk_i,
  input  logic                                rst_ni,
  // Activation from the left, with the weight bank it uses
  input  logic [tessera_pkg::DataWidth-1:0]   act_i,
  input  logic                                act_bank_i,
  output logic [tessera_pkg::DataWidth-1:0]   act_o,
  output logic                                act_bank_o,
  // Partial sum from above
  input  logic [tessera_pkg::AccWidth-1:0]    psum_i,
  output logic [tessera_pkg::AccWidth-1:0]    psum_o,
  // Weight words travelling down the column
  input  logic                                wgt_valid_i,
  input  logic                                wgt_bank_i,
  input  logic [RowIdxWidth-1:0]              wgt_row_i,
  input  logic [tessera_pkg::DataWidth-1:0]   wgt_data_i,
  output logic                                wgt_valid_o,
  output logic                                wgt_bank_o,
  output logic [RowIdxWidth-1:0]              wgt_row_o,
  output logic [tessera_pkg::DataWidth-1:0]   wgt_data_o
);

  localparam int DataWidth    = tessera_pkg::DataWidth;
  localparam int AccWidth     = tessera_pkg::AccWidth;
  localparam int ProductWidth = 2 * DataWidth;
  localparam logic [RowIdxWidth-1:0] MyRow = RowIdxWidth'(RowIndex);

  logic [DataWidth-1:0]    wgt0_q, wgt1_q, act_q, wgt_data_q;
  logic                    act_bank_q, wgt_valid_q, wgt_bank_q;
  logic [RowIdxWidth-1:0]  wgt_row_q;
  logic [AccWidth-1:0]     psum_d, psum_q;
  logic [DataWidth-1:0]    wgt_selected;
  logic signed [ProductWidth-1:0] product;
  logic                    wgt_write;

  assign wgt_selected = act_bank_i ? wgt1_q : wgt0_q;
  assign product      = $signed(act_i) * $signed(wgt_selected);
  assign psum_d       = psum_i + AccWidth'(product);
  assign wgt_write    = wgt_valid_i && (wgt_row_i == MyRow);

  // Only the weight-word valid bit needs a reset: a stray valid would write a bank.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) wgt_valid_q <= 1'b0;
    else         wgt_valid_q <= wgt_valid_i;
  end

  always_ff @(posedge clk_i) begin
    act_q      <= act_i;
    act_bank_q <= act_bank_i;
    psum_q     <= psum_d;
    wgt_bank_q <= wgt_bank_i;
    wgt_row_q  <= wgt_row_i;
    wgt_data_q <= wgt_data_i;
    if (wgt_write && !wgt_bank_i) wgt0_q <= wgt_data_i;
    if (wgt_write &&  wgt_bank_i) wgt1_q <= wgt_data_i;
  end

  assign act_o       = act_q;
  assign act_bank_o  = act_bank_q;
  assign psum_o      = psum_q;
  assign wgt_valid_o = wgt_valid_q;
  assign wgt_bank_o  = wgt_bank_q;
  assign wgt_row_o   = wgt_row_q;
  assign wgt_data_o  = wgt_data_q;

endmodule
