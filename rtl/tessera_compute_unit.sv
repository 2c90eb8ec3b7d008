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
//             weights are read). A vector-path command after an array command (or the other
//             way round) starts once every result of that one is written, so results stay in
//             command order.
// Depthwise:  a DEPTHWISE command goes to tessera_depthwise instead (one input row of a
//             padded image into 3x3 windows per lane, its rows and weights read on ports of
//             its own), which writes its results on an accumulator port of its own: the
//             array and the unit run at once. A command is taken only when the accumulator banks it writes are
//             not written by a command of the other side taken before it and not yet done
//             (so every result sees the commands before it, and the two ports never meet in
//             a bank), and done_o pulses in command order.
// Scratchpad: read ports for activations, weights, and the depthwise unit's weights, rows
//             and second rows. Responses arrive one cycle after the request and cannot be
//             stalled, so each feeder reads only against a free slot of its FIFO in front of
//             the core (credits).
// Timing:     T commands of M >= NumRows vectors each take T*M + 2*NumRows + NumCols + 4
//             cycles from the first command handshake to the last done_o (the first weight
//             load, the core's latency and four stage registers, the array's command queue
//             the first of them): one activation vector per cycle and no bubble between
//             commands, given scratchpad ports that are not stalled (tb/compute asserts
//             it). RESCALE: one vector per cycle, 4 cycles of latency (the lanes' pipeline);
//             DEPTHWISE: one line (DW_PAIR: two) per cycle, 5 cycles of latency
//             (tessera_depthwise's reader and stages), beside the array; a switch between
//             the array and the vector path drains the other first.
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
  // Scratchpad read port of the depthwise unit's weights
  output logic                     dw_wgt_req_valid_o,
  input  logic                     dw_wgt_req_ready_i,
  output logic [SpadAddrWidth-1:0] dw_wgt_req_addr_o,
  input  logic                     dw_wgt_rsp_valid_i,
  input  logic [LineWidth-1:0]     dw_wgt_rsp_data_i,
  // Scratchpad read port of the depthwise unit's rows
  output logic                     line_req_valid_o,
  input  logic                     line_req_ready_i,
  output logic [SpadAddrWidth-1:0] line_req_addr_o,
  input  logic                     line_rsp_valid_i,
  input  logic [LineWidth-1:0]     line_rsp_data_i,
  // Scratchpad read port of the depthwise unit's second rows (DW_PAIR)
  output logic                     pair_req_valid_o,
  input  logic                     pair_req_ready_i,
  output logic [SpadAddrWidth-1:0] pair_req_addr_o,
  input  logic                     pair_rsp_valid_i,
  input  logic [LineWidth-1:0]     pair_rsp_data_i,
  // Accumulator acc ports (they never stall): the array's and the vector path's results,
  // and the depthwise unit's (never in a bank the other writes)
  output logic                     acc_valid_o,
  output logic [AccAddrWidth-1:0]  acc_addr_o,
  output logic [AccLineWidth-1:0]  acc_data_o,
  output logic                     acc_add_o,
  output logic                     dw_acc_valid_o,
  output logic [AccAddrWidth-1:0]  dw_acc_addr_o,
  output logic [AccLineWidth-1:0]  dw_acc_data_o,
  output logic                     dw_acc_add_o
);

  localparam int DataWidth   = tessera_pkg::DataWidth;
  localparam int CreditWidth = $clog2(SkidDepth + 1);
  localparam int RescaleWidth = 1 + 32 + 5 + 8;  // {rescale, multiplier, right shift, zero point}
  localparam int ActCmdWidth = SpadAddrWidth + 32 + 16 + 16 + 32 + RescaleWidth;
  localparam int OutCmdWidth = AccAddrWidth + 1;
  localparam int RowIdxWidth = tessera_pkg::index_width(NumRows);

  // ---------------------------------------------------------------------------------------
  // Intake: a command goes to its side, the array's (a queue of ArrayCmds commands) or the
  // depthwise unit, once that side has room and the banks it writes are free of the other
  // side's commands (below).
  // ---------------------------------------------------------------------------------------
  localparam int ArrayCmds = 2;
  logic               in_depthwise, in_side_ok, order_ready, dw_cmd_ready, intake;
  logic               arrq_ready, arrq_valid, arrq_pop, arr_done;
  logic [CmdBits-1:0] arrq_cmd;
  assign in_depthwise = cmd_i[tessera_isa_pkg::HdrModeLsb +
                              tessera_isa_pkg::ComputeModeDepthwiseBit];
  assign cmd_ready_o  = order_ready && in_side_ok && (in_depthwise ? dw_cmd_ready : arrq_ready);
  assign intake       = cmd_valid_i && cmd_ready_o;

  tessera_fifo #(
    .Width(CmdBits),
    .Depth(ArrayCmds)
  ) u_array_cmds (
    .clk_i,
    .rst_ni,
    .clr_i     (1'b0),
    .wr_valid_i(intake && !in_depthwise),
    .wr_ready_o(arrq_ready),
    .wr_data_i (cmd_i),
    .rd_valid_o(arrq_valid),
    .rd_ready_i(arrq_pop),
    .rd_data_o (arrq_cmd)
  );

  // ---------------------------------------------------------------------------------------
  // Array commands of several K tiles go to the feeders a tile at a time.
  // ---------------------------------------------------------------------------------------
  logic               tile_valid, tile_ready, tile_done, tiles_busy;
  logic [CmdBits-1:0] tile_cmd;

  tessera_tile_sequencer #(
    .NumRows(NumRows)
  ) u_tiles (
    .clk_i,
    .rst_ni,
    .cmd_valid_i (arrq_valid),
    .cmd_ready_o (arrq_pop),
    .cmd_i       (arrq_cmd),
    .done_o      (arr_done),
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

  assign tile_ready = act_cmdq_ready && wgt_cmdq_ready;

  // The command's fields (tessera_isa_pkg). Line fields are used modulo the scratchpad and
  // accumulator sizes: the checker has proven every line they reach in range.
  logic [SpadAddrWidth-1:0] cmd_act_line, cmd_wgt_line;
  logic [AccAddrWidth-1:0]  cmd_acc_line;
  logic [31:0]              cmd_act_stride, cmd_act_row_stride;
  logic [15:0]              cmd_vectors, cmd_act_rows;
  logic                     cmd_accumulate, cmd_rescale;
  logic [RescaleWidth-1:0]  cmd_rescale_params;
  assign cmd_act_line       = tile_cmd[tessera_isa_pkg::ComputeActLineLsb +: SpadAddrWidth];
  assign cmd_act_stride     = tile_cmd[tessera_isa_pkg::ComputeActStrideLsb +: 32];
  assign cmd_vectors        = tile_cmd[tessera_isa_pkg::ComputeVectorsLsb +: 16];
  assign cmd_act_rows       = tile_cmd[tessera_isa_pkg::ComputeActRowsLsb +: 16];
  assign cmd_act_row_stride = tile_cmd[tessera_isa_pkg::ComputeActRowStrideLsb +: 32];
  assign cmd_wgt_line       = tile_cmd[tessera_isa_pkg::ComputeWgtLineLsb +: SpadAddrWidth];
  assign cmd_acc_line       = tile_cmd[tessera_isa_pkg::ComputeAccLineLsb +: AccAddrWidth];
  logic [7:0]               cmd_mode;
  assign cmd_mode           = tile_cmd[tessera_isa_pkg::HdrModeLsb +: 8];
  assign cmd_accumulate     = cmd_mode[tessera_isa_pkg::ComputeModeAccumulateBit];
  assign cmd_rescale        = cmd_mode[tessera_isa_pkg::ComputeModeRescaleBit];
  assign cmd_rescale_params = {cmd_rescale,
                               tile_cmd[tessera_isa_pkg::ComputeRescaleMultiplierLsb +: 32],
                               tile_cmd[tessera_isa_pkg::ComputeRescaleRightShiftLsb +: 5],
                               tile_cmd[tessera_isa_pkg::ComputeRescaleZeroPointLsb +: 8]};
  // The depthwise unit's command, from the command taken (tessera_pkg::dw_cmd_bits; the
  // strides scratchpad-wide: the checker has proven every line in range).
  localparam int DwCmdWidth = tessera_pkg::dw_cmd_bits(SpadAddrWidth, AccAddrWidth);
  localparam int DwTaps     = tessera_isa_pkg::DwKernel * tessera_isa_pkg::DwKernel;
  logic [SpadAddrWidth-1:0] in_act_line, in_dw_pair_line;
  logic [AccAddrWidth-1:0]  in_acc_line;
  logic [15:0]              in_vectors, in_act_rows, in_n_valid, in_dw_pitch;
  logic [7:0]               in_mode;
  logic                     in_dw_stride2, in_dw_output;
  logic [DwCmdWidth-1:0]    in_dw;
  logic [15:0]              in_dw_outputs;  // per block: (padded VECTORS - 3) / stride + 1
  logic [7:0]               in_dw_pad;      // DW_PAD (the checker has proven it below 8)
  assign in_act_line     = cmd_i[tessera_isa_pkg::ComputeActLineLsb +: SpadAddrWidth];
  assign in_acc_line     = cmd_i[tessera_isa_pkg::ComputeAccLineLsb +: AccAddrWidth];
  assign in_vectors      = cmd_i[tessera_isa_pkg::ComputeVectorsLsb +: 16];
  assign in_act_rows     = cmd_i[tessera_isa_pkg::ComputeActRowsLsb +: 16];
  assign in_n_valid      = cmd_i[tessera_isa_pkg::ComputeNValidLsb +: 16];
  assign in_dw_pitch     = cmd_i[tessera_isa_pkg::ComputeDwBlockPitchLsb +: 16];
  assign in_mode         = cmd_i[tessera_isa_pkg::HdrModeLsb +: 8];
  assign in_dw_pad       = cmd_i[tessera_isa_pkg::ComputeDwPadLsb +: 8];
  assign in_dw_stride2   = in_mode[tessera_isa_pkg::ComputeModeDwStride2Bit];
  assign in_dw_output    = in_mode[tessera_isa_pkg::ComputeModeDwOutputBit];
  assign in_dw_pair_line = in_act_line +
                           cmd_i[tessera_isa_pkg::ComputeDwPairOffsetLsb +: SpadAddrWidth];
  assign in_dw = {in_act_line, in_dw_pad[2:0], cmd_i[tessera_isa_pkg::ComputeDwZeroPointLsb +: 8],
                  in_mode[tessera_isa_pkg::ComputeModeDwPairBit], in_dw_pair_line,
                  cmd_i[tessera_isa_pkg::ComputeActStrideLsb +: SpadAddrWidth],
                  cmd_i[tessera_isa_pkg::ComputeActRowStrideLsb +: SpadAddrWidth], in_act_rows,
                  in_vectors, cmd_i[tessera_isa_pkg::ComputeWgtLineLsb +: SpadAddrWidth],
                  in_acc_line, in_dw_pitch, in_dw_stride2, in_dw_output,
                  in_mode[tessera_isa_pkg::ComputeModeAccumulateBit]};
  assign in_dw_outputs = tessera_pkg::dw_outputs(in_vectors, in_dw_pad, in_dw_stride2);
  // The MAC counter's share, when the command is taken: ACT_ROWS x VECTORS x (EXTRA_TILES x
  // NumRows + K_VALID) x N_VALID (its tiles' K rows), all checked non-zero; none on the
  // vector path; depthwise: ACT_ROWS x its outputs x DW_TAPS x N_VALID with DW_OUTPUT
  // (isa::counted_macs).
  logic [31:0] in_k_rows;
  assign in_k_rows = 32'(cmd_i[tessera_isa_pkg::ComputeExtraTilesLsb +:
                               tessera_isa_pkg::ComputeExtraTilesWidth]) * 32'(NumRows) +
                     32'(cmd_i[tessera_isa_pkg::ComputeKValidLsb +: 16]);
  always_comb begin
    macs_o = '0;
    if (intake && in_depthwise && in_dw_output) begin
      macs_o = 32'(in_dw_outputs) * 32'(in_act_rows) * 32'(DwTaps) * 32'(in_n_valid);
    end else if (intake && !in_depthwise && !in_mode[tessera_isa_pkg::ComputeModeRescaleBit]) begin
      macs_o = 32'(in_vectors) * 32'(in_act_rows) * in_k_rows * 32'(in_n_valid);
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
                 cmd_rescale_params, cmd_acc_line, cmd_accumulate}),
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
    // The vector path reads no weights.
    .wr_valid_i(tile_valid && tile_ready && !cmd_rescale),
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

  assign wgt_req_valid_o = wgt_cmdq_valid && wgt_credits_q != CreditWidth'(SkidDepth);
  assign wgt_req_addr_o  = wgt_cmd_line + SpadAddrWidth'(wgt_row_q);
  assign wgt_issue       = wgt_req_valid_o && wgt_req_ready_i;
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
    end else begin
      wgt_row_q     <= wgt_row_d;
      wgt_credits_q <= wgt_credits_d;
    end
  end

  tessera_fifo #(
    .Width(LineWidth),
    .Depth(SkidDepth)
  ) u_wgt_skid (
    .clk_i,
    .rst_ni,
    .clr_i     (1'b0),
    .wr_valid_i(wgt_rsp_valid_i),
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
  assign {act_cmd_line, act_cmd_stride, act_cmd_vectors, act_cmd_rows, act_cmd_row_stride,
          act_cmd_rescale} = act_cmd;

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

  // A command starts (and tells the collector about itself) with its first read; one of
  // another kind than the last (array, vector path) once that one's results are all written.
  logic act_kind, last_kind_d, last_kind_q;  // RESCALE
  logic act_kind_ok;
  assign act_kind        = act_cmd_rescale[RescaleWidth-1];
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
  end

  tessera_fifo #(
    .Width(LineWidth + 1 + RescaleWidth),
    .Depth(SkidDepth)
  ) u_act_skid (
    .clk_i,
    .rst_ni,
    .clr_i     (1'b0),
    .wr_valid_i(act_rsp_valid_i),
    .wr_ready_o(act_skid_ready),
    .wr_data_i ({act_last_q, act_tag_q, act_rsp_data_i}),
    .rd_valid_o(act_skid_valid),
    .rd_ready_i(act_skid_pop),
    .rd_data_o ({act_skid_last, act_skid_tag, act_skid_data})
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

  logic act_to_vector, act_to_core;  // where the skid's head goes
  assign act_to_vector = act_skid_tag[RescaleWidth-1];
  assign act_to_core   = !act_to_vector;
  assign wgt_skid_pop  = wgt_skid_valid && core_wgt_ready;
  assign act_skid_pop  = act_skid_valid && (act_to_vector || core_act_ready);

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
  // The depthwise unit: its own row reads, weight reads and accumulator port
  // ---------------------------------------------------------------------------------------
  logic dw_done, dw_idle;

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
    .cmd_valid_i    (intake && in_depthwise),
    .cmd_ready_o    (dw_cmd_ready),
    .cmd_i          (in_dw),
    .line_req_valid_o,
    .line_req_ready_i,
    .line_req_addr_o,
    .line_rsp_valid_i,
    .line_rsp_data_i,
    .wgt_req_valid_o(dw_wgt_req_valid_o),
    .wgt_req_ready_i(dw_wgt_req_ready_i),
    .wgt_req_addr_o (dw_wgt_req_addr_o),
    .wgt_rsp_valid_i(dw_wgt_rsp_valid_i),
    .wgt_rsp_data_i (dw_wgt_rsp_data_i),
    .pair_req_valid_o,
    .pair_req_ready_i,
    .pair_req_addr_o,
    .pair_rsp_valid_i,
    .pair_rsp_data_i,
    .acc_valid_o    (dw_acc_valid_o),
    .acc_addr_o     (dw_acc_addr_o),
    .acc_data_o     (dw_acc_data_o),
    .acc_add_o      (dw_acc_add_o),
    .done_o         (dw_done),
    .idle_o         (dw_idle)
  );
  assign dw_busy_o = !dw_idle;

  // ---------------------------------------------------------------------------------------
  // Collector: the core's and the vector path's results into acc port 0 (one at a time: a
  // command of the other kind starts only when this one's results are written)
  // ---------------------------------------------------------------------------------------
  logic                    res_valid, res_last, res_done;
  logic [AccLineWidth-1:0] res_data;
  assign res_valid = core_out_valid || vec_out_valid;
  assign res_last  = core_out_valid ? core_out_last : vec_out_last;
  assign res_data  = core_out_valid ? core_out_data : vec_out;
  assign res_done  = res_valid && res_last;
  logic [AccAddrWidth-1:0] out_line_d, out_line_q;
  logic                    out_first_d, out_first_q;  // the next result is its command's first
  logic [AccAddrWidth-1:0] out_cmd_line;
  logic                    out_cmd_accumulate;
  assign {out_cmd_line, out_cmd_accumulate} = outq_data;

  logic [AccAddrWidth-1:0] res_addr;
  assign res_addr    = out_first_q ? out_cmd_line : out_line_q;
  assign acc_valid_o = res_valid;
  assign acc_addr_o  = res_addr;
  assign acc_data_o  = res_data;
  assign acc_add_o   = out_cmd_accumulate;
  assign outq_pop    = res_done;

  always_comb begin
    out_first_d = res_valid ? res_last : out_first_q;
    out_line_d  = res_valid ? res_addr + 1'b1 : out_line_q;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) out_first_q <= 1'b1;
    else         out_first_q <= out_first_d;
  end
  // Reset-free: a command's first result uses its own line, then this one.
  always_ff @(posedge clk_i) begin
    out_line_q <= out_line_d;
  end

  // ---------------------------------------------------------------------------------------
  // The two sides (the array's feeders and collector; the depthwise unit): the accumulator
  // banks each side's commands taken and not yet done write, and done in command order
  // ---------------------------------------------------------------------------------------
  localparam int AccBanks   = tessera_pkg::AccumulatorBanks;
  localparam int BankShift  = $clog2(AccLines / AccBanks);
  localparam int SpanWidth  = AccAddrWidth + 1;  // a line count up to AccLines
  localparam int OrderDepth = 8;  // commands taken and not yet reported done, both sides
  localparam int CountWidth = $clog2(OrderDepth + 1);
  localparam int BankWidth  = tessera_pkg::index_width(AccBanks);
  function automatic logic [BankWidth-1:0] bank_of(input logic [AccAddrWidth-1:0] line);
    bank_of = BankWidth'(line >> BankShift);
  endfunction

  // The command's last accumulator line (the checker has proven the range inside the
  // accumulator, so the low SpanWidth bits of each term are exact): an array or vector
  // command writes VECTORS x ACT_ROWS lines, a depthwise one with DW_OUTPUT its outputs of
  // each block, DW_BLOCK_PITCH apart, and without it none.
  logic [SpanWidth-1:0] in_last_line;
  logic [AccBanks-1:0]  in_banks;
  always_comb begin
    if (in_depthwise) begin
      in_last_line = SpanWidth'(in_acc_line) + SpanWidth'(in_act_rows - 16'd1) *
                     SpanWidth'(in_dw_pitch) + SpanWidth'(in_dw_outputs) - 1'b1;
    end else begin
      in_last_line = SpanWidth'(in_acc_line) + SpanWidth'(in_vectors) * SpanWidth'(in_act_rows) -
                     1'b1;
    end
    for (int b = 0; b < AccBanks; b++) begin
      in_banks[b] = (!in_depthwise || in_dw_output) && 32'(bank_of(in_acc_line)) <= b &&
                    32'(bank_of(in_last_line[AccAddrWidth-1:0])) >= b;
    end
  end

  logic                  arr_intake, dw_intake;
  logic [CountWidth-1:0] arr_pending_d, arr_pending_q, dw_pending_d, dw_pending_q;
  logic [AccBanks-1:0]   arr_banks_d, arr_banks_q, dw_banks_d, dw_banks_q;
  assign arr_intake = intake && !in_depthwise;
  assign dw_intake  = intake && in_depthwise;
  assign in_side_ok = in_depthwise ? arr_pending_q == '0 || (in_banks & arr_banks_q) == '0
                                   : dw_pending_q == '0 || (in_banks & dw_banks_q) == '0;

  // Done in command order: each command's side at intake; a side's done pulses counted
  // until the oldest command is of that side.
  logic                  order_valid, order_dw, report;
  logic [CountWidth-1:0] arr_unreported_d, arr_unreported_q, dw_unreported_d, dw_unreported_q;
  tessera_fifo #(
    .Width(1),
    .Depth(OrderDepth)
  ) u_order (
    .clk_i,
    .rst_ni,
    .clr_i     (1'b0),
    .wr_valid_i(intake),
    .wr_ready_o(order_ready),
    .wr_data_i (in_depthwise),
    .rd_valid_o(order_valid),
    .rd_ready_i(report),
    .rd_data_o (order_dw)
  );
  assign report = order_valid && (order_dw ? dw_unreported_q != '0 || dw_done
                                           : arr_unreported_q != '0 || arr_done);

  always_comb begin
    arr_pending_d    = arr_pending_q + CountWidth'(arr_intake) - CountWidth'(arr_done);
    dw_pending_d     = dw_pending_q + CountWidth'(dw_intake) - CountWidth'(dw_done);
    arr_banks_d      = arr_intake ? (arr_pending_q == '0 ? '0 : arr_banks_q) | in_banks
                                  : arr_banks_q;
    dw_banks_d       = dw_intake ? (dw_pending_q == '0 ? '0 : dw_banks_q) | in_banks
                                 : dw_banks_q;
    arr_unreported_d = arr_unreported_q + CountWidth'(arr_done) -
                       CountWidth'(report && !order_dw);
    dw_unreported_d  = dw_unreported_q + CountWidth'(dw_done) - CountWidth'(report && order_dw);
  end

  logic tile_done_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      arr_pending_q    <= '0;
      dw_pending_q     <= '0;
      arr_banks_q      <= '0;
      dw_banks_q       <= '0;
      arr_unreported_q <= '0;
      dw_unreported_q  <= '0;
      tile_done_q      <= 1'b0;
    end else begin
      arr_pending_q    <= arr_pending_d;
      dw_pending_q     <= dw_pending_d;
      arr_banks_q      <= arr_banks_d;
      dw_banks_q       <= dw_banks_d;
      arr_unreported_q <= arr_unreported_d;
      dw_unreported_q  <= dw_unreported_d;
      tile_done_q      <= res_done;
    end
  end
  assign tile_done = tile_done_q;
  assign done_o    = report;
  assign idle_o = !arrq_valid && !act_cmdq_valid && !wgt_cmdq_valid && !outq_valid &&
                  !tile_done_q && !tiles_busy && dw_idle && !order_valid;

  // Unused: the line bytes beyond a weight row or an activation vector (LineBytes may
  // exceed NumCols or NumRows in a non-square build), the last line's carry bit (0: the line
  // is inside the accumulator) and the stride bits above a line address (the command
  // checker has proven the whole range inside the scratchpad, so the stride is used modulo
  // the address width).
  logic unused_bits;
  assign unused_bits = ^{wgt_skid_data, act_skid_data, act_cmd_stride >> SpadAddrWidth,
                         act_cmd_row_stride >> SpadAddrWidth, tile_cmd, unused_vec_in_ready,
                         in_last_line[SpanWidth-1], cmd_i};

  if (LineBytes < NumRows || LineBytes < NumCols) begin : g_bad_line
    $error("tessera_compute_unit: LineBytes must hold an activation vector and a weight row");
  end

  `TESSERA_ASSERT(ResultHasCommand_A, res_valid |-> outq_valid, clk_i, rst_ni)
  `TESSERA_ASSERT(OneResultSourceAtATime_A, !(core_out_valid && vec_out_valid), clk_i, rst_ni)
  `TESSERA_ASSERT(ArrayDoneHasCommand_A, arr_done |-> arr_pending_q != '0, clk_i, rst_ni)
  `TESSERA_ASSERT(DepthwiseDoneHasCommand_A, dw_done |-> dw_pending_q != '0, clk_i, rst_ni)
  `TESSERA_ASSERT(ArrayWritesItsBanks_A, acc_valid_o |-> arr_banks_q[bank_of(acc_addr_o)],
                  clk_i, rst_ni)
  `TESSERA_ASSERT(DepthwiseWritesItsBanks_A,
                  dw_acc_valid_o |-> dw_banks_q[bank_of(dw_acc_addr_o)], clk_i, rst_ni)
  `TESSERA_ASSERT(SidesNeverShareABank_A, (arr_pending_q != '0 && dw_pending_q != '0) |->
                  (arr_banks_q & dw_banks_q) == '0, clk_i, rst_ni)
  `TESSERA_ASSERT(WgtSkidNeverOverflows_A, wgt_rsp_valid_i |-> wgt_skid_ready, clk_i, rst_ni)
  `TESSERA_ASSERT(ActSkidNeverOverflows_A, act_rsp_valid_i |-> act_skid_ready, clk_i, rst_ni)

endmodule
