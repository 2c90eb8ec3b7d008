// SPDX-License-Identifier: Apache-2.0
// tessera_array: the NumRows x NumCols grid of weight-stationary processing elements.
//
// Function:   row r receives activation element r (with its weight-bank bit) at its left
//             edge and passes it right; partial sums start at zero at the top of each
//             column and leave at the bottom. Each column has a weight bus: when bit r of
//             wgt_row_en_i's column-c field is set, PE (r, c) stores that column's weight
//             byte into bank wgt_bank_i[c]. Activations must arrive skewed: element r of a
//             vector enters r cycles after element 0 (tessera_core does this). Then column
//             c's bottom output is
//                 psum[c] = sum_r act[r] * wgt[bank][r][c]
//             for the vector whose element 0 entered NumRows + c cycles earlier.
// Latency:    NumRows + c cycles from element 0 entering to column c's result.
// Throughput: one activation vector in and one partial-sum vector out per cycle
//             (NumRows * NumCols MACs per cycle); never stalls.
module tessera_array #(
  parameter int NumRows         = tessera_pkg::DefaultNumRows,
  parameter int NumCols         = tessera_pkg::DefaultNumCols,
  parameter int ProductRegister = 0,  // see tessera_pe
  parameter int PackedPairs     = 0   // 1: columns 2j and 2j+1 share a multiplier per row
                                      // (tessera_pe_pair); needs an even NumCols and
                                      // NumRows >= 2; the same timing at the ports
) (
  input  logic                                      clk_i,
  // Skewed activations entering the left edge, one element and bank bit per row
  input  logic [NumRows*tessera_pkg::DataWidth-1:0] act_i,
  input  logic [NumRows-1:0]                        act_bank_i,
  // Weight buses, one per column: row enables (NumRows bits per column), bank, byte
  input  logic [NumCols*NumRows-1:0]                wgt_row_en_i,
  input  logic [NumCols-1:0]                        wgt_bank_i,
  input  logic [NumCols*tessera_pkg::DataWidth-1:0] wgt_data_i,
  // Partial sums leaving the bottom edge, one per column (still skewed)
  output logic [NumCols*tessera_pkg::AccWidth-1:0]  psum_o
);

  localparam int DataWidth = tessera_pkg::DataWidth;
  localparam int AccWidth  = tessera_pkg::AccWidth;

  // Grid wiring as flat vectors (Yosys keeps no unpacked wire arrays). Horizontal nets
  // have NumCols+1 slots per row: slot (r, c) enters PE (r, c), slot (r, NumCols) leaves
  // the right edge. Vertical nets have NumRows+1 slots per column: slot (r, c) enters
  // PE (r, c), slot (NumRows, c) leaves the bottom edge.
  localparam int HSlots = NumRows * (NumCols + 1);
  localparam int VSlots = (NumRows + 1) * NumCols;

  logic [HSlots*DataWidth-1:0] act_w;
  logic [HSlots-1:0]           act_bank_w;
  logic [VSlots*AccWidth-1:0]  psum_w;

  for (genvar r = 0; r < NumRows; r++) begin : g_left_edge
    localparam int H = r * (NumCols + 1);
    assign act_w[H*DataWidth +: DataWidth] = act_i[r*DataWidth +: DataWidth];
    assign act_bank_w[H] = act_bank_i[r];
  end

  for (genvar c = 0; c < NumCols; c++) begin : g_top_edge
    localparam int Bottom = NumRows * NumCols + c;
    assign psum_w[c*AccWidth +: AccWidth] = '0;
    assign psum_o[c*AccWidth +: AccWidth] = psum_w[Bottom*AccWidth +: AccWidth];
  end

  for (genvar r = 0; r < NumRows; r++) begin : g_row
    for (genvar c = 0; c < NumCols; c++) begin : g_col
      localparam int HIn  = r * (NumCols + 1) + c;  // horizontal slot entering this PE
      localparam int VIn  = r * NumCols + c;        // vertical slot entering this PE
      if (PackedPairs == 0) begin : g_pe
        tessera_pe #(
          .ProductRegister(ProductRegister)
        ) u_pe (
          .clk_i,
          .act_i      (act_w[HIn*DataWidth +: DataWidth]),
          .act_bank_i (act_bank_w[HIn]),
          .act_o      (act_w[(HIn+1)*DataWidth +: DataWidth]),
          .act_bank_o (act_bank_w[HIn+1]),
          .psum_i     (psum_w[VIn*AccWidth +: AccWidth]),
          .psum_o     (psum_w[(VIn+NumCols)*AccWidth +: AccWidth]),
          .wgt_write_i(wgt_row_en_i[c*NumRows + r]),
          .wgt_bank_i (wgt_bank_i[c]),
          .wgt_data_i (wgt_data_i[c*DataWidth +: DataWidth])
        );
      end else if (c % 2 == 0) begin : g_pair
        // PEs (r, c) and (r, c+1) on one multiplier; the slot between them stays unused.
        tessera_pe_pair #(
          .ProductRegister(ProductRegister)
        ) u_pair (
          .clk_i,
          .act_i         (act_w[HIn*DataWidth +: DataWidth]),
          .act_bank_i    (act_bank_w[HIn]),
          .act_o         (act_w[(HIn+2)*DataWidth +: DataWidth]),
          .act_bank_o    (act_bank_w[HIn+2]),
          .psum_lo_i     (psum_w[VIn*AccWidth +: AccWidth]),
          .psum_lo_o     (psum_w[(VIn+NumCols)*AccWidth +: AccWidth]),
          .psum_hi_i     (psum_w[(VIn+1)*AccWidth +: AccWidth]),
          .psum_hi_o     (psum_w[(VIn+1+NumCols)*AccWidth +: AccWidth]),
          .wgt_lo_write_i(wgt_row_en_i[c*NumRows + r]),
          .wgt_lo_bank_i (wgt_bank_i[c]),
          .wgt_lo_data_i (wgt_data_i[c*DataWidth +: DataWidth]),
          .wgt_hi_write_i(wgt_row_en_i[(c+1)*NumRows + r]),
          .wgt_hi_bank_i (wgt_bank_i[c+1]),
          .wgt_hi_data_i (wgt_data_i[(c+1)*DataWidth +: DataWidth])
        );
        // Nothing drives the horizontal slot between the pair's two columns.
        assign act_w[(HIn+1)*DataWidth +: DataWidth] = '0;
        assign act_bank_w[HIn+1] = 1'b0;
      end
    end
  end

  if (PackedPairs != 0 && (NumCols % 2 != 0 || NumRows < 2)) begin : g_bad_pairs
    $error("tessera_array: PackedPairs needs an even NumCols and NumRows >= 2");
  end

  // Activations leaving the right edge are deliberately dropped: the last column has no
  // neighbour to feed.
  logic unused_right_edge;
  always_comb begin
    unused_right_edge = 1'b0;
    for (int r = 0; r < NumRows; r++) begin
      unused_right_edge ^= ^act_w[(r*(NumCols+1)+NumCols)*DataWidth +: DataWidth] ^
                            act_bank_w[r*(NumCols+1)+NumCols];
    end
  end

endmodule
