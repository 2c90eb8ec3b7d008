// SPDX-License-Identifier: Apache-2.0
// tessera_compute_unit: executes COMPUTE commands (docs/isa.md) on the systolic core.
//
// Function:   a command of several K tiles (EXTRA_TILES) is taken apart by
//             tessera_tile_sequencer into single-tile commands, each accumulating into the
//             same results. For each tile, the weight feeder reads the NumRows weight lines
//             WGT_LINE .. WGT_LINE + NumRows - 1 from the scratchpad into the core; the
//             activation feeder reads act_rows rows of `vectors` activation lines, vector m
//             of row r at act_line + r*act_row_stride + m*act_stride, and streams them
//             through the core (the last one closes the tile); the collector writes the
//             results to consecutive accumulator lines from acc_line, added to what is
//             there (accumulate) or overwriting it. The weight feeder runs a command ahead
//             of the activations, so the next tile's weights load while this tile computes
//             (the core's double-buffered banks order the two). done_o pulses when a
//             command's last tile's last result has been handed to the accumulator, whose
//             forwarding makes it visible to every later read.
//             With RESCALE the vectors take the vector path beside the core instead:
//             tessera_postproc's lanes (RawOut) give each int8 lane l the int32
//             MultiplyByQuantizedMultiplier((x_l - zero point) * 2^ADD_LEFT_SHIFT, multiplier,
//             -right shift), TFLite ADD's input stage, into the same accumulator lines (no
//             weights are read). A command of the other kind than the one before it starts
//             once every result of that one is written, so results stay in command order.
//             With DEPTHWISE the lines go to tessera_depthwise instead (one input row of a
//             padded image into 3x3 windows per lane, its weights read on the weight port
//             when the array's feeder is not reading, with DW_PAIR the second row's lines on
//             a port of their own), which writes its results itself.
// Scratchpad: one read port for activations, one for weights, one for the depthwise unit's
//             second rows. Responses arrive one cycle after the request and cannot be
//             stalled, so each feeder reads only against a free slot of its FIFO in front of
//             the core (credits).
// Timing:     T commands of M >= NumRows vectors each take T*M + 2*NumRows + NumCols + 3
//             cycles from the first command handshake to the last done_o (the first weight
//             load, the core's latency and three stage registers): one activation vector
//             per cycle and no bubble between commands, given scratchpad ports that are not
//             stalled (tb/compute asserts it). RESCALE: one vector per cycle, 4 cycles of
//             latency (the lanes' pipeline); DEPTHWISE: one line (DW_PAIR: two) per cycle,
//             3 cycles of latency (tessera_depthwise); a switch of kind drains the other path
//             first.
`include "tessera_assert.svh"

module tessera_compute_unit #(
  parameter int NumRows    = tessera_pkg::DefaultNumRows,
  parameter int NumCols    = tessera_pkg::DefaultNumCols,
  parameter int LineBytes  = NumRows,
  parameter int SpadLines  = tessera_pkg::DefaultScratchpadLines,
  parameter int AccLines   = tessera_pkg::DefaultAccumulatorLines,
  parameter int CmdDepth   = 2,  // commands each feeder can hold
  parameter int SkidDepth  = 4,  // read-response FIFO depth per feeder
  parameter int PackedPairs = 0, // 1: two MACs per multiplier (tessera_core); same timing
  localparam int CmdBits       = tessera_isa_pkg::CommandBits,
  localparam int SpadAddrWidth = tessera_pkg::index_width(SpadLines),
  localparam int AccAddrWidth  = tessera_pkg::index_width(AccLines),
  localparam int LineWidth     = 8 * LineBytes,
  localparam int AccLineWidth  = tessera_pkg::AccWidth * NumCols
) (
  input  logic                     clk_i,
  input  logic                     rst_ni,
  // Commands (a checked COMPUTE)
  input  logic                     cmd_valid_i,
  output logic                     cmd_ready_o,
  input  logic [CmdBits-1:0]       cmd_i,
  output logic                     done_o,
  output logic [7:0]               error_o,   // ErrNone: a checked COMPUTE cannot fail
  output logic                     idle_o,
  output logic                     dw_busy_o,  // the depthwise unit holds a command
  output logic [31:0]              macs_o,    // useful MACs of the tile taken this cycle
  // Scratchpad read port for activations
  output logic                     act_req_valid_o,
  input  logic                     act_req_ready_i,
  output logic [SpadAddrWidth-1:0] act_req_addr_o,
  input  logic                     act_rsp_valid_i,
  input  logic [LineWidth-1:0]     act_rsp_data_i,
  // Scratchpad read port for weights
  output logic                     wgt_req_valid_o,
  input  logic                     wgt_req_ready_i,
  output logic [SpadAddrWidth-1:0] wgt_req_addr_o,
  input  logic                     wgt_rsp_valid_i,
  input  logic [LineWidth-1:0]     wgt_rsp_data_i,
  // Scratchpad read port of the depthwise unit's second rows (DW_PAIR)
  output logic                     pair_req_valid_o,
  input  logic                     pair_req_ready_i,
  output logic [SpadAddrWidth-1:0] pair_req_addr_o,
  input  logic                     pair_rsp_valid_i,
  input  logic [LineWidth-1:0]     pair_rsp_data_i,
  // Accumulator acc port (it never stalls)
  output logic                     acc_valid_o,
  output logic [AccAddrWidth-1:0]  acc_addr_o,
  output logic [AccLineWidth-1:0]  acc_data_o,
  output logic                     acc_add_o
);

  localparam int DataWidth   = tessera_pkg::DataWidth;
  localparam int CreditWidth = $clog2(SkidDepth + 1);
  localparam int RescaleWidth = 1 + 32 + 5 + 8;  // {rescale, multiplier, right shift, zero point}
  localparam int ActCmdWidth = SpadAddrWidth + 32 + 16 + 16 + 32 + RescaleWidth + 1;  // + DEPTHWISE
  localparam int OutCmdWidth = AccAddrWidth + 1;
  localparam int RowIdxWidth = tessera_pkg::index_width(NumRows);

  // ---------------------------------------------------------------------------------------
  // Commands of several K tiles go to the feeders a tile at a time.
  // ---------------------------------------------------------------------------------------
  logic               tile_valid, tile_ready, tile_done, tiles_busy;
  logic [CmdBits-1:0] tile_cmd;

  tessera_tile_sequencer #(
    .NumRows(NumRows)
  ) u_tiles (
    .clk_i,
    .rst_ni,
    .cmd_valid_i,
    .cmd_ready_o,
    .cmd_i,
    .done_o,
    .busy_o      (tiles_busy),
    .tile_valid_o(tile_valid),
    .tile_ready_i(tile_ready),
    .tile_cmd_o  (tile_cmd),
    .tile_done_i (tile_done)
  );

  // ---------------------------------------------------------------------------------------
  // Command queues: each feeder keeps its own copy of the command; the activation feeder
  // hands the collector what it needs when it starts a command.
  // ---------------------------------------------------------------------------------------
  logic act_cmdq_ready, wgt_cmdq_ready, act_cmdq_valid, wgt_cmdq_valid;
  logic act_cmd_pop, wgt_cmd_pop;
  logic [ActCmdWidth-1:0]   act_cmd;
  logic [SpadAddrWidth-1:0] wgt_cmd_line;
  logic [OutCmdWidth-1:0]   act_cmd_out;  // {acc_line, accumulate} for the collector
  logic                     outq_ready, outq_valid, outq_pop;
  logic [OutCmdWidth-1:0]   outq_data;

  logic dw_cmd_ready;
  assign tile_ready = act_cmdq_ready && wgt_cmdq_ready && dw_cmd_ready;

  // The command's fields (tessera_isa_pkg). Line fields are used modulo the scratchpad and
  // accumulator sizes: the checker has proven every line they reach in range.
  logic [SpadAddrWidth-1:0] cmd_act_line, cmd_wgt_line;
  logic [AccAddrWidth-1:0]  cmd_acc_line;
  logic [31:0]              cmd_act_stride, cmd_act_row_stride;
  logic [15:0]              cmd_vectors, cmd_act_rows, cmd_k_valid, cmd_n_valid;
  logic                     cmd_accumulate, cmd_rescale, cmd_depthwise;
  logic [RescaleWidth-1:0]  cmd_rescale_params;
  assign cmd_act_line       = tile_cmd[tessera_isa_pkg::ComputeActLineLsb +: SpadAddrWidth];
  assign cmd_act_stride     = tile_cmd[tessera_isa_pkg::ComputeActStrideLsb +: 32];
  assign cmd_vectors        = tile_cmd[tessera_isa_pkg::ComputeVectorsLsb +: 16];
  assign cmd_act_rows       = tile_cmd[tessera_isa_pkg::ComputeActRowsLsb +: 16];
  assign cmd_act_row_stride = tile_cmd[tessera_isa_pkg::ComputeActRowStrideLsb +: 32];
  assign cmd_wgt_line       = tile_cmd[tessera_isa_pkg::ComputeWgtLineLsb +: SpadAddrWidth];
  assign cmd_acc_line       = tile_cmd[tessera_isa_pkg::ComputeAccLineLsb +: AccAddrWidth];
  assign cmd_k_valid        = tile_cmd[tessera_isa_pkg::ComputeKValidLsb +: 16];
  assign cmd_n_valid        = tile_cmd[tessera_isa_pkg::ComputeNValidLsb +: 16];
  logic [7:0]               cmd_mode;
  assign cmd_mode           = tile_cmd[tessera_isa_pkg::HdrModeLsb +: 8];
  assign cmd_accumulate     = cmd_mode[tessera_isa_pkg::ComputeModeAccumulateBit];
  assign cmd_rescale        = cmd_mode[tessera_isa_pkg::ComputeModeRescaleBit];
  assign cmd_depthwise      = cmd_mode[tessera_isa_pkg::ComputeModeDepthwiseBit];
  assign cmd_rescale_params = {cmd_rescale,
                               tile_cmd[tessera_isa_pkg::ComputeRescaleMultiplierLsb +: 32],
                               tile_cmd[tessera_isa_pkg::ComputeRescaleRightShiftLsb +: 5],
                               tile_cmd[tessera_isa_pkg::ComputeRescaleZeroPointLsb +: 8]};
  // The depthwise unit's command: {DW_PAD (3 bits), DW_ZERO_POINT, DW_PAIR, the pair's second
  // row's first line, ACT_STRIDE, ACT_ROW_STRIDE (scratchpad-wide: the checker has proven
  // every line in range), ACT_ROWS, VECTORS, WGT_LINE, ACC_LINE, DW_BLOCK_PITCH, DW_STRIDE_2,
  // DW_OUTPUT, ACCUMULATE}.
  localparam int DwCmdWidth = 3 + 8 + 1 + 3 * SpadAddrWidth + 16 + 16 + SpadAddrWidth +
                              AccAddrWidth + 16 + 3;
  localparam int DwTaps     = tessera_isa_pkg::DwKernel * tessera_isa_pkg::DwKernel;
  logic                     cmd_dw_stride2, cmd_dw_output, cmd_dw_pair;
  logic [SpadAddrWidth-1:0] cmd_dw_pair_line;
  logic [DwCmdWidth-1:0]    cmd_dw;
  logic [15:0]              cmd_dw_outputs;  // per block: (padded VECTORS - 3) / stride + 1
  logic [7:0]               cmd_dw_pad;      // DW_PAD (the checker has proven it below 8)
  assign cmd_dw_pad       = tile_cmd[tessera_isa_pkg::ComputeDwPadLsb +: 8];
  assign cmd_dw_stride2   = cmd_mode[tessera_isa_pkg::ComputeModeDwStride2Bit];
  assign cmd_dw_output    = cmd_mode[tessera_isa_pkg::ComputeModeDwOutputBit];
  assign cmd_dw_pair      = cmd_mode[tessera_isa_pkg::ComputeModeDwPairBit];
  assign cmd_dw_pair_line = cmd_act_line +
                            tile_cmd[tessera_isa_pkg::ComputeDwPairOffsetLsb +: SpadAddrWidth];
  assign cmd_dw = {cmd_dw_pad[2:0], tile_cmd[tessera_isa_pkg::ComputeDwZeroPointLsb +: 8],
                   cmd_dw_pair, cmd_dw_pair_line, cmd_act_stride[SpadAddrWidth-1:0],
                   cmd_act_row_stride[SpadAddrWidth-1:0], cmd_act_rows, cmd_vectors,
                   cmd_wgt_line, cmd_acc_line,
                   tile_cmd[tessera_isa_pkg::ComputeDwBlockPitchLsb +: 16], cmd_dw_stride2,
                   cmd_dw_output, cmd_accumulate};
  assign cmd_dw_outputs = tessera_pkg::dw_outputs(cmd_vectors, cmd_dw_pad, cmd_dw_stride2);
  // The MAC counter's share: ACT_ROWS x VECTORS x K_VALID x N_VALID, all checked non-zero;
  // none on the vector path; depthwise: ACT_ROWS x its outputs x DW_TAPS x N_VALID with
  // DW_OUTPUT (isa::counted_macs).
  always_comb begin
    macs_o = '0;
    if (tile_valid && tile_ready && cmd_depthwise) begin
      if (cmd_dw_output) begin
        macs_o = 32'(cmd_dw_outputs) * 32'(cmd_act_rows) * 32'(DwTaps) *
                 32'(cmd_n_valid);
      end
    end else if (tile_valid && tile_ready && !cmd_rescale) begin
      macs_o = 32'(cmd_vectors) * 32'(cmd_act_rows) * 32'(cmd_k_valid) * 32'(cmd_n_valid);
    end
  end
  assign error_o = tessera_isa_pkg::ErrNone;

  tessera_fifo #(
    .Width(ActCmdWidth + OutCmdWidth),
    .Depth(CmdDepth)
  ) u_act_cmdq (
    .clk_i,
    .rst_ni,
    .clr_i     (1'b0),
    .wr_valid_i(tile_valid && tile_ready),
    .wr_ready_o(act_cmdq_ready),
    .wr_data_i ({cmd_act_line, cmd_act_stride, cmd_vectors, cmd_act_rows, cmd_act_row_stride,
                 cmd_rescale_params, cmd_depthwise, cmd_acc_line, cmd_accumulate}),
    .rd_valid_o(act_cmdq_valid),
    .rd_ready_i(act_cmd_pop),
    .rd_data_o ({act_cmd, act_cmd_out})
  );

  tessera_fifo #(
    .Width(SpadAddrWidth),
    .Depth(CmdDepth)
  ) u_wgt_cmdq (
    .clk_i,
    .rst_ni,
    .clr_i     (1'b0),
    // The vector path reads no weights; the depthwise unit reads its own.
    .wr_valid_i(tile_valid && tile_ready && !cmd_rescale && !cmd_depthwise),
    .wr_ready_o(wgt_cmdq_ready),
    .wr_data_i (cmd_wgt_line),
    .rd_valid_o(wgt_cmdq_valid),
    .rd_ready_i(wgt_cmd_pop),
    .rd_data_o (wgt_cmd_line)
  );

  // ---------------------------------------------------------------------------------------
  // Weight feeder: NumRows line reads per command into the weight skid FIFO
  // ---------------------------------------------------------------------------------------
  logic [RowIdxWidth-1:0] wgt_row_d, wgt_row_q;
  logic [CreditWidth-1:0] wgt_credits_d, wgt_credits_q;  // reads issued, not yet taken by the core
  logic                   wgt_issue, wgt_skid_valid, wgt_skid_pop, wgt_skid_ready;
  logic [LineWidth-1:0]   wgt_skid_data;
  localparam logic [RowIdxWidth-1:0] LastRow = RowIdxWidth'(NumRows - 1);

  // The port is shared with the depthwise unit's weight reader; this feeder goes first.
  logic                     arr_wgt_req_valid, dw_wgt_req_valid, dw_wgt_req_ready, wgt_rsp_dw_q;
  logic [SpadAddrWidth-1:0] dw_wgt_req_addr;
  assign arr_wgt_req_valid = wgt_cmdq_valid && wgt_credits_q != CreditWidth'(SkidDepth);
  assign wgt_req_valid_o   = arr_wgt_req_valid || dw_wgt_req_valid;
  assign wgt_req_addr_o    = arr_wgt_req_valid ? wgt_cmd_line + SpadAddrWidth'(wgt_row_q)
                                               : dw_wgt_req_addr;
  assign dw_wgt_req_ready  = wgt_req_ready_i && !arr_wgt_req_valid;
  assign wgt_issue         = arr_wgt_req_valid && wgt_req_ready_i;
  assign wgt_cmd_pop     = wgt_issue && wgt_row_q == LastRow;

  always_comb begin
    wgt_row_d     = wgt_row_q;
    if (wgt_issue) wgt_row_d = wgt_cmd_pop ? '0 : wgt_row_q + 1'b1;
    wgt_credits_d = wgt_credits_q + CreditWidth'(wgt_issue) - CreditWidth'(wgt_skid_pop);
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wgt_row_q     <= '0;
      wgt_credits_q <= '0;
      wgt_rsp_dw_q  <= 1'b0;
    end else begin
      wgt_row_q     <= wgt_row_d;
      wgt_credits_q <= wgt_credits_d;
      wgt_rsp_dw_q  <= dw_wgt_req_valid && dw_wgt_req_ready;  // whose response comes next
    end
  end

  tessera_fifo #(
    .Width(LineWidth),
    .Depth(SkidDepth)
  ) u_wgt_skid (
    .clk_i,
    .rst_ni,
    .clr_i     (1'b0),
    .wr_valid_i(wgt_rsp_valid_i && !wgt_rsp_dw_q),
    .wr_ready_o(wgt_skid_ready),
    .wr_data_i (wgt_rsp_data_i),
    .rd_valid_o(wgt_skid_valid),
    .rd_ready_i(wgt_skid_pop),
    .rd_data_o (wgt_skid_data)
  );

  // ---------------------------------------------------------------------------------------
  // Activation feeder: `vectors` strided line reads per command, the last one tagged
  // ---------------------------------------------------------------------------------------
  logic [SpadAddrWidth-1:0] act_cmd_line;
  logic [31:0]              act_cmd_stride, act_cmd_row_stride;
  logic [15:0]              act_cmd_vectors, act_cmd_rows;
  logic [RescaleWidth-1:0]  act_cmd_rescale;  // {rescale, multiplier, right shift, zero point}
  logic                     act_cmd_depthwise;
  assign {act_cmd_line, act_cmd_stride, act_cmd_vectors, act_cmd_rows, act_cmd_row_stride,
          act_cmd_rescale, act_cmd_depthwise} = act_cmd;

  logic                     act_started_d, act_started_q;  // the command's collector entry is queued
  logic [15:0]              act_count_d, act_count_q;  // vectors of the current row read so far
  logic [15:0]              act_row_d, act_row_q;      // rows of the current command finished
  logic [SpadAddrWidth-1:0] act_addr_d, act_addr_q, act_row_addr_d, act_row_addr_q;
  logic [SpadAddrWidth-1:0] act_row_start, act_next_row;
  logic                     act_row_end;
  logic [CreditWidth-1:0]   act_credits_d, act_credits_q;
  logic                     act_issue, act_issue_last, act_last_q, act_skid_valid, act_skid_pop;
  logic                     act_skid_last, act_skid_ready;
  logic [LineWidth-1:0]     act_skid_data;
  logic [RescaleWidth-1:0]  act_tag_q, act_skid_tag;  // the vector's path and its parameters
  logic                     act_dw_q, act_skid_dw;       // a depthwise unit's line

  // A command starts (and tells the collector about itself) with its first read; one of
  // another kind than the last (array, vector path, depthwise unit) once that one's results
  // are all written.
  logic [1:0] act_kind, last_kind_d, last_kind_q;  // {depthwise, rescale}
  logic       act_kind_ok;
  assign act_kind        = {act_cmd_depthwise, act_cmd_rescale[RescaleWidth-1]};
  assign act_kind_ok     = act_kind == last_kind_q || !outq_valid;
  assign act_req_valid_o = act_cmdq_valid && act_credits_q != CreditWidth'(SkidDepth) &&
                           (act_started_q || (outq_ready && act_kind_ok));
  assign act_req_addr_o  = act_started_q ? act_addr_q : act_cmd_line;
  assign act_row_start   = act_started_q ? act_row_addr_q : act_cmd_line;
  assign act_next_row    = act_row_start + SpadAddrWidth'(act_cmd_row_stride);
  assign act_issue       = act_req_valid_o && act_req_ready_i;
  assign act_row_end     = act_count_q == act_cmd_vectors - 16'd1;
  assign act_issue_last  = act_issue && act_row_end && act_row_q == act_cmd_rows - 16'd1;
  assign act_cmd_pop     = act_issue_last;

  always_comb begin
    act_started_d  = act_started_q;
    act_count_d    = act_count_q;
    act_row_d      = act_row_q;
    act_addr_d     = act_addr_q;
    act_row_addr_d = act_row_addr_q;
    if (act_issue) begin
      act_started_d  = !act_issue_last;
      act_count_d    = act_row_end ? '0 : act_count_q + 16'd1;
      act_row_d      = act_issue_last ? '0 : act_row_end ? act_row_q + 16'd1 : act_row_q;
      act_addr_d     = act_row_end ? act_next_row : act_req_addr_o + SpadAddrWidth'(act_cmd_stride);
      act_row_addr_d = act_row_end ? act_next_row : act_row_start;
    end
    act_credits_d = act_credits_q + CreditWidth'(act_issue) - CreditWidth'(act_skid_pop);
    last_kind_d = (act_issue && !act_started_q) ? act_kind : last_kind_q;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      act_started_q  <= 1'b0;
      act_count_q    <= '0;
      act_row_q      <= '0;
      act_credits_q  <= '0;
      last_kind_q    <= '0;
    end else begin
      act_started_q  <= act_started_d;
      act_count_q    <= act_count_d;
      act_row_q      <= act_row_d;
      act_credits_q  <= act_credits_d;
      last_kind_q    <= last_kind_d;
    end
  end
  // Reset-free: the addresses are set by each command's first read before they are used.
  always_ff @(posedge clk_i) begin
    act_addr_q     <= act_addr_d;
    act_row_addr_q <= act_row_addr_d;
    act_last_q     <= act_issue_last;  // travels with the response, one cycle later
    act_tag_q      <= act_cmd_rescale;
    act_dw_q       <= act_cmd_depthwise;
  end

  tessera_fifo #(
    .Width(LineWidth + 2 + RescaleWidth),
    .Depth(SkidDepth)
  ) u_act_skid (
    .clk_i,
    .rst_ni,
    .clr_i     (1'b0),
    .wr_valid_i(act_rsp_valid_i),
    .wr_ready_o(act_skid_ready),
    .wr_data_i ({act_last_q, act_dw_q, act_tag_q, act_rsp_data_i}),
    .rd_valid_o(act_skid_valid),
    .rd_ready_i(act_skid_pop),
    .rd_data_o ({act_skid_last, act_skid_dw, act_skid_tag, act_skid_data})
  );

  tessera_fifo #(
    .Width(OutCmdWidth),
    .Depth(CmdDepth + 2)
  ) u_out_cmdq (
    .clk_i,
    .rst_ni,
    .clr_i     (1'b0),
    .wr_valid_i(act_issue && !act_started_q),
    .wr_ready_o(outq_ready),
    .wr_data_i (act_cmd_out),
    .rd_valid_o(outq_valid),
    .rd_ready_i(outq_pop),
    .rd_data_o (outq_data)
  );

  // ---------------------------------------------------------------------------------------
  // The core
  // ---------------------------------------------------------------------------------------
  logic                             core_wgt_ready, core_act_ready, core_out_valid, core_out_last;
  logic [NumCols*tessera_pkg::AccWidth-1:0] core_out_data;

  logic act_to_vector, act_to_core, dw_line_ready;  // where the skid's head goes
  assign act_to_vector = act_skid_tag[RescaleWidth-1];
  assign act_to_core   = !act_to_vector && !act_skid_dw;
  assign wgt_skid_pop  = wgt_skid_valid && core_wgt_ready;
  assign act_skid_pop  = act_skid_valid && (act_to_vector || (act_skid_dw ? dw_line_ready
                                                                          : core_act_ready));

  tessera_core #(
    .NumRows    (NumRows),
    .NumCols    (NumCols),
    .PackedPairs(PackedPairs)
  ) u_core (
    .clk_i,
    .rst_ni,
    .wgt_valid_i(wgt_skid_valid),
    .wgt_ready_o(core_wgt_ready),
    .wgt_data_i (wgt_skid_data[NumCols*DataWidth-1:0]),
    .act_valid_i(act_skid_valid && act_to_core),
    .act_ready_o(core_act_ready),
    .act_data_i (act_skid_data[NumRows*DataWidth-1:0]),
    .act_last_i (act_skid_last),
    .out_valid_o(core_out_valid),
    .out_ready_i(1'b1),  // the accumulator never stalls
    .out_data_o (core_out_data),
    .out_last_o (core_out_last)
  );

  // ---------------------------------------------------------------------------------------
  // The vector path (RESCALE): int8 lanes rescaled to int32, per vector's parameters
  // ---------------------------------------------------------------------------------------
  localparam int VecLanes = NumRows < NumCols ? NumRows : NumCols;  // lanes past them: 0
  logic [31:0]             vec_mult;
  logic [4:0]              vec_right;
  logic [7:0]              vec_zero_point;
  logic [NumCols*32-1:0]   vec_in, vec_mult_lanes, vec_out;
  logic [NumCols*6-1:0]    vec_shift_lanes;
  logic                    vec_out_valid, vec_out_last, unused_vec_in_ready;
  assign {vec_mult, vec_right, vec_zero_point} = act_skid_tag[RescaleWidth-2:0];
  always_comb begin
    vec_in = '0;
    for (int l = 0; l < VecLanes; l++) begin
      // (x - zero point) * 2^ADD_LEFT_SHIFT: at most 255 * 2^20 in magnitude.
      vec_in[l*32 +: 32] = (32'($signed(act_skid_data[l*8 +: 8])) -
                            32'($signed(vec_zero_point))) << tessera_isa_pkg::AddLeftShift;
    end
  end
  assign vec_mult_lanes  = {NumCols{vec_mult}};
  assign vec_shift_lanes = {NumCols{6'd0 - 6'(vec_right)}};  // a right shift: negative

  tessera_postproc #(
    .Lanes    (NumCols),
    .UserWidth(1),
    .RawOut   (1'b1)
  ) u_vector (
    .clk_i,
    .rst_ni,
    .in_valid_i     (act_skid_valid && act_to_vector),
    .in_ready_o     (unused_vec_in_ready),  // always 1: the accumulator never stalls
    .in_acc_i       (vec_in),
    .in_bias_i      ('0),
    .in_mult_i      (vec_mult_lanes),
    .in_shift_i     (vec_shift_lanes),
    .in_zero_point_i('0),
    .in_act_min_i   ('0),
    .in_act_max_i   ('0),
    .in_user_i      (act_skid_last),
    .out_valid_o    (vec_out_valid),
    .out_ready_i    (1'b1),
    .out_data_o     (vec_out),
    .out_user_o     (vec_out_last)
  );

  // ---------------------------------------------------------------------------------------
  // The depthwise unit: its own weight reads, its own result addresses
  // ---------------------------------------------------------------------------------------
  logic                    dw_acc_valid, dw_acc_add, dw_done, dw_idle;
  logic [AccAddrWidth-1:0] dw_acc_addr;
  logic [AccLineWidth-1:0] dw_acc_data;

  tessera_depthwise #(
    .LineBytes(LineBytes),
    .NumCols  (NumCols),
    .Lanes    (VecLanes),
    .SpadLines(SpadLines),
    .AccLines (AccLines),
    .CmdDepth (CmdDepth)
  ) u_depthwise (
    .clk_i,
    .rst_ni,
    .cmd_valid_i    (tile_valid && tile_ready && cmd_depthwise),
    .cmd_ready_o    (dw_cmd_ready),
    .cmd_i          (cmd_dw),
    .line_valid_i   (act_skid_valid && act_skid_dw),
    .line_ready_o   (dw_line_ready),
    .line_data_i    (act_skid_data),
    .wgt_req_valid_o(dw_wgt_req_valid),
    .wgt_req_ready_i(dw_wgt_req_ready),
    .wgt_req_addr_o (dw_wgt_req_addr),
    .wgt_rsp_valid_i(wgt_rsp_valid_i && wgt_rsp_dw_q),
    .wgt_rsp_data_i (wgt_rsp_data_i),
    .pair_req_valid_o,
    .pair_req_ready_i,
    .pair_req_addr_o,
    .pair_rsp_valid_i,
    .pair_rsp_data_i,
    .acc_valid_o    (dw_acc_valid),
    .acc_addr_o     (dw_acc_addr),
    .acc_data_o     (dw_acc_data),
    .acc_add_o      (dw_acc_add),
    .done_o         (dw_done),
    .idle_o         (dw_idle)
  );
  assign dw_busy_o = !dw_idle;

  // ---------------------------------------------------------------------------------------
  // Collector: results into the accumulator, from the core, the vector path or the
  // depthwise unit (one at a time: a command of another kind starts only when this one's
  // results are written)
  // ---------------------------------------------------------------------------------------
  logic                    res_valid, res_last;
  logic [AccLineWidth-1:0] res_data;
  assign res_valid = core_out_valid || vec_out_valid;
  assign res_last  = core_out_valid ? core_out_last : vec_out_last;
  assign res_data  = core_out_valid ? core_out_data : vec_out;
  logic [AccAddrWidth-1:0] out_line_d, out_line_q;
  logic                    out_first_d, out_first_q;  // the next result is its command's first
  logic [AccAddrWidth-1:0] out_cmd_line;
  logic                    out_cmd_accumulate;
  assign {out_cmd_line, out_cmd_accumulate} = outq_data;

  logic [AccAddrWidth-1:0] res_addr;
  assign res_addr    = out_first_q ? out_cmd_line : out_line_q;
  assign acc_valid_o = res_valid || dw_acc_valid;
  assign acc_addr_o  = dw_acc_valid ? dw_acc_addr : res_addr;
  assign acc_data_o  = dw_acc_valid ? dw_acc_data : res_data;
  assign acc_add_o   = dw_acc_valid ? dw_acc_add : out_cmd_accumulate;
  assign outq_pop    = (res_valid && res_last) || dw_done;

  logic done_d, done_q;
  always_comb begin
    out_first_d = res_valid ? res_last : out_first_q;
    out_line_d  = res_valid ? res_addr + 1'b1 : out_line_q;
    done_d      = (res_valid && res_last) || dw_done;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      out_first_q <= 1'b1;
      done_q      <= 1'b0;
    end else begin
      out_first_q <= out_first_d;
      done_q      <= done_d;
    end
  end
  // Reset-free: a command's first result uses its own line, then this one.
  always_ff @(posedge clk_i) begin
    out_line_q <= out_line_d;
  end
  assign tile_done = done_q;
  assign idle_o = !act_cmdq_valid && !wgt_cmdq_valid && !outq_valid && !done_q && !tiles_busy &&
                  dw_idle;

  // Unused: the line bytes beyond a weight row or an activation vector (LineBytes may
  // exceed NumCols or NumRows in a non-square build), and the stride bits above a line
  // address (the command checker has proven the whole range inside the scratchpad, so the
  // stride is used modulo the address width).
  logic unused_bits;
  assign unused_bits = ^{wgt_skid_data, act_skid_data, act_cmd_stride >> SpadAddrWidth,
                         act_cmd_row_stride >> SpadAddrWidth, tile_cmd, unused_vec_in_ready};

  if (LineBytes < NumRows || LineBytes < NumCols) begin : g_bad_line
    $error("tessera_compute_unit: LineBytes must hold an activation vector and a weight row");
  end

  `TESSERA_ASSERT(ResultHasCommand_A, res_valid |-> outq_valid, clk_i, rst_ni)
  `TESSERA_ASSERT(OneResultSourceAtATime_A, !(core_out_valid && vec_out_valid) &&
                  !((core_out_valid || vec_out_valid) && (dw_acc_valid || dw_done)), clk_i, rst_ni)
  `TESSERA_ASSERT(DepthwiseDoneHasCommand_A, dw_done |-> outq_valid, clk_i, rst_ni)
  `TESSERA_ASSERT(WgtSkidNeverOverflows_A, wgt_rsp_valid_i |-> wgt_skid_ready, clk_i, rst_ni)
  `TESSERA_ASSERT(ActSkidNeverOverflows_A, act_rsp_valid_i |-> act_skid_ready, clk_i, rst_ni)

endmodule
