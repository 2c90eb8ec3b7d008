// SPDX-License-Identifier: Apache-2.0
// tessera_core: the full-rate weight-stationary systolic GEMM core.
//
// Function:   computes, for each activation vector a (NumRows int8) streamed in, the
//             partial-sum vector  out[c] = sum_r a[r] * W[r][c]  (NumCols int32) against
//             the resident weight tile W (NumRows x NumCols int8). The user sees three
//             plain streams; skewing the inputs and de-skewing the outputs is done here.
//   wgt  A weight tile is NumRows rows, sent in order r = 0..NumRows-1, each row a vector
//        of NumCols int8 (element c at bits [8c+7:8c]). Tiles go to two banks in turn, so
//        the next tile loads while the current one computes (double buffering).
//   act  Activation vectors (element r at bits [8r+7:8r]) multiply the oldest loaded tile;
//        act_last_i marks a tile's final vector, after which that bank is free for
//        reloading and the following vectors use the next tile.
//   out  One int32 vector per activation vector, in order (column c at bits
//        [32c+31:32c]); out_last_o repeats the act_last_i of its vector.
// Latency:    Latency = NumRows + NumCols cycles from an act handshake to the matching
//             out_valid_o (with out_ready_i held high, it is also the output handshake);
//             one more with ProductRegister (a register between each PE's multiply and
//             add, for slow multipliers: see tessera_pe). Everything else is unchanged.
//             PackedPairs = 1 forms each row's two products of columns 2j and 2j+1 with
//             one multiply (tessera_pe_pair: one DSP48E2 for two MACs); nothing changes at
//             the ports, timing included. It needs an even NumCols and NumRows >= 2.
//             A weight tile takes NumRows cycles to load; the first vector that uses it
//             can be accepted the cycle after its last row.
// Throughput: one activation vector and one output vector per cycle. A tile of M vectors
//             occupies max(M, NumRows) cycles, so back-to-back tiles with M >= NumRows run
//             with no bubble: T tiles of M vectors take NumRows + T*M + Latency cycles
//             from the first weight row to the last output (see docs/architecture.md).
// Weights:    row r of a tile accepted in cycle W reaches PE (r, c) at the end of cycle
//             W + c; a vector accepted in cycle T uses PE (r, c) in cycle T + r + c. Rows
//             load in order, one per cycle at most, into a bank only once the last vector
//             of that bank's previous tile has been accepted (cycle T_last < W_0 <= W_r - r),
//             so row r is overwritten after that vector has passed it; and a tile's first
//             vector is accepted after its last row (W_r < T), so it always sees the new
//             weights. Hence the bank flags below are all the interlock the array needs.
// Stalls:     any stream may stall. wgt_ready_o, act_ready_o and out_valid_o come from
//             registers only. Inputs must hold valid and data stable while valid && !ready.
//             A stalled consumer never loses or duplicates data: vectors are admitted only
//             while the output FIFO holds a free slot for each vector in flight (credits),
//             so the array itself never stops. OutFifoDepth >= Latency + 1 keeps full rate
//             with an always-ready consumer; smaller depths trade rate for area.
`include "tessera_assert.svh"

module tessera_core #(
  parameter int NumRows      = tessera_pkg::DefaultNumRows,
  parameter int NumCols         = tessera_pkg::DefaultNumCols,
  parameter int ProductRegister = 0,
  parameter int PackedPairs     = 0,  // 1: two MACs per multiplier (tessera_pe_pair)
  parameter int OutFifoDepth    = NumRows + NumCols + 1 + (ProductRegister != 0 ? 1 : 0)
) (
  input  logic                                      clk_i,
  input  logic                                      rst_ni,
  // Weight rows
  input  logic                                      wgt_valid_i,
  output logic                                      wgt_ready_o,
  input  logic [NumCols*tessera_pkg::DataWidth-1:0] wgt_data_i,
  // Activation vectors
  input  logic                                      act_valid_i,
  output logic                                      act_ready_o,
  input  logic [NumRows*tessera_pkg::DataWidth-1:0] act_data_i,
  input  logic                                      act_last_i,
  // Partial-sum vectors
  output logic                                      out_valid_o,
  input  logic                                      out_ready_i,
  output logic [NumCols*tessera_pkg::AccWidth-1:0]  out_data_o,
  output logic                                      out_last_o
);

  localparam int DataWidth   = tessera_pkg::DataWidth;
  localparam int AccWidth    = tessera_pkg::AccWidth;
  localparam int Latency     = NumRows + NumCols + (ProductRegister != 0 ? 1 : 0);
  localparam int RowIdxWidth = tessera_pkg::index_width(NumRows);
  localparam int CreditWidth = $clog2(OutFifoDepth + 1);
  localparam int WgtCtrlWidth = NumRows + 1;      // {bank, one-hot row enable}
  localparam int OutWidth    = NumCols * AccWidth + 1;
  localparam logic [RowIdxWidth-1:0] LastRow      = RowIdxWidth'(NumRows - 1);
  localparam logic [CreditWidth-1:0] CreditsTotal = CreditWidth'(OutFifoDepth);

  // ---------------------------------------------------------------------------------------
  // Bank bookkeeping and credits
  // ---------------------------------------------------------------------------------------
  logic [1:0]             bank_loaded_d, bank_loaded_q;  // bank holds a tile not yet used up
  logic                   load_bank_d, load_bank_q;      // bank the next weight row goes to
  logic                   use_bank_d, use_bank_q;        // bank the next activation uses
  logic [RowIdxWidth-1:0] load_row_d, load_row_q;        // row index of the next weight row
  logic [CreditWidth-1:0] in_flight_d, in_flight_q;      // admitted vectors not yet popped
  logic                   wgt_fire, act_fire, out_fire;

  assign wgt_ready_o = !bank_loaded_q[load_bank_q];
  assign act_ready_o = bank_loaded_q[use_bank_q] && (in_flight_q != CreditsTotal);
  assign wgt_fire    = wgt_valid_i && wgt_ready_o;
  assign act_fire    = act_valid_i && act_ready_o;
  assign out_fire    = out_valid_o && out_ready_i;

  always_comb begin
    bank_loaded_d = bank_loaded_q;
    load_bank_d   = load_bank_q;
    use_bank_d    = use_bank_q;
    load_row_d    = load_row_q;
    in_flight_d   = in_flight_q;

    if (wgt_fire) begin
      if (load_row_q == LastRow) begin
        bank_loaded_d[load_bank_q] = 1'b1;
        load_bank_d = !load_bank_q;
        load_row_d  = '0;
      end else begin
        load_row_d = load_row_q + 1'b1;
      end
    end

    // A bank that is loading is never the bank in use, so set and clear never collide.
    if (act_fire && act_last_i) begin
      bank_loaded_d[use_bank_q] = 1'b0;
      use_bank_d = !use_bank_q;
    end

    if (act_fire && !out_fire) in_flight_d = in_flight_q + 1'b1;
    if (out_fire && !act_fire) in_flight_d = in_flight_q - 1'b1;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      bank_loaded_q <= '0;
      load_bank_q   <= 1'b0;
      use_bank_q    <= 1'b0;
      load_row_q    <= '0;
      in_flight_q   <= '0;
    end else begin
      bank_loaded_q <= bank_loaded_d;
      load_bank_q   <= load_bank_d;
      use_bank_q    <= use_bank_d;
      load_row_q    <= load_row_d;
      in_flight_q   <= in_flight_d;
    end
  end

  // ---------------------------------------------------------------------------------------
  // Input skew: activation element r and weight column c are delayed r and c cycles
  // ---------------------------------------------------------------------------------------
  logic [NumRows*(DataWidth+1)-1:0] act_lanes, act_lanes_skewed;
  logic [NumRows*DataWidth-1:0]     array_act;
  logic [NumRows-1:0]               array_act_bank;

  for (genvar r = 0; r < NumRows; r++) begin : g_act_lane
    assign act_lanes[r*(DataWidth+1) +: DataWidth+1] =
        {use_bank_q, act_data_i[r*DataWidth +: DataWidth]};
    assign array_act[r*DataWidth +: DataWidth] =
        act_lanes_skewed[r*(DataWidth+1) +: DataWidth];
    assign array_act_bank[r] = act_lanes_skewed[r*(DataWidth+1) + DataWidth];
  end

  tessera_skew #(
    .Lanes(NumRows),
    .Width(DataWidth + 1)
  ) u_act_skew (
    .clk_i,
    .rst_ni,
    .data_i(act_lanes),
    .data_o(act_lanes_skewed)
  );

  // Weight words: column c's byte is delayed c cycles (u_wgt_data_skew); the write
  // control, {bank, one-hot row enable}, is the same for every column, so one tapped chain
  // gives column c its copy delayed c cycles. Only the control needs a reset.
  logic [WgtCtrlWidth-1:0]         wgt_ctrl;
  logic [NumCols*WgtCtrlWidth-1:0] wgt_ctrl_taps;
  logic [NumCols*DataWidth-1:0]    array_wgt_data;
  logic [NumCols*NumRows-1:0]      array_wgt_row_en;
  logic [NumCols-1:0]              array_wgt_bank;

  assign wgt_ctrl = {load_bank_q, wgt_fire ? (NumRows'(1) << load_row_q) : NumRows'(0)};

  tessera_tap_delay #(
    .Width(WgtCtrlWidth),
    .Taps (NumCols)
  ) u_wgt_ctrl_taps (
    .clk_i,
    .rst_ni,
    .data_i(wgt_ctrl),
    .data_o(wgt_ctrl_taps)
  );

  tessera_skew #(
    .Lanes(NumCols),
    .Width(DataWidth)
  ) u_wgt_data_skew (
    .clk_i,
    .rst_ni,
    .data_i(wgt_data_i),
    .data_o(array_wgt_data)
  );

  for (genvar c = 0; c < NumCols; c++) begin : g_wgt_lane
    assign {array_wgt_bank[c], array_wgt_row_en[c*NumRows +: NumRows]} =
        wgt_ctrl_taps[c*WgtCtrlWidth +: WgtCtrlWidth];
  end

  // ---------------------------------------------------------------------------------------
  // The array, output de-skew and the valid/last pipeline that runs beside it
  // ---------------------------------------------------------------------------------------
  logic [NumCols*AccWidth-1:0] array_psum, psum_aligned;

  tessera_array #(
    .NumRows        (NumRows),
    .NumCols        (NumCols),
    .ProductRegister(ProductRegister),
    .PackedPairs    (PackedPairs)
  ) u_array (
    .clk_i,
    .act_i       (array_act),
    .act_bank_i  (array_act_bank),
    .wgt_row_en_i(array_wgt_row_en),
    .wgt_bank_i  (array_wgt_bank),
    .wgt_data_i  (array_wgt_data),
    .psum_o      (array_psum)
  );

  tessera_skew #(
    .Lanes  (NumCols),
    .Width  (AccWidth),
    .Reverse(1'b1)
  ) u_out_deskew (
    .clk_i,
    .rst_ni,
    .data_i(array_psum),
    .data_o(psum_aligned)
  );

  // A vector admitted in cycle t has all its columns aligned in cycle t + Latency - 1,
  // when it is written into the FIFO; it is readable one cycle later.
  logic result_valid, result_last, fifo_wr_ready;

  tessera_delay #(
    .Width   (2),
    .Depth   (Latency - 1),
    .HasReset(1'b1)
  ) u_result_valid_pipe (
    .clk_i,
    .rst_ni,
    .data_i({act_fire, act_last_i}),
    .data_o({result_valid, result_last})
  );

  tessera_fifo #(
    .Width(OutWidth),
    .Depth(OutFifoDepth)
  ) u_out_fifo (
    .clk_i,
    .rst_ni,
    .clr_i     (1'b0),
    .wr_valid_i(result_valid),
    .wr_ready_o(fifo_wr_ready),
    .wr_data_i ({result_last, psum_aligned}),
    .rd_valid_o(out_valid_o),
    .rd_ready_i(out_ready_i),
    .rd_data_o ({out_last_o, out_data_o})
  );

  // ---------------------------------------------------------------------------------------
  // Parameter checks and assertions
  // ---------------------------------------------------------------------------------------
  if (NumRows < 1 || NumCols < 1) begin : g_bad_shape
    $error("tessera_core: NumRows and NumCols must be >= 1");
  end
  if (OutFifoDepth < 2) begin : g_bad_fifo
    $error("tessera_core: OutFifoDepth must be >= 2");
  end

  `TESSERA_ASSERT(WgtHeldWhileStalled_A,
                  (wgt_valid_i && !wgt_ready_o) |=> (wgt_valid_i && $stable(wgt_data_i)),
                  clk_i, rst_ni)
  `TESSERA_ASSERT(ActHeldWhileStalled_A,
                  (act_valid_i && !act_ready_o) |=>
                      (act_valid_i && $stable(act_data_i) && $stable(act_last_i)),
                  clk_i, rst_ni)
  `TESSERA_ASSERT(OutFifoNeverOverflows_A, result_valid |-> fifo_wr_ready, clk_i, rst_ni)
  `TESSERA_ASSERT(CreditsInRange_A, in_flight_q <= CreditsTotal, clk_i, rst_ni)
  `TESSERA_ASSERT(LoadRowInRange_A, load_row_q <= LastRow, clk_i, rst_ni)

endmodule
