// tessera_store_unit: executes STORE commands (docs/isa.md).
//
// Function:   writes accumulator lines acc_line .. acc_line + rows - 1 to host memory
//             through the DMA write engine, `cols` lanes per line, row m at
//             dram_addr + m*dram_stride: raw int32 (4*cols bytes per row) or, with
//             requantize, int8 (cols bytes) from tessera_postproc with the quantization
//             table's {bias, multiplier, shift} - entry qparam_entry + l for lane l with
//             per_channel, entry qparam_entry for every lane otherwise. With pool, a 2x2
//             max-pool follows the requantization: `rows` pooled rows of pool_width pixels,
//             pooled pixel (y, x) the lane-wise maximum of lines acc_line + 2y*acc_pitch +
//             2x + {0, 1, acc_pitch, acc_pitch + 1}, written as consecutive rows (pooling the
//             int8 results is what the reference model does). done_o pulses once
//             the write engine reports the last write complete, with error_o = ErrNone, or
//             the engine error code: ErrBadClamp for a table shift outside [-31, 30]
//             (nothing is written then), or the DMA's failure.
// Method:     table entries are read into per-lane registers first (one per cycle); then
//             the accumulator is read a line per cycle against credits into a skid FIFO
//             (its responses cannot be stalled), through the post-processing pipeline, and
//             each row is cut into bus beats for the write engine.
// Throughput: one line per cycle, or one bus beat per cycle when a row spans several;
//             pooled, one output row per four lines.
// Stalls:     accumulator reads retry when refused (the compute unit has priority on a
//             bank); the write engine's input may stall.
`include "tessera_assert.svh"

module tessera_store_unit #(
  parameter int NumCols       = tessera_pkg::DefaultNumCols,
  parameter int BusWidth      = 128,
  parameter int AccLines      = 1024,
  parameter int QTableEntries = 1024,
  parameter int SkidDepth     = 4,
  localparam int BusBytes      = BusWidth / 8,
  localparam int AccAddrWidth  = tessera_pkg::index_width(AccLines),
  localparam int QtAddrWidth   = tessera_pkg::index_width(QTableEntries),
  localparam int AddrWidth     = tessera_pkg::DmaAddrWidth,
  localparam int AccLineWidth  = 32 * NumCols
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,
  // Commands (fields of a checked STORE)
  input  logic                    cmd_valid_i,
  output logic                    cmd_ready_o,
  input  logic [AddrWidth-1:0]    cmd_dram_addr_i,
  input  logic [15:0]             cmd_rows_i,
  input  logic [AccAddrWidth-1:0] cmd_acc_line_i,
  input  logic [AddrWidth-1:0]    cmd_dram_stride_i,
  input  logic [15:0]             cmd_cols_i,
  input  logic                    cmd_requantize_i,
  input  logic                    cmd_per_channel_i,
  input  logic                    cmd_pool_i,
  input  logic [15:0]             cmd_pool_width_i,
  input  logic [15:0]             cmd_acc_pitch_i,
  input  logic [7:0]              cmd_zero_point_i,
  input  logic [7:0]              cmd_act_min_i,
  input  logic [7:0]              cmd_act_max_i,
  input  logic [QtAddrWidth-1:0]  cmd_qparam_entry_i,
  output logic                    done_o,
  output logic [7:0]              error_o,
  output logic                    idle_o,
  // Quantization table read port (data one cycle after the request)
  output logic                    qt_rd_en_o,
  output logic [QtAddrWidth-1:0]  qt_rd_addr_o,
  input  logic [127:0]            qt_rd_data_i,
  // Accumulator read port
  output logic                    acc_req_valid_o,
  input  logic                    acc_req_ready_i,
  output logic [AccAddrWidth-1:0] acc_req_addr_o,
  input  logic                    acc_rsp_valid_i,
  input  logic [AccLineWidth-1:0] acc_rsp_data_i,
  // DMA write engine
  output logic                    wr_desc_valid_o,
  input  logic                    wr_desc_ready_i,
  output logic [AddrWidth-1:0]    wr_desc_addr_o,
  output logic [23:0]             wr_desc_row_bytes_o,
  output logic [15:0]             wr_desc_rows_o,
  output logic [AddrWidth-1:0]    wr_desc_stride_o,
  output logic                    wr_valid_o,
  input  logic                    wr_ready_i,
  output logic [BusWidth-1:0]     wr_data_o,
  output logic                    wr_last_o,
  input  logic                    wr_status_valid_i,
  output logic                    wr_status_ready_o,
  input  logic [2:0]              wr_status_error_i
);

  localparam int LaneIdxWidth = tessera_pkg::index_width(NumCols);
  localparam int CreditWidth  = $clog2(SkidDepth + 1);
  localparam int RowBytesMax  = 4 * NumCols;
  localparam int BeatIdxWidth = tessera_pkg::index_width(RowBytesMax / BusBytes + 1);
  localparam int Wide         = 8 * (RowBytesMax > BusBytes ? RowBytesMax : BusBytes);

  // ---- Command --------------------------------------------------------------------------
  typedef enum logic [2:0] {Idle, Params, Stream, Drain, Finish} state_e;
  state_e state_d, state_q;

  logic [AddrWidth-1:0]    dram_addr_q, dram_stride_q;
  logic [15:0]             rows_q, cols_q, out_rows_q, pool_width_q;
  logic [AccAddrWidth-1:0] acc_pitch_q;  // checked: a pooled store's lines are all in range
  logic [AccAddrWidth-1:0] acc_line_q;
  logic                    requant_q, per_channel_q, pool_q, desc_sent_q;
  logic [7:0]              zero_point_q, act_min_q, act_max_q, error_q;
  logic [QtAddrWidth-1:0]  entry_q;

  assign cmd_ready_o = state_q == Idle;

  // ---- Quantization parameters: one table read per lane --------------------------------
  logic [LaneIdxWidth:0]   param_issued_q;     // entries requested so far
  logic [LaneIdxWidth:0]   param_entries;      // entries this command needs
  logic                    param_rsp_q;        // a table response arrives this cycle
  logic [LaneIdxWidth-1:0] param_lane_q;       // ... for this lane
  logic [NumCols*32-1:0]   bias_q, mult_q;
  logic [NumCols*6-1:0]    shift_q;
  logic                    bad_shift_q;

  assign param_entries = per_channel_q ? (LaneIdxWidth+1)'(cols_q) : (LaneIdxWidth+1)'(1);
  assign qt_rd_en_o    = state_q == Params && param_issued_q != param_entries;
  assign qt_rd_addr_o  = entry_q + QtAddrWidth'(param_issued_q);

  // A table shift is int32; the post-processing takes [-31, 30] in 6 bits.
  logic [31:0] entry_shift;
  logic        entry_shift_ok;
  assign entry_shift    = qt_rd_data_i[95:64];
  assign entry_shift_ok = $signed(entry_shift) >= -32'sd31 && $signed(entry_shift) <= 32'sd30;

  // ---- Accumulator reads against credits ------------------------------------------------
  // Consecutive lines, or pooled: the four lines of each window, window after window.
  logic [15:0]             read_count_q;   // lines (unpooled) requested so far
  logic [1:0]              quad_q;         // pooled: line of the window to read next
  logic [15:0]             pool_x_q, pool_y_q;
  logic [AccAddrWidth-1:0] window_q, window_row_q;  // top-left line of the window / its row
  logic                    reads_done_q, last_read;
  logic [AccAddrWidth-1:0] quad_offset;
  logic [CreditWidth-1:0]  credits_q;
  logic                    acc_issue, skid_valid, skid_ready, skid_pop;
  logic [AccLineWidth-1:0] skid_data;

  always_comb begin
    unique case (quad_q)
      2'd0:    quad_offset = '0;
      2'd1:    quad_offset = AccAddrWidth'(1);
      2'd2:    quad_offset = acc_pitch_q;
      default: quad_offset = acc_pitch_q + AccAddrWidth'(1);
    endcase
  end
  assign last_read = pool_q ? quad_q == 2'd3 && pool_x_q == pool_width_q - 16'd1 &&
                              pool_y_q == rows_q - 16'd1
                            : read_count_q == rows_q - 16'd1;
  assign acc_req_valid_o = state_q == Stream && !reads_done_q &&
                           credits_q != CreditWidth'(SkidDepth);
  assign acc_req_addr_o  = pool_q ? window_q + quad_offset : acc_line_q + AccAddrWidth'(read_count_q);
  assign acc_issue       = acc_req_valid_o && acc_req_ready_i;

  tessera_fifo #(
    .Width(AccLineWidth),
    .Depth(SkidDepth)
  ) u_skid (
    .clk_i,
    .rst_ni,
    .clr_i     (1'b0),
    .wr_valid_i(acc_rsp_valid_i),
    .wr_ready_o(skid_ready),
    .wr_data_i (acc_rsp_data_i),
    .rd_valid_o(skid_valid),
    .rd_ready_i(skid_pop),
    .rd_data_o (skid_data)
  );

  // ---- Post-processing (requantize) or raw ----------------------------------------------
  logic                  pp_in_ready, pp_out_valid, pp_out_ready;
  logic [NumCols*8-1:0]  pp_out_data;
  logic                  pp_out_user;
  logic                  row_valid, row_ready;
  logic [Wide-1:0]       row_data;

  tessera_postproc #(
    .Lanes    (NumCols),
    .UserWidth(1)
  ) u_postproc (
    .clk_i,
    .rst_ni,
    .in_valid_i     (skid_valid && requant_q),
    .in_ready_o     (pp_in_ready),
    .in_acc_i       (skid_data),
    .in_bias_i      (bias_q),
    .in_mult_i      (mult_q),
    .in_shift_i     (shift_q),
    .in_zero_point_i(zero_point_q),
    .in_act_min_i   (act_min_q),
    .in_act_max_i   (act_max_q),
    .in_user_i      (1'b0),
    .out_valid_o    (pp_out_valid),
    .out_ready_i    (pp_out_ready),
    .out_data_o     (pp_out_data),
    .out_user_o     (pp_out_user)
  );

  // ---- 2x2 max-pool of the int8 results: the fourth line of a window emits the row ----
  logic [1:0]           pool_in_q;   // line of the window the post-processing emits next
  logic [NumCols*8-1:0] pool_max_q, pooled;
  logic                 row_emit;
  always_comb begin
    for (int l = 0; l < NumCols; l++) begin
      pooled[8*l +: 8] = (pool_in_q != 2'd0 &&
                          $signed(pool_max_q[8*l +: 8]) > $signed(pp_out_data[8*l +: 8]))
                         ? pool_max_q[8*l +: 8] : pp_out_data[8*l +: 8];
    end
  end
  assign row_emit = !pool_q || pool_in_q == 2'd3;

  assign skid_pop     = skid_valid && (requant_q ? pp_in_ready : row_ready);
  assign row_valid    = requant_q ? pp_out_valid && row_emit : skid_valid;
  assign row_data     = requant_q ? Wide'(pooled) : Wide'(skid_data);
  assign pp_out_ready = !row_emit || row_ready;

  // ---- Rows into bus beats --------------------------------------------------------------
  logic [15:0]             rows_sent_q;
  logic [BeatIdxWidth-1:0] beat_q;          // beat of the current row
  logic [7:0]              row_bytes;       // cols or 4*cols
  logic                    last_beat_of_row, wr_fire;

  assign row_bytes        = requant_q ? 8'(cols_q) : 8'(cols_q) << 2;
  assign last_beat_of_row = (32'(beat_q) + 32'd1) * BusBytes >= 32'(row_bytes);
  assign wr_valid_o       = state_q == Stream && row_valid;
  assign wr_data_o        = BusWidth'(row_data >> (32'(beat_q) * 8 * BusBytes));
  assign wr_last_o        = last_beat_of_row && rows_sent_q == out_rows_q - 16'd1;
  assign wr_fire          = wr_valid_o && wr_ready_i;
  assign row_ready        = wr_ready_i && state_q == Stream && last_beat_of_row;

  // ---- Descriptor and status ------------------------------------------------------------
  assign wr_desc_valid_o     = (state_q == Stream || state_q == Drain) && !desc_sent_q;
  assign wr_desc_addr_o      = dram_addr_q;
  assign wr_desc_row_bytes_o = 24'(row_bytes);
  assign wr_desc_rows_o      = out_rows_q;
  assign wr_desc_stride_o    = dram_stride_q;
  assign wr_status_ready_o   = state_q == Drain;

  always_comb begin
    state_d = state_q;
    unique case (state_q)
      Idle:   if (cmd_valid_i) state_d = cmd_requantize_i ? Params : Stream;
      Params: if (param_rsp_q && (LaneIdxWidth+1)'(param_lane_q) == param_entries - 1'b1) begin
                state_d = (bad_shift_q || !entry_shift_ok) ? Finish : Stream;
              end
      Stream: if (wr_fire && wr_last_o) state_d = Drain;
      Drain:  if (wr_status_valid_i) state_d = Finish;
      Finish: state_d = Idle;
      default: state_d = Idle;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q     <= Idle;
      param_rsp_q <= 1'b0;
      credits_q   <= '0;
    end else begin
      state_q     <= state_d;
      param_rsp_q <= qt_rd_en_o;
      credits_q   <= credits_q + CreditWidth'(acc_issue) - CreditWidth'(skid_pop);
    end
  end

  always_ff @(posedge clk_i) begin
    if (cmd_valid_i && cmd_ready_o) begin
      dram_addr_q    <= cmd_dram_addr_i;
      dram_stride_q  <= cmd_dram_stride_i;
      rows_q         <= cmd_rows_i;
      cols_q         <= cmd_cols_i;
      acc_line_q     <= cmd_acc_line_i;
      requant_q      <= cmd_requantize_i;
      per_channel_q  <= cmd_per_channel_i;
      pool_q         <= cmd_pool_i;
      pool_width_q   <= cmd_pool_width_i;
      acc_pitch_q    <= AccAddrWidth'(cmd_acc_pitch_i);
      // Checked: rows * pool_width <= 65535 pooled pixels.
      out_rows_q     <= cmd_pool_i ? 16'(32'(cmd_rows_i) * 32'(cmd_pool_width_i)) : cmd_rows_i;
      quad_q         <= '0;
      pool_x_q       <= '0;
      pool_y_q       <= '0;
      window_q       <= cmd_acc_line_i;
      window_row_q   <= cmd_acc_line_i;
      reads_done_q   <= 1'b0;
      pool_in_q      <= '0;
      zero_point_q   <= cmd_zero_point_i;
      act_min_q      <= cmd_act_min_i;
      act_max_q      <= cmd_act_max_i;
      entry_q        <= cmd_qparam_entry_i;
      desc_sent_q    <= 1'b0;
      param_issued_q <= '0;
      read_count_q   <= '0;
      rows_sent_q    <= '0;
      beat_q         <= '0;
      bad_shift_q    <= 1'b0;
      error_q        <= tessera_isa_pkg::ErrNone;
    end
    if (qt_rd_en_o) begin
      param_issued_q <= param_issued_q + 1'b1;
      param_lane_q   <= LaneIdxWidth'(param_issued_q);
    end
    // Table entries into lane registers; per tensor, the one entry goes to every lane.
    if (param_rsp_q) begin
      for (int l = 0; l < NumCols; l++) begin
        if (!per_channel_q || LaneIdxWidth'(l) == param_lane_q) begin
          bias_q[32*l +: 32] <= qt_rd_data_i[31:0];
          mult_q[32*l +: 32] <= qt_rd_data_i[63:32];
          shift_q[6*l +: 6]  <= entry_shift[5:0];
        end
      end
      if (!entry_shift_ok) bad_shift_q <= 1'b1;
    end
    if (state_q == Params && state_d == Finish) error_q <= tessera_isa_pkg::ErrBadClamp;
    if (wr_desc_valid_o && wr_desc_ready_i) desc_sent_q <= 1'b1;
    if (acc_issue) begin
      read_count_q <= read_count_q + 16'd1;
      quad_q       <= quad_q + 2'd1;
      if (last_read) reads_done_q <= 1'b1;
      if (quad_q == 2'd3) begin  // next window: two lines right, or two rows down
        if (pool_x_q == pool_width_q - 16'd1) begin
          pool_x_q     <= '0;
          pool_y_q     <= pool_y_q + 16'd1;
          window_row_q <= window_row_q + (acc_pitch_q << 1);
          window_q     <= window_row_q + (acc_pitch_q << 1);
        end else begin
          pool_x_q <= pool_x_q + 16'd1;
          window_q <= window_q + AccAddrWidth'(2);
        end
      end
    end
    if (pool_q && pp_out_valid && pp_out_ready) begin
      pool_in_q  <= pool_in_q + 2'd1;
      pool_max_q <= pooled;
    end
    if (wr_fire) begin
      beat_q <= last_beat_of_row ? '0 : beat_q + 1'b1;
      if (last_beat_of_row) rows_sent_q <= rows_sent_q + 16'd1;
    end
    if (state_q == Drain && wr_status_valid_i) begin
      error_q <= tessera_pkg::isa_error_of_dma(wr_status_error_i);
    end
  end

  assign done_o  = state_q == Finish;
  assign error_o = error_q;
  assign idle_o  = state_q == Idle;

  // Unused: the table entry's reserved word; the shift bits beyond the 6 the
  // post-processing takes (a shift outside [-31, 30] stops the command instead); cols above
  // 8 bits (the command checker keeps cols <= NumCols); the post-processing's sideband; pitch
  // bits beyond the accumulator's lines (checked).
  logic unused_bits;
  assign unused_bits = ^{qt_rd_data_i[127:96], entry_shift[31:6], cols_q[15:8], pp_out_user,
                         cmd_acc_pitch_i >> AccAddrWidth};

  `TESSERA_ASSERT(SkidNeverOverflows_A, acc_rsp_valid_i |-> skid_ready, clk_i, rst_ni)
  `TESSERA_ASSERT(RowFitsBeats_A, wr_valid_o |-> 32'(beat_q) * BusBytes < 32'(row_bytes),
                  clk_i, rst_ni)

endmodule
