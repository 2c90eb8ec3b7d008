// SPDX-License-Identifier: Apache-2.0
// tessera_load_unit: executes LOAD commands (docs/isa.md).
//
// Function:   hands the command's 2D block to the DMA read engine and writes the rows it
//             delivers into the destination (MODE: TO_ACCUMULATOR, TO_QTABLE, else the
//             scratchpad): scratchpad lines (NumRows bytes), accumulator lines (NumCols
//             int32, overwriting) or quantization-table entries (tessera_isa_pkg's QtEntry).
//             Row r starts at line sram_line + r*sram_stride and fills consecutive lines;
//             the unused tail of a row's last line is zero. A FILL command writes its
//             scratchpad rows with the fill byte instead (same line layout, no transfer),
//             one line per cycle. A WINDOWS command cuts each row into overlapping windows
//             (tessera_window_cutter): window i of row r is written, with byte strobes, at
//             BYTE_OFFSET of line sram_line + r*sram_stride + i*WINDOW_LINE_STRIDE. done_o pulses when the last
//             line is written, with error_o = ErrNone, or when the transfer failed, with the
//             engine error code of the DMA's failure (tessera_pkg::isa_error_of_dma; nothing
//             more is written then).
// Latency:    the descriptor leaves the cycle after the command; lines follow the DMA's
//             data one cycle after it arrives (tessera_line_packer is combinational).
// Throughput: one bus beat (or one line, if smaller) per cycle. The unit holds a second
//             command while the first runs and hands its descriptor to the DMA as soon as
//             the first's is out, so the read engine issues its bursts early and its data
//             follows the first's without a memory latency between (tessera_dma_reader);
//             the second takes the stream once the first's last beat is in. Commands finish
//             in order.
// Stalls:     accumulator writes wait for acc_wr_ready_i (the compute unit has priority on
//             the accumulator); scratchpad and table writes never wait.
`include "tessera_assert.svh"

module tessera_load_unit #(
  parameter int NumRows       = tessera_pkg::DefaultNumRows,
  parameter int NumCols       = tessera_pkg::DefaultNumCols,
  parameter int BusWidth      = tessera_pkg::DefaultBusWidth,
  parameter int SpadLines     = tessera_pkg::DefaultScratchpadLines,
  parameter int AccLines      = tessera_pkg::DefaultAccumulatorLines,
  parameter int QTableEntries = tessera_pkg::DefaultQTableEntries,
  localparam int CmdBits       = tessera_isa_pkg::CommandBits,
  localparam int BusBytes      = BusWidth / 8,
  localparam int CountWidth    = $clog2(BusBytes) + 1,
  localparam int SpadAddrWidth = tessera_pkg::index_width(SpadLines),
  localparam int AccAddrWidth  = tessera_pkg::index_width(AccLines),
  localparam int QtAddrWidth   = tessera_pkg::index_width(QTableEntries),
  localparam int EntryBits     = tessera_isa_pkg::QtEntryBits
) (
  input  logic                     clk_i,
  input  logic                     rst_ni,
  // Commands (a checked LOAD)
  input  logic                     cmd_valid_i,
  output logic                     cmd_ready_o,
  input  logic [CmdBits-1:0]       cmd_i,
  output logic                     done_o,
  output logic [7:0]               error_o,
  output logic                     idle_o,
  // DMA read engine
  output logic                     rd_desc_valid_o,
  input  logic                     rd_desc_ready_i,
  output tessera_pkg::dma_desc_t   rd_desc_o,
  input  logic                     rd_valid_i,
  output logic                     rd_ready_o,
  input  logic [BusWidth-1:0]      rd_data_i,
  input  logic [CountWidth-1:0]    rd_bytes_i,
  input  logic                     rd_row_last_i,
  input  logic                     rd_last_i,
  input  logic [2:0]               rd_error_i,
  // Destinations
  output logic                     spad_wr_valid_o,
  output logic [SpadAddrWidth-1:0] spad_wr_addr_o,
  output logic [8*NumRows-1:0]     spad_wr_data_o,
  output logic [NumRows-1:0]       spad_wr_strb_o,
  output logic                     acc_wr_valid_o,
  input  logic                     acc_wr_ready_i,
  output logic [AccAddrWidth-1:0]  acc_wr_addr_o,
  output logic [32*NumCols-1:0]    acc_wr_data_o,
  output logic                     qt_wr_valid_o,
  output logic [QtAddrWidth-1:0]   qt_wr_addr_o,
  output logic [EntryBits-1:0]     qt_wr_data_o
);

  localparam int EntryBytes = tessera_isa_pkg::QtEntryBytes;
  localparam int MaxUnit    = (4 * NumCols > NumRows) ? (4 * NumCols > EntryBytes ? 4 * NumCols
                                                                                : EntryBytes)
                                                      : (NumRows > EntryBytes ? NumRows : EntryBytes);
  localparam int ShiftWidth = $clog2($clog2(MaxUnit) + 1);
  localparam int LineShift  = $clog2(NumRows);
  localparam int AddrWidth  = tessera_pkg::DmaAddrWidth;
  localparam logic [1:0] DestSpad = 2'd0, DestAcc = 2'd1, DestTable = 2'd2;

  // ---- Command state --------------------------------------------------------------------
  logic        busy_d, busy_q, done_d, done_q;
  logic        desc_sent_d, desc_sent_q, first_row_d, first_row_q;
  logic [31:0] row_line_d, row_line_q, next_line_d, next_line_q;
  logic [7:0]  error_d, error_q;        // the code of the command that finished last
  logic        stream_end_d, stream_end_q;  // the running command's last beat is in

  // ---- The waiting command: taken while one runs; its descriptor may go out early --------
  logic               next_valid_d, next_valid_q, next_sent_d, next_sent_q;
  logic [CmdBits-1:0] next_cmd_q;
  logic               finish, promote, start;
  logic [CmdBits-1:0] start_cmd;  // the command that starts running now

  // ---- The command, decoded when it is taken ---------------------------------------------
  logic       accept;
  logic [7:0] cmd_mode;
  logic [1:0] cmd_dest;
  logic       cmd_fill, cmd_windows, next_fill;
  assign cmd_ready_o = !next_valid_q;
  assign accept      = cmd_valid_i && cmd_ready_o;
  // A command starts at once on an idle unit, else it waits and starts (is promoted) when
  // the running one finishes.
  assign promote     = next_valid_q && (finish || !busy_q);
  assign start       = promote || (accept && !busy_q);
  assign start_cmd   = promote ? next_cmd_q : cmd_i;
  assign next_fill   = next_cmd_q[tessera_isa_pkg::HdrModeLsb + tessera_isa_pkg::LoadModeFillBit];
  assign cmd_mode    = start_cmd[tessera_isa_pkg::HdrModeLsb +: 8];
  assign cmd_fill    = cmd_mode[tessera_isa_pkg::LoadModeFillBit];
  assign cmd_windows = cmd_mode[tessera_isa_pkg::LoadModeWindowsBit];
  assign cmd_dest    = cmd_mode[tessera_isa_pkg::LoadModeToAccumulatorBit] ? DestAcc
                     : cmd_mode[tessera_isa_pkg::LoadModeToQtableBit]      ? DestTable : DestSpad;

  logic [1:0]             dest_q;
  logic                   fill_q, windows_q;
  logic [31:0]            win_line_stride_q;
  logic [7:0]             fill_value_q;
  logic [AddrWidth-1:0]   dram_addr_q, dram_stride_q;
  logic [23:0]            row_bytes_q;
  logic [15:0]            rows_q;
  logic [31:0]            sram_line_q, sram_stride_q;

  // The command fields, held while it runs (a plain register with its start as enable).
  always_ff @(posedge clk_i) begin
    if (accept && busy_q) next_cmd_q <= cmd_i;
    if (start) begin
      dest_q        <= cmd_dest;
      fill_q        <= cmd_fill;
      windows_q     <= cmd_windows;
      win_line_stride_q <= start_cmd[tessera_isa_pkg::LoadWindowLineStrideLsb +: 32];
      fill_value_q  <= start_cmd[tessera_isa_pkg::LoadFillValueLsb +: 8];
      dram_addr_q   <= start_cmd[tessera_isa_pkg::LoadDramAddrLsb +: AddrWidth];
      row_bytes_q   <= start_cmd[tessera_isa_pkg::LoadRowBytesLsb +: 24];
      rows_q        <= start_cmd[tessera_isa_pkg::LoadRowsLsb +: 16];
      dram_stride_q <= start_cmd[tessera_isa_pkg::LoadDramStrideLsb +: AddrWidth];
      sram_line_q   <= start_cmd[tessera_isa_pkg::LoadSramLineLsb +: 32];
      sram_stride_q <= start_cmd[tessera_isa_pkg::LoadSramStrideLsb +: 32];
    end
  end

  // ---- Descriptors: the running command's, then the waiting one's ----------------------
  logic cur_desc, next_desc;
  assign cur_desc        = busy_q && !desc_sent_q;
  assign next_desc       = busy_q && desc_sent_q && next_valid_q && !next_sent_q && !next_fill;
  assign rd_desc_valid_o = cur_desc || next_desc;
  always_comb begin
    if (cur_desc) rd_desc_o = {dram_addr_q, row_bytes_q, rows_q, dram_stride_q};  // dma_desc_t
    else          rd_desc_o = {next_cmd_q[tessera_isa_pkg::LoadDramAddrLsb +: AddrWidth],
                               next_cmd_q[tessera_isa_pkg::LoadRowBytesLsb +: 24],
                               next_cmd_q[tessera_isa_pkg::LoadRowsLsb +: 16],
                               next_cmd_q[tessera_isa_pkg::LoadDramStrideLsb +: AddrWidth]};
  end

  // ---- Stream: a failed transfer's terminating beat is taken here, the rest is packed ---
  // Beats belong to the running command until its last one; the waiting command's beats
  // wait until it runs.
  logic stream_open, beat_valid, error_beat;
  assign stream_open = busy_q && desc_sent_q && !fill_q && !stream_end_q;
  assign beat_valid  = rd_valid_i && stream_open;
  assign error_beat  = beat_valid && rd_last_i && rd_error_i != tessera_pkg::DmaOk;

  logic [ShiftWidth-1:0] unit_shift;
  always_comb begin
    unique case (dest_q)
      DestAcc:   unit_shift = ShiftWidth'($clog2(4 * NumCols));
      DestTable: unit_shift = ShiftWidth'($clog2(EntryBytes));
      default:   unit_shift = ShiftWidth'($clog2(NumRows));
    endcase
  end

  logic                 pk_out_valid, pk_out_ready, pk_row_first, pk_last, pk_in_ready;
  logic [8*MaxUnit-1:0] pk_data;
  logic                 packed_valid, packed_row_first, packed_last;
  logic [8*MaxUnit-1:0] packed_data;

  tessera_line_packer #(
    .BusBytes(BusBytes),
    .MaxUnit (MaxUnit)
  ) u_packer (
    .clk_i,
    .rst_ni,
    .flush_i        (error_beat),
    .unit_shift_i   (unit_shift),
    .in_valid_i     (beat_valid && !error_beat && !windows_q),
    .in_ready_o     (pk_in_ready),
    .in_data_i      (rd_data_i),
    .in_bytes_i     (rd_bytes_i),
    .in_row_last_i  (rd_row_last_i),
    .in_last_i      (rd_last_i),
    .out_valid_o    (packed_valid),
    .out_ready_i    (pk_out_ready),
    .out_data_o     (packed_data),
    .out_row_first_o(packed_row_first),
    .out_last_o     (packed_last)
  );
  // ---- WINDOWS: the same beats cut into windows instead of consecutive lines ----------
  localparam int WinWidth = $clog2(NumRows + 1);
  logic                 cut_in_ready, cut_valid, cut_row_first, cut_done;
  logic [8*NumRows-1:0] cut_data;
  logic [NumRows-1:0]   cut_strb;

  tessera_window_cutter #(
    .BusBytes (BusBytes),
    .LineBytes(NumRows)
  ) u_windows (
    .clk_i,
    .rst_ni,
    .start_i        (start && cmd_windows),
    .rows_i         (start_cmd[tessera_isa_pkg::LoadRowsLsb +: 16]),
    .windows_i      (start_cmd[tessera_isa_pkg::LoadWindowsLsb +: 16]),
    .window_bytes_i (start_cmd[tessera_isa_pkg::LoadWindowBytesLsb +: WinWidth]),
    .step_i         (start_cmd[tessera_isa_pkg::LoadWindowStepLsb +: 24]),
    .byte_offset_i  (start_cmd[tessera_isa_pkg::LoadByteOffsetLsb +:
                               tessera_pkg::index_width(NumRows)]),
    .flush_i        (error_beat),
    .in_valid_i     (beat_valid && !error_beat && windows_q),
    .in_ready_o     (cut_in_ready),
    .in_data_i      (rd_data_i),
    .in_bytes_i     (rd_bytes_i),
    .in_row_last_i  (rd_row_last_i),
    .out_valid_o    (cut_valid),
    .out_ready_i    (1'b1),  // scratchpad writes never wait
    .out_data_o     (cut_data),
    .out_strb_o     (cut_strb),
    .out_row_first_o(cut_row_first),
    .done_o         (cut_done)
  );
  assign rd_ready_o = stream_open && (error_beat || (windows_q ? cut_in_ready : pk_in_ready));

  // ---- FILL: the same line stream, generated: ceil(row_bytes / NumRows) lines per row ----
  logic [23:0]          fill_line_d, fill_line_q;  // line within the row
  logic [15:0]          fill_rows_left_d, fill_rows_left_q;
  logic [23:0]          fill_row_lines, fill_tail_bytes;
  logic                 fill_row_end;
  logic [8*MaxUnit-1:0] fill_data;
  assign fill_row_lines  = (row_bytes_q + 24'(NumRows - 1)) >> LineShift;
  assign fill_tail_bytes = row_bytes_q - (fill_line_q << LineShift);  // > 0 on the row's lines
  assign fill_row_end    = fill_line_q + 24'd1 == fill_row_lines;
  always_comb begin
    fill_data = '0;
    for (int b = 0; b < NumRows; b++)
      if (24'(b) < fill_tail_bytes) fill_data[8*b +: 8] = fill_value_q;
  end

  assign pk_out_valid = fill_q ? busy_q : windows_q ? cut_valid : packed_valid;
  assign pk_data      = fill_q ? fill_data : windows_q ? (8*MaxUnit)'(cut_data) : packed_data;
  assign pk_row_first = fill_q ? fill_line_q == '0 : windows_q ? cut_row_first : packed_row_first;
  assign pk_last      = fill_q ? fill_row_end && fill_rows_left_q == 16'd1
                               : !windows_q && packed_last;  // WINDOWS ends on cut_done

  // ---- Lines: row r at sram_line + r*sram_stride, then consecutive ----------------------
  logic [31:0] line;
  logic        write;
  assign line  = !pk_row_first ? next_line_q : first_row_q ? sram_line_q
                                                           : row_line_q + sram_stride_q;
  assign pk_out_ready = dest_q != DestAcc || acc_wr_ready_i;
  assign write        = pk_out_valid && pk_out_ready;

  assign spad_wr_valid_o = write && dest_q == DestSpad;
  assign spad_wr_addr_o  = SpadAddrWidth'(line);
  assign spad_wr_data_o  = pk_data[8*NumRows-1:0];
  assign spad_wr_strb_o  = windows_q ? cut_strb : '1;
  assign acc_wr_valid_o  = pk_out_valid && dest_q == DestAcc;
  assign acc_wr_addr_o   = AccAddrWidth'(line);
  assign acc_wr_data_o   = pk_data[32*NumCols-1:0];
  assign qt_wr_valid_o   = write && dest_q == DestTable;
  assign qt_wr_addr_o    = QtAddrWidth'(line);
  assign qt_wr_data_o    = pk_data[EntryBits-1:0];

  always_comb begin
    busy_d           = busy_q;
    done_d           = 1'b0;
    desc_sent_d      = desc_sent_q;
    first_row_d      = first_row_q;
    row_line_d       = row_line_q;
    next_line_d      = next_line_q;
    error_d          = error_q;
    stream_end_d     = stream_end_q;
    next_valid_d     = next_valid_q;
    next_sent_d      = next_sent_q;
    fill_line_d      = fill_line_q;
    fill_rows_left_d = fill_rows_left_q;
    if (rd_desc_valid_o && rd_desc_ready_i) begin
      if (cur_desc) desc_sent_d = 1'b1;
      else          next_sent_d = 1'b1;
    end
    if (rd_valid_i && rd_ready_o && rd_last_i) stream_end_d = 1'b1;
    if (fill_q && write) begin
      fill_line_d = fill_row_end ? '0 : fill_line_q + 24'd1;
      if (fill_row_end) fill_rows_left_d = fill_rows_left_q - 16'd1;
    end
    if (write) begin
      next_line_d = line + (windows_q ? win_line_stride_q : 32'd1);
      if (pk_row_first) begin
        row_line_d  = line;
        first_row_d = 1'b0;
      end
    end
    if (finish) begin
      busy_d  = 1'b0;
      done_d  = 1'b1;
      error_d = error_beat ? tessera_pkg::isa_error_of_dma(rd_error_i) : tessera_isa_pkg::ErrNone;
    end
    if (accept && busy_q) begin
      next_valid_d = 1'b1;
      next_sent_d  = 1'b0;
    end
    if (start) begin
      busy_d           = 1'b1;
      // A FILL has nothing to transfer; a waiting command's descriptor may be out already.
      desc_sent_d      = cmd_fill || (promote && next_sent_d);  // sent now, or before
      stream_end_d     = 1'b0;
      first_row_d      = 1'b1;
      fill_line_d      = '0;
      fill_rows_left_d = start_cmd[tessera_isa_pkg::LoadRowsLsb +: 16];
      if (promote) next_valid_d = 1'b0;
    end
  end

  assign finish = busy_q && ((write && pk_last) || (windows_q && cut_done) || error_beat);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q       <= 1'b0;
      done_q       <= 1'b0;
      next_valid_q <= 1'b0;
      error_q      <= tessera_isa_pkg::ErrNone;
    end else begin
      busy_q       <= busy_d;
      done_q       <= done_d;
      next_valid_q <= next_valid_d;
      error_q      <= error_d;
    end
  end

  // Reset-free: a command's acceptance sets them before they are read.
  always_ff @(posedge clk_i) begin
    desc_sent_q      <= desc_sent_d;
    first_row_q      <= first_row_d;
    row_line_q       <= row_line_d;
    next_line_q      <= next_line_d;
    stream_end_q     <= stream_end_d;
    next_sent_q      <= next_sent_d;
    fill_line_q      <= fill_line_d;
    fill_rows_left_q <= fill_rows_left_d;
  end

  assign done_o  = done_q;
  assign error_o = error_q;
  assign idle_o  = !busy_q && !done_q && !next_valid_q;

  // Unused: line addresses beyond each destination's width (the command checker has proven
  // every line in range), the unit bytes a narrower destination does not take, and the
  // command bytes a LOAD does not read (header, unchecked widths).
  logic unused_bits;
  assign unused_bits = ^{line >> SpadAddrWidth, line >> AccAddrWidth, line >> QtAddrWidth,
                         pk_data, cmd_i, start_cmd};

  `TESSERA_ASSERT(DataOnlyWhenSent_A, rd_valid_i |-> busy_q && (desc_sent_q || next_sent_q),
                  clk_i, rst_ni)
  `TESSERA_ASSERT(BeatsOnlyForTheRunningCommand_A, rd_valid_i && rd_ready_o |-> stream_open,
                  clk_i, rst_ni)
  `TESSERA_ASSERT(FillOnlyToScratchpad_A, busy_q && fill_q |-> dest_q == DestSpad, clk_i, rst_ni)
  `TESSERA_ASSERT(WindowsOnlyToScratchpad_A, busy_q && windows_q |-> dest_q == DestSpad && !fill_q,
                  clk_i, rst_ni)
  `TESSERA_ASSERT(PromotedOnlyAtAFinish_A, promote |-> finish || !busy_q, clk_i, rst_ni)

endmodule
