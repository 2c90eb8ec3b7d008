// tessera_array: the NumRows x NumCols grid of weight-stationary processing elements.
//
// Function:   row r receives activation element r (with its weight-bank bit) at its left
//             edge and passes it right; column c receives weight words at its top edge and
//             passes them down; partial sums start at zero at the top and leave at the
//             bottom. Inputs must already be skewed: element r of a vector enters r cycles
//             after element 0, and the weight word for column c enters c cycles after
//             column 0's (tessera_core does both). Then column c's bottom output is
//                 psum[c] = sum_r act[r] * wgt[bank][r][c]
//             for the vector whose element 0 entered NumRows + c cycles earlier.
// Latency:    NumRows + c cycles from element 0 entering to column c's result.
// Throughput: one activation vector in and one partial-sum vector out per cycle
//             (NumRows * NumCols MACs per cycle); never stalls.
module tessera_array #(
  parameter int NumRows     = tessera_pkg::DefaultNumRows,
  parameter int NumCols     = tessera_pkg::DefaultNumCols,
  parameter int RowIdxWidth = tessera_pkg::index_width(NumRows)
) (
  input  logic                                       clk_i,
  input  logic                                       rst_ni,
  // Skewed activations entering the left edge, one element and bank bit per row
  input  logic [NumRows*tessera_pkg::DataWidth-1:0]  act_i,
  input  logic [NumRows-1:0]                         act_bank_i,
  // Skewed weight words entering the top edge, one per column
  input  logic [NumCols-1:0]                         wgt_valid_i,
  input  logic [NumCols-1:0]                         wgt_bank_i,
  input  logic [NumCols*RowIdxWidth-1:0]             wgt_row_i,
  input  logic [NumCols*tessera_pkg::DataWidth-1:0]  wgt_data_i,
  // Partial sums leaving the bottom edge, one per column (still skewed)
  output logic [NumCols*tessera_pkg::AccWidth-1:0]   psum_o
);

  localparam int DataWidth = tessera_pkg::DataWidth;
  localparam int AccWidth  = tessera_pkg::AccWidth;

  // Grid wiring as flat vectors (Yosys keeps no unpacked wire arrays). Horizontal nets
  // have NumCols+1 slots per row, slot (r, c) entering PE (r, c) and slot (r, NumCols)
  // leaving the right edge; vertical nets have NumRows+1 slots per column, slot (r, c)
  // entering PE (r, c) and slot (NumRows, c) leaving the bottom edge.
  localparam int HSlots = NumRows * (NumCols + 1);
  localparam int VSlots = (NumRows + 1) * NumCols;

  logic [HSlots*DataWidth-1:0]   act_w;
  logic [HSlots-1:0]             act_bank_w;
  logic [VSlots*AccWidth-1:0]    psum_w;
  logic [VSlots-1:0]             wgt_valid_w, wgt_bank_w;
  logic [VSlots*RowIdxWidth-1:0] wgt_row_w;
  logic [VSlots*DataWidth-1:0]   wgt_data_w;

  for (genvar r = 0; r < NumRows; r++) begin : g_left_edge
    localparam int H = r * (NumCols + 1);
    assign act_w[H*DataWidth +: DataWidth] = act_i[r*DataWidth +: DataWidth];
    assign act_bank_w[H] = act_bank_i[r];
  end

  for (genvar c = 0; c < NumCols; c++) begin : g_top_edge
    localparam int Bottom = NumRows * NumCols + c;
    assign psum_w[c*AccWidth +: AccWidth]         = '0;
    assign wgt_valid_w[c]                         = wgt_valid_i[c];
    assign wgt_bank_w[c]                          = wgt_bank_i[c];
    assign wgt_row_w[c*RowIdxWidth +: RowIdxWidth] = wgt_row_i[c*RowIdxWidth +: RowIdxWidth];
    assign wgt_data_w[c*DataWidth +: DataWidth]   = wgt_data_i[c*DataWidth +: DataWidth];
    assign psum_o[c*AccWidth +: AccWidth]         = psum_w[Bottom*AccWidth +: AccWidth];
  end

  for (genvar r = 0; r < NumRows; r++) begin : g_row
    for (genvar c = 0; c < NumCols; c++) begin : g_col
      localparam int HIn  = r * (NumCols + 1) + c;  // horizontal slot entering this PE
      localparam int HOut = HIn + 1;
      localparam int VIn  = r * NumCols + c;        // vertical slot entering this PE
      localparam int VOut = VIn + NumCols;

      tessera_pe #(
        .RowIndex   (r),
        .RowIdxWidth(RowIdxWidth)
      ) u_pe (
        .clk_i,
        .rst_ni,
        .act_i      (act_w[HIn*DataWidth +: DataWidth]),
        .act_bank_i (act_bank_w[HIn]),
        .act_o      (act_w[HOut*DataWidth +: DataWidth]),
        .act_bank_o (act_bank_w[HOut]),
        .psum_i     (psum_w[VIn*AccWidth +: AccWidth]),
        .psum_o     (psum_w[VOut*AccWidth +: AccWidth]),
        .wgt_valid_i(wgt_valid_w[VIn]),
        .wgt_bank_i (wgt_bank_w[VIn]),
        .wgt_row_i  (wgt_row_w[VIn*RowIdxWidth +: RowIdxWidth]),
        .wgt_data_i (wgt_data_w[VIn*DataWidth +: DataWidth]),
        .wgt_valid_o(wgt_valid_w[VOut]),
        .wgt_bank_o (wgt_bank_w[VOut]),
        .wgt_row_o  (wgt_row_w[VOut*RowIdxWidth +: RowIdxWidth]),
        .wgt_data_o (wgt_data_w[VOut*DataWidth +: DataWidth])
      );
    end
  end

  // Activations leaving the right edge and weight words leaving the bottom edge are
  // deliberately dropped: the last column and row have no neighbour to feed.
  logic unused_edges;
  always_comb begin
    unused_edges = 1'b0;
    for (int r = 0; r < NumRows; r++) begin
      unused_edges ^= ^act_w[(r*(NumCols+1)+NumCols)*DataWidth +: DataWidth] ^
                       act_bank_w[r*(NumCols+1)+NumCols];
    end
    for (int c = NumRows * NumCols; c < VSlots; c++) begin
      unused_edges ^= wgt_valid_w[c] ^ wgt_bank_w[c] ^ ^wgt_row_w[c*RowIdxWidth +: RowIdxWidth] ^
                      ^wgt_data_w[c*DataWidth +: DataWidth];
    end
  end

endmodule
