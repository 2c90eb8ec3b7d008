// SPDX-License-Identifier: Apache-2.0
// tessera_store_unit: executes STORE commands (docs/isa.md).
//
// Function:   writes ROWS rows to host memory through the DMA write engine, row m at
//             DRAM_ADDR + m*DRAM_STRIDE: line ACC_LINE + p*PANEL_PITCH + m of each panel
//             p = 0 .. EXTRA_PANELS, back to back, COLS lanes per line: raw int32 (4*COLS
//             bytes per line) or, with REQUANTIZE, int8 (COLS bytes) from tessera_postproc
//             with the quantization table's {bias, multiplier, shift} - entry QPARAM_ENTRY +
//             p*COLS + l for lane l of panel p with PER_CHANNEL, entry QPARAM_ENTRY for every
//             lane otherwise. With POOL_2X2 (one panel), a 2x2
//             max-pool follows the requantization (pooling the int8 results is what the
//             reference model does): ROWS pooled rows of POOL_WIDTH pixels, pooled pixel
//             (y, x) the lane-wise maximum of lines ACC_LINE + 2y*ACC_PITCH + 2x +
//             {0, 1, ACC_PITCH, ACC_PITCH + 1}, written as consecutive rows. done_o pulses
//             Rows that are contiguous in memory (DRAM_STRIDE = the row's bytes, a multiple
//             of the bus width; not pooled) go to the write engine as one row of all their
//             bytes, so that its bursts are long (a row outside the window then writes none
//             of them). With TO_SCRATCHPAD (requantized) the int8 lines go into the
//             scratchpad instead: line i of panel p (i a row, or a pooled pixel) to scratchpad
//             line SRAM_LINE + i*SRAM_STRIDE + p*SRAM_PANEL_PITCH, COLS bytes from byte 0
//             (the others unchanged), through the write port the load unit has first call on.
//             done_o pulses
//             once the write engine reports the last write complete, with error_o = ErrNone,
//             or the engine error code: ErrBadClamp for a table shift out of range (nothing
//             is written then), or the DMA's failure.
// Pieces:     tessera_store_params (the table entries), tessera_store_reader (accumulator
//             reads against credits), tessera_postproc (requantization), tessera_pool_2x2,
//             tessera_beat_packer (rows into bus beats); this module holds the command and
//             the phases: Idle -> Params (with REQUANTIZE) -> Stream -> Idle. A STORE whose
//             beats are all out waits for its status from the write engine while the next
//             one runs (the engine takes the next descriptor meanwhile,
//             tessera_dma_writer): done_o pulses with each status, in command order. A
//             table shift out of range goes Params -> Drain (the STOREs before it report
//             first) -> Finish (done_o with ErrBadClamp). A TO_SCRATCHPAD STORE goes
//             Stream -> Drain -> Finish once its last line is written: Drain waits for the
//             statuses of the STOREs before it, so done_o keeps command order. release_o
//             pulses once per STORE when its last beat goes to the write engine or its last
//             line into the scratchpad (its accumulator lines all read), or with the Finish
//             of a failed one: the engine then gives the STORE's PUSH_PREV token, so the
//             compute unit may write those lines again (and read the scratchpad lines) while
//             host writes wait for responses.
// Latency:    the table entries (entries + 1 cycles, 1 when the previous STORE fetched the
//             same ones and the table is unchanged), then lines stream; done_o the cycle
//             after the write engine's status, while the next STORE may already stream.
// Throughput: one line per cycle, or one bus beat per cycle when a row spans several;
//             pooled, one output row per four lines.
// Stalls:     accumulator reads retry when refused (the compute unit has priority on a
//             bank); the write engine's input may stall, and a scratchpad line waits while
//             the load unit writes.
`include "tessera_assert.svh"

module tessera_store_unit #(
  parameter int NumRows       = tessera_pkg::DefaultNumRows,
  parameter int NumCols       = tessera_pkg::DefaultNumCols,
  parameter int BusWidth      = tessera_pkg::DefaultBusWidth,
  parameter int SpadLines     = tessera_pkg::DefaultScratchpadLines,
  parameter int AccLines      = tessera_pkg::DefaultAccumulatorLines,
  parameter int QTableEntries = tessera_pkg::DefaultQTableEntries,
  parameter int SkidDepth     = 4,
  localparam int CmdBits       = tessera_isa_pkg::CommandBits,
  localparam int SpadAddrWidth = tessera_pkg::index_width(SpadLines),
  localparam int AccAddrWidth  = tessera_pkg::index_width(AccLines),
  localparam int QtAddrWidth   = tessera_pkg::index_width(QTableEntries),
  localparam int AddrWidth     = tessera_pkg::DmaAddrWidth,
  localparam int AccLineWidth  = tessera_pkg::AccWidth * NumCols
) (
  input  logic                             clk_i,
  input  logic                             rst_ni,
  // Commands (a checked STORE)
  input  logic                             cmd_valid_i,
  output logic                             cmd_ready_o,
  input  logic [CmdBits-1:0]               cmd_i,
  output logic                             done_o,
  output logic                             release_o,  // its accumulator lines are read
  output logic [7:0]                       error_o,
  output logic                             idle_o,
  // Quantization table read port (data one cycle after the request)
  output logic                             qt_rd_en_o,
  output logic [QtAddrWidth-1:0]           qt_rd_addr_o,
  input  logic [tessera_isa_pkg::QtEntryBits-1:0] qt_rd_data_i,
  input  logic                             qt_written_i,  // the load unit writes the table
  // Accumulator read port
  output logic                             acc_req_valid_o,
  input  logic                             acc_req_ready_i,
  output logic [AccAddrWidth-1:0]          acc_req_addr_o,
  input  logic                             acc_rsp_valid_i,
  input  logic [AccLineWidth-1:0]          acc_rsp_data_i,
  // DMA write engine
  output logic                             wr_desc_valid_o,
  input  logic                             wr_desc_ready_i,
  output tessera_pkg::dma_desc_t           wr_desc_o,
  output logic                             wr_valid_o,
  input  logic                             wr_ready_i,
  output logic [BusWidth-1:0]              wr_data_o,
  output logic                             wr_last_o,
  input  logic                             wr_status_valid_i,
  output logic                             wr_status_ready_o,
  input  logic [2:0]                       wr_status_error_i,
  // Scratchpad writes (TO_SCRATCHPAD; ready while the load unit does not write)
  output logic                             spad_wr_valid_o,
  input  logic                             spad_wr_ready_i,
  output logic [SpadAddrWidth-1:0]         spad_wr_addr_o,
  output logic [8*NumRows-1:0]             spad_wr_data_o,
  output logic [NumRows-1:0]               spad_wr_strb_o
);

  localparam int LaneIdxWidth = tessera_pkg::index_width(NumCols);
  localparam int BusBytes     = BusWidth / 8;
  localparam int RowBytesMax  = 4 * NumCols;
  localparam int Wide         = 8 * (RowBytesMax > BusBytes ? RowBytesMax : BusBytes);
  // A line's bytes, up to 4 x NumCols (256 in a 64-column build: 8 bits would wrap).
  localparam int RowBytesWidth = $clog2(Wide / 8 + 1);
  localparam int MaxPanels     = tessera_isa_pkg::MaxExtraPanels + 1;
  localparam int PanelWidth    = tessera_pkg::index_width(MaxPanels);
  // A row's bytes: a line of each panel.
  localparam int DmaRowWidth   = $clog2(MaxPanels * Wide / 8 + 1);

  // ---- The command, decoded when it is taken ---------------------------------------------
  typedef enum logic [2:0] {Idle, Params, Stream, Drain, Finish} state_e;
  state_e state_d, state_q;

  logic                    accept;
  logic [AddrWidth-1:0]    dram_addr_q, dram_stride_q;
  logic [15:0]             out_rows_q;
  logic [DmaRowWidth-1:0]  row_bytes_q;  // panels x (COLS, or 4*COLS raw)
  logic                    merged_q;     // the rows are contiguous: one descriptor row
  logic                    requant_q;
  logic                    to_spad_q;    // TO_SCRATCHPAD
  logic [NumRows-1:0]      spad_strb_q;  // COLS bytes of a line
  logic [SpadAddrWidth-1:0] spad_stride_q, spad_pitch_q;
  logic [SpadAddrWidth-1:0] spad_line_d, spad_line_q, spad_row_d, spad_row_q;
  logic [15:0]             spad_left_d, spad_left_q;  // lines still to write
  logic [PanelWidth-1:0]   spad_panel_d, spad_panel_q;
  logic [7:0]              zero_point_q, act_min_q, act_max_q;
  logic                    desc_sent_d, desc_sent_q;
  logic [7:0]              error_d, error_q;   // ErrBadClamp for Finish
  // STOREs whose beats are out and whose status has not come (at most the write engine's two)
  logic [1:0]              waiting_d, waiting_q;
  logic                    status_fire, status_done_q;
  logic [7:0]              status_error_q;

  assign cmd_ready_o = state_q == Idle;
  assign accept      = cmd_valid_i && cmd_ready_o;

  // The command's fields (tessera_isa_pkg). Line and entry fields are used modulo the buffer
  // sizes: the checker has proven every line and entry they reach in range.
  logic [7:0]              cmd_mode;
  logic                    cmd_requant, cmd_per_channel, cmd_pool, cmd_to_spad;
  logic [15:0]             cmd_rows, cmd_cols, cmd_pool_width, cmd_out_rows;
  logic [AccAddrWidth-1:0] cmd_acc_line, cmd_acc_pitch;
  logic [QtAddrWidth-1:0]  cmd_entry;
  logic [LaneIdxWidth:0]   cmd_entries;  // one entry per lane stored, or one for all
  logic [RowBytesWidth-1:0] cmd_line_bytes;
  logic [PanelWidth-1:0]   cmd_last_panel;  // EXTRA_PANELS (checked <= MaxExtraPanels)
  logic [AccAddrWidth-1:0] cmd_panel_pitch;
  logic [DmaRowWidth-1:0]  cmd_row_bytes;
  logic [15:0]             cmd_lines;      // lines the post-processing or beat packer takes
  assign cmd_mode        = cmd_i[tessera_isa_pkg::HdrModeLsb +: 8];
  assign cmd_requant     = cmd_mode[tessera_isa_pkg::StoreModeRequantizeBit];
  assign cmd_per_channel = cmd_mode[tessera_isa_pkg::StoreModePerChannelBit];
  assign cmd_pool        = cmd_mode[tessera_isa_pkg::StoreModePool2x2Bit];
  assign cmd_to_spad     = cmd_mode[tessera_isa_pkg::StoreModeToScratchpadBit];
  assign cmd_rows        = cmd_i[tessera_isa_pkg::StoreRowsLsb +: 16];
  assign cmd_cols        = cmd_i[tessera_isa_pkg::StoreColsLsb +: 16];
  assign cmd_pool_width  = cmd_i[tessera_isa_pkg::StorePoolWidthLsb +: 16];
  assign cmd_acc_line    = cmd_i[tessera_isa_pkg::StoreAccLineLsb +: AccAddrWidth];
  assign cmd_acc_pitch   = cmd_i[tessera_isa_pkg::StoreAccPitchLsb +: AccAddrWidth];
  assign cmd_entry       = cmd_i[tessera_isa_pkg::StoreQparamEntryLsb +: QtAddrWidth];
  assign cmd_entries     = cmd_per_channel ? (LaneIdxWidth+1)'(cmd_cols) : (LaneIdxWidth+1)'(1);
  assign cmd_line_bytes  = cmd_requant ? RowBytesWidth'(cmd_cols) : RowBytesWidth'(cmd_cols) << 2;
  assign cmd_last_panel  = cmd_i[tessera_isa_pkg::StoreExtraPanelsLsb +: PanelWidth];
  assign cmd_panel_pitch = cmd_i[tessera_isa_pkg::StorePanelPitchLsb +: AccAddrWidth];
  assign cmd_row_bytes   = DmaRowWidth'(cmd_line_bytes) * (DmaRowWidth'(cmd_last_panel) + 1'b1);
  // Checked: ROWS x POOL_WIDTH <= MAX_COUNT pooled pixels.
  assign cmd_out_rows    = cmd_pool ? 16'(32'(cmd_rows) * 32'(cmd_pool_width)) : cmd_rows;
  assign cmd_lines       = 16'(32'(cmd_out_rows) * (32'(cmd_last_panel) + 32'd1));  // checked <= MAX_COUNT
  // Rows back to back in whole bus beats (with several panels, each line is whole beats:
  // checked), at most a DMA row in all: the beats are the same stream.
  logic cmd_merged;
  assign cmd_merged = !cmd_pool &&
                      cmd_i[tessera_isa_pkg::StoreDramStrideLsb +: AddrWidth] == AddrWidth'(cmd_row_bytes) &&
                      cmd_line_bytes % RowBytesWidth'(BusBytes) == '0 &&
                      32'(cmd_row_bytes) * 32'(cmd_out_rows) <= 32'(tessera_isa_pkg::MaxRowBytes);

  // TO_SCRATCHPAD writes a line's first COLS bytes (COLS <= NumRows: checked).
  logic [NumRows-1:0] cmd_spad_strb;
  always_comb begin
    for (int b = 0; b < NumRows; b++) cmd_spad_strb[b] = 16'(b) < cmd_cols;
  end

  // What this module itself uses while the command runs (a plain register with the
  // handshake as enable); the pieces below take their own fields with start_i.
  always_ff @(posedge clk_i) begin
    if (accept) begin
      dram_addr_q   <= cmd_i[tessera_isa_pkg::StoreDramAddrLsb +: AddrWidth];
      dram_stride_q <= cmd_i[tessera_isa_pkg::StoreDramStrideLsb +: AddrWidth];
      out_rows_q    <= cmd_out_rows;
      row_bytes_q   <= cmd_row_bytes;
      merged_q      <= cmd_merged;
      requant_q     <= cmd_requant;
      to_spad_q     <= cmd_to_spad;
      spad_strb_q   <= cmd_spad_strb;
      spad_stride_q <= cmd_i[tessera_isa_pkg::StoreSramStrideLsb +: SpadAddrWidth];
      spad_pitch_q  <= cmd_i[tessera_isa_pkg::StoreSramPanelPitchLsb +: SpadAddrWidth];
      zero_point_q  <= cmd_i[tessera_isa_pkg::StoreZeroPointLsb +: 8];
      act_min_q     <= cmd_i[tessera_isa_pkg::StoreActMinLsb +: 8];
      act_max_q     <= cmd_i[tessera_isa_pkg::StoreActMaxLsb +: 8];
    end
  end

  // ---- Quantization parameters ------------------------------------------------------------
  logic                  params_done, params_bad_shift;
  logic [PanelWidth-1:0] pp_panel_d, pp_panel_q;  // the panel of the line entering it
  logic [PanelWidth-1:0] last_panel_q;
  logic [NumCols*32-1:0] bias, mult;
  logic [NumCols*6-1:0]  shift;

  tessera_store_params #(
    .NumCols      (NumCols),
    .QTableEntries(QTableEntries)
  ) u_params (
    .clk_i,
    .rst_ni,
    .start_i      (accept && cmd_requant),  // a raw STORE leaves the held groups alone
    .first_entry_i(cmd_entry),
    .per_channel_i(cmd_per_channel),
    .entries_i    (cmd_entries),
    .last_panel_i (cmd_per_channel ? cmd_last_panel : '0),
    .fetch_i      (state_q == Params),
    .done_o       (params_done),
    .bad_shift_o  (params_bad_shift),
    .qt_written_i,
    .qt_rd_en_o,
    .qt_rd_addr_o,
    .qt_rd_data_i,
    .panel_i      (pp_panel_q),
    .bias_o       (bias),
    .mult_o       (mult),
    .shift_o      (shift)
  );

  // ---- Accumulator lines ------------------------------------------------------------------
  logic                    line_valid, line_ready;
  logic [AccLineWidth-1:0] line_data;

  tessera_store_reader #(
    .NumCols  (NumCols),
    .AccLines (AccLines),
    .SkidDepth(SkidDepth)
  ) u_reader (
    .clk_i,
    .rst_ni,
    .start_i        (accept),
    .first_line_i   (cmd_acc_line),
    .rows_i         (cmd_rows),
    .pool_i         (cmd_pool),
    .pool_width_i   (cmd_pool_width),
    .pitch_i        (cmd_acc_pitch),
    .last_panel_i   (cmd_last_panel),
    .panel_pitch_i  (cmd_panel_pitch),
    .run_i          (state_q == Stream),
    .acc_req_valid_o,
    .acc_req_ready_i,
    .acc_req_addr_o,
    .acc_rsp_valid_i,
    .acc_rsp_data_i,
    .line_valid_o   (line_valid),
    .line_ready_i   (line_ready),
    .line_data_o    (line_data)
  );

  // ---- Requantization and pooling, or raw ------------------------------------------------
  logic                 pp_in_ready, pp_out_valid, pp_out_ready, pp_out_user;
  logic [NumCols*8-1:0] pp_out_data, pooled;
  logic                 pooled_valid, pooled_ready;

  tessera_postproc #(
    .Lanes    (NumCols),
    .UserWidth(1)
  ) u_postproc (
    .clk_i,
    .rst_ni,
    .in_valid_i     (line_valid && requant_q),
    .in_ready_o     (pp_in_ready),
    .in_acc_i       (line_data),
    .in_bias_i      (bias),
    .in_mult_i      (mult),
    .in_shift_i     (shift),
    .in_zero_point_i(zero_point_q),
    .in_act_min_i   (act_min_q),
    .in_act_max_i   (act_max_q),
    .in_user_i      (1'b0),
    .out_valid_o    (pp_out_valid),
    .out_ready_i    (pp_out_ready),
    .out_data_o     (pp_out_data),
    .out_user_o     (pp_out_user)
  );

  tessera_pool_2x2 #(
    .Lanes(NumCols)
  ) u_pool (
    .clk_i,
    .start_i    (accept),
    .enable_i   (cmd_pool),
    .in_valid_i (pp_out_valid),
    .in_ready_o (pp_out_ready),
    .in_data_i  (pp_out_data),
    .out_valid_o(pooled_valid),
    .out_ready_i(pooled_ready),
    .out_data_o (pooled)
  );

  // ---- Rows into bus beats ----------------------------------------------------------------
  logic            row_valid, row_ready, wr_fire;
  logic [Wide-1:0] row_data;

  // Host memory: rows into beats; TO_SCRATCHPAD (requantized): each line to its own place.
  logic spad_fire;
  assign row_valid    = to_spad_q ? 1'b0 : requant_q ? pooled_valid : line_valid;
  assign row_data     = requant_q ? Wide'(pooled) : Wide'(line_data);
  assign line_ready   = requant_q ? pp_in_ready : row_ready;
  assign pooled_ready = to_spad_q ? state_q == Stream && spad_wr_ready_i : row_ready;
  assign wr_fire      = wr_valid_o && wr_ready_i;
  assign spad_fire    = spad_wr_valid_o && spad_wr_ready_i;

  tessera_beat_packer #(
    .BusWidth(BusWidth),
    .RowWidth(Wide)
  ) u_beats (
    .clk_i,
    .rst_ni,
    .start_i    (accept),
    .row_bytes_i(cmd_line_bytes),
    .rows_i     (cmd_lines),
    .run_i      (state_q == Stream && !to_spad_q),
    .row_valid_i(row_valid),
    .row_ready_o(row_ready),
    .row_data_i (row_data),
    .wr_valid_o,
    .wr_ready_i,
    .wr_data_o,
    .wr_last_o
  );

  // ---- The write engine: descriptor and status --------------------------------------------
  assign wr_desc_valid_o     = state_q == Stream && !desc_sent_q && !to_spad_q;
  // {addr, row_bytes, rows, stride}: tessera_pkg::dma_desc_t
  // Merged: ROWS x row bytes <= 65535 x 256 < 2^24, one row.
  assign wr_desc_o           = merged_q
      ? {dram_addr_q, tessera_pkg::DmaLenWidth'(32'(row_bytes_q) * 32'(out_rows_q)), 16'd1,
         dram_stride_q}
      : {dram_addr_q, tessera_pkg::DmaLenWidth'(row_bytes_q), out_rows_q, dram_stride_q};

  // The panel of each line the post-processing takes: 0 .. EXTRA_PANELS, row after row.
  always_comb begin
    pp_panel_d = pp_panel_q;
    if (line_valid && requant_q && pp_in_ready) begin
      pp_panel_d = pp_panel_q == last_panel_q ? '0 : pp_panel_q + 1'b1;
    end
    if (accept) pp_panel_d = '0;
  end
  always_ff @(posedge clk_i) begin
    pp_panel_q <= pp_panel_d;
    if (accept) last_panel_q <= cmd_last_panel;
  end
  // ---- The scratchpad: line i of panel p at SRAM_LINE + i*SRAM_STRIDE + p*SRAM_PANEL_PITCH
  assign spad_wr_valid_o = state_q == Stream && to_spad_q && pooled_valid;
  assign spad_wr_addr_o  = spad_line_q;
  assign spad_wr_data_o  = pooled[8*NumRows-1:0];
  assign spad_wr_strb_o  = spad_strb_q;
  always_comb begin
    spad_line_d  = spad_line_q;
    spad_row_d   = spad_row_q;
    spad_panel_d = spad_panel_q;
    spad_left_d  = spad_left_q;
    if (spad_fire) begin
      spad_left_d = spad_left_q - 16'd1;
      if (spad_panel_q == last_panel_q) begin
        spad_panel_d = '0;
        spad_row_d   = spad_row_q + spad_stride_q;
        spad_line_d  = spad_row_q + spad_stride_q;
      end else begin
        spad_panel_d = spad_panel_q + 1'b1;
        spad_line_d  = spad_line_q + spad_pitch_q;
      end
    end
    if (accept) begin
      spad_line_d  = cmd_i[tessera_isa_pkg::StoreSramLineLsb +: SpadAddrWidth];
      spad_row_d   = cmd_i[tessera_isa_pkg::StoreSramLineLsb +: SpadAddrWidth];
      spad_panel_d = '0;
      spad_left_d  = cmd_lines;
    end
  end
  // Reset-free: a command's acceptance sets them before they are read.
  always_ff @(posedge clk_i) begin
    spad_line_q  <= spad_line_d;
    spad_row_q   <= spad_row_d;
    spad_panel_q <= spad_panel_d;
    spad_left_q  <= spad_left_d;
  end

  assign wr_status_ready_o   = waiting_q != 2'd0;
  assign status_fire         = wr_status_valid_i && wr_status_ready_o;

  // ---- Phases -----------------------------------------------------------------------------
  always_comb begin
    state_d     = state_q;
    desc_sent_d = desc_sent_q;
    error_d     = error_q;
    unique case (state_q)
      Idle:    if (cmd_valid_i) state_d = cmd_requant ? Params : Stream;
      Params:  if (params_done) state_d = params_bad_shift ? Drain : Stream;
      Stream:  if (wr_fire && wr_last_o) state_d = Idle;
               else if (spad_fire && spad_left_q == 16'd1) state_d = Drain;
      Drain:   if (waiting_q == 2'd0) state_d = Finish;
      Finish:  state_d = Idle;
      default: state_d = Idle;
    endcase
    if (wr_desc_valid_o && wr_desc_ready_i) desc_sent_d = 1'b1;
    if (state_q == Params && state_d == Drain) error_d = tessera_isa_pkg::ErrBadClamp;
    waiting_d = waiting_q + 2'(state_q == Stream && wr_fire && wr_last_o) - 2'(status_fire);
    if (accept) begin
      desc_sent_d = 1'b0;
      error_d     = tessera_isa_pkg::ErrNone;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q       <= Idle;
      waiting_q     <= 2'd0;
      status_done_q <= 1'b0;
    end else begin
      state_q       <= state_d;
      waiting_q     <= waiting_d;
      status_done_q <= status_fire;
    end
  end
  always_ff @(posedge clk_i) begin
    if (status_fire) status_error_q <= tessera_pkg::isa_error_of_dma(wr_status_error_i);
  end

  // Reset-free: a command's acceptance sets them before they are read.
  always_ff @(posedge clk_i) begin
    desc_sent_q <= desc_sent_d;
    error_q     <= error_d;
  end

  // A status and a Finish never meet: Drain waits until no status is due.
  assign done_o  = status_done_q || state_q == Finish;
  // A STORE's accumulator lines are all read when its last beat goes to the write engine or
  // its last line into the scratchpad; one that fails first is released with its done.
  assign release_o = (state_q == Stream && wr_fire && wr_last_o) ||
                     (state_q == Stream && spad_fire && spad_left_q == 16'd1) ||
                     (state_q == Finish && error_q != tessera_isa_pkg::ErrNone);
  assign error_o = status_done_q ? status_error_q : error_q;
  assign idle_o  = state_q == Idle && waiting_q == 2'd0 && !status_done_q;

  // Unused: the command bytes a STORE does not read (the header's opcode and deps; fields
  // wider than this build's buffers, whose values the checker has bounded); COLS above a
  // row's byte count (the checker keeps COLS <= NumCols); the post-processing's sideband.
  logic unused_bits;
  assign unused_bits = ^{cmd_i, cmd_cols, pp_out_user};

  `TESSERA_ASSERT(StartsOnlyWhenIdle_A, accept |-> state_q == Idle, clk_i, rst_ni)
  `TESSERA_ASSERT(AtMostTwoStatusesDue_A, waiting_q != 2'd3, clk_i, rst_ni)
  `TESSERA_ASSERT(OneDoneAtATime_A, !(status_done_q && state_q == Finish), clk_i, rst_ni)
  `TESSERA_ASSERT(ScratchpadLinesRequantized_A, spad_wr_valid_o |-> requant_q, clk_i, rst_ni)
  `TESSERA_ASSERT(NoBeatsToScratchpad_A, to_spad_q && state_q == Stream |-> !wr_valid_o &&
                  !wr_desc_valid_o, clk_i, rst_ni)

endmodule
