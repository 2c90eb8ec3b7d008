// SPDX-License-Identifier: Apache-2.0
// tessera_window_cutter: cuts each row of a DMA stream into overlapping windows (LOAD WINDOWS).
//
// Function:   start_i takes a transfer's window shape (sampled then): `rows_i` rows, in
//             each `windows_i` windows of `window_bytes_i` bytes, window i the row's bytes
//             [i*step_i, i*step_i + window_bytes_i) (the command checker keeps every window
//             inside its row and inside a line). Windows leave one at a time, in order, at
//             byte `byte_offset_i` of a LineBytes-byte line with their byte strobes;
//             out_row_first_o marks a row's first window. Bytes no window covers are
//             dropped, also the row's bytes after its last window. done_o pulses when the
//             last window has left and the stream's last beat has been taken. flush_i (a
//             failed transfer) forgets everything; a start_i with it (the next transfer,
//             taken as the failed one ends) still starts.
// Method:     a byte buffer of LineBytes + BusBytes bytes holds the row from the next
//             window's first byte on; a window leaves when the buffer holds all of it, then
//             the buffer drops step_i bytes (or, with a step longer than the buffer, skips
//             the missing ones as they arrive). A beat enters, after the bytes to skip, behind
//             what stays in the buffer.
// Latency:    combinational out of the buffer: a window leaves the cycle after its last byte
//             arrives. Throughput: one window per cycle while they overlap a beat; a beat per
//             cycle while windows are sparser than beats.
// Stalls:     both sides; in_ready_o depends on registers only.
`include "tessera_assert.svh"

module tessera_window_cutter #(
  parameter int BusBytes  = 16,
  parameter int LineBytes = 16,  // NumRows: the widest window and the line it lands in
  localparam int CountWidth  = $clog2(BusBytes) + 1,
  localparam int Cap         = LineBytes + BusBytes,
  localparam int FillWidth   = $clog2(Cap + 1),
  localparam int OffsetWidth = tessera_pkg::index_width(LineBytes),
  localparam int WinWidth    = $clog2(LineBytes + 1)
) (
  input  logic                   clk_i,
  input  logic                   rst_ni,
  // The transfer's windows (sampled with start_i)
  input  logic                   start_i,
  input  logic [15:0]            rows_i,
  input  logic [15:0]            windows_i,
  input  logic [WinWidth-1:0]    window_bytes_i,
  input  logic [23:0]            step_i,
  input  logic [OffsetWidth-1:0] byte_offset_i,
  input  logic                   flush_i,
  // The DMA reader's row-packed beats
  input  logic                   in_valid_i,
  output logic                   in_ready_o,
  input  logic [8*BusBytes-1:0]  in_data_i,
  input  logic [CountWidth-1:0]  in_bytes_i,
  input  logic                   in_row_last_i,
  // Windows
  output logic                   out_valid_o,
  input  logic                   out_ready_i,
  output logic [8*LineBytes-1:0] out_data_o,
  output logic [LineBytes-1:0]   out_strb_o,
  output logic                   out_row_first_o,
  output logic                   done_o
);

  // ---- The transfer's shape -------------------------------------------------------------
  logic [15:0]            rows_d, rows_q, windows_d, windows_q;
  logic [WinWidth-1:0]    width_d, width_q;
  logic [23:0]            step_d, step_q;
  logic [OffsetWidth-1:0] offset_d, offset_q;

  // ---- Where it is -------------------------------------------------------------------------
  logic [8*Cap-1:0]      buf_d, buf_q;            // from the next window's first byte on
  logic [FillWidth-1:0]  fill_d, fill_q;          // bytes in the buffer
  logic [23:0]           skip_d, skip_q;          // bytes of the stream to drop first
  logic [15:0]           win_d, win_q;            // windows of the row emitted
  logic [15:0]           row_d, row_q;            // rows finished
  logic                  row_done_d, row_done_q;  // every window of the row has left
  logic                  row_end_d, row_end_q;    // the row's last beat has been taken
  logic                  active_d, active_q;      // a transfer is under way

  logic emit, accept, last_window, row_over, step_in_buf;
  logic [FillWidth-1:0] fill_after_emit, take;
  logic [8*Cap-1:0]     buf_after_emit;
  logic [CountWidth-1:0] drop;

  assign out_valid_o     = active_q && !row_done_q && fill_q >= FillWidth'(width_q);
  assign emit            = out_valid_o && out_ready_i;
  assign last_window     = win_q == windows_q - 16'd1;
  assign out_row_first_o = win_q == '0;
  logic [8*LineBytes-1:0] window;  // the window's bytes from byte 0, the rest zero
  always_comb begin
    for (int b = 0; b < LineBytes; b++) begin
      window[8*b +: 8] = 32'(b) < 32'(width_q) ? buf_q[8*b +: 8] : 8'h00;
      out_strb_o[b]    = 32'(b) >= 32'(offset_q) && 32'(b) < 32'(offset_q) + 32'(width_q);
    end
  end
  assign out_data_o = window << {offset_q, 3'b000};

  // A beat enters while the row's windows are not all out and the row has beats left; after
  // the row's last window, the rest of the row is taken and dropped.
  assign in_ready_o = active_q && (row_done_q ? !row_end_q
                                              : !row_end_q && fill_q <= FillWidth'(LineBytes));
  assign accept     = in_valid_i && in_ready_o;

  // The buffer after this cycle's window: step_q bytes fewer, or empty and bytes to skip.
  logic [FillWidth-1:0] step_short;  // the step, when it is within the buffer
  assign step_in_buf     = 32'(step_q) <= 32'(fill_q);
  assign step_short      = FillWidth'(step_q);
  assign fill_after_emit = !emit ? fill_q : step_in_buf ? fill_q - step_short : '0;
  assign buf_after_emit  = !emit ? buf_q : step_in_buf ? buf_q >> {step_short, 3'b000} : '0;
  // What of the beat enters: its valid bytes after the ones to skip - counting the skip this
  // cycle's window leaves (the lanes past the valid bytes may hold anything; the buffer
  // keeps zeros above its fill).
  logic [8*BusBytes-1:0] beat;
  logic [23:0]           skip_after_emit;
  assign skip_after_emit = skip_q + ((emit && !step_in_buf) ? step_q - 24'(fill_q) : '0);
  always_comb begin
    drop = 32'(skip_after_emit) >= 32'(in_bytes_i) ? in_bytes_i : CountWidth'(skip_after_emit);
    take = FillWidth'(in_bytes_i - drop);
    for (int b = 0; b < BusBytes; b++) beat[8*b +: 8] = 32'(b) < 32'(in_bytes_i) ? in_data_i[8*b +: 8] : 8'h00;
  end

  assign row_over = active_q && (row_done_q || (emit && last_window)) &&
                    (row_end_q || (accept && in_row_last_i));

  always_comb begin
    rows_d     = rows_q;
    windows_d  = windows_q;
    width_d    = width_q;
    step_d     = step_q;
    offset_d   = offset_q;
    buf_d      = buf_after_emit;
    fill_d     = fill_after_emit;
    skip_d     = skip_after_emit;
    win_d      = emit ? win_q + 16'd1 : win_q;
    row_d      = row_q;
    row_done_d = row_done_q || (emit && last_window);
    row_end_d  = row_end_q || (accept && in_row_last_i);
    active_d   = active_q;
    if (accept && !row_done_q) begin
      buf_d  = buf_after_emit | (((8*Cap)'(beat) >> {drop, 3'b000}) << {fill_after_emit, 3'b000});
      fill_d = fill_after_emit + take;
      skip_d = skip_d - 24'(drop);
    end
    if (row_done_d) begin  // nothing more of this row is needed
      buf_d  = '0;
      fill_d = '0;
      skip_d = '0;
    end
    if (row_over) begin
      row_d      = row_q + 16'd1;
      win_d      = '0;
      row_done_d = 1'b0;
      row_end_d  = 1'b0;
      if (row_q == rows_q - 16'd1) active_d = 1'b0;
    end
    if (start_i) begin
      rows_d     = rows_i;
      windows_d  = windows_i;
      width_d    = window_bytes_i;
      step_d     = step_i;
      offset_d   = byte_offset_i;
      row_d      = '0;
      active_d   = 1'b1;
    end
    if (start_i || flush_i) begin
      buf_d      = '0;
      fill_d     = '0;
      skip_d     = '0;
      win_d      = '0;
      row_done_d = 1'b0;
      row_end_d  = 1'b0;
    end
    if (flush_i && !start_i) active_d = 1'b0;
  end

  assign done_o = row_over && row_q == rows_q - 16'd1;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) active_q <= 1'b0;
    else         active_q <= active_d;
  end

  // Reset-free: start_i sets them before active_q lets them act.
  always_ff @(posedge clk_i) begin
    rows_q     <= rows_d;
    windows_q  <= windows_d;
    width_q    <= width_d;
    step_q     <= step_d;
    offset_q   <= offset_d;
    buf_q      <= buf_d;
    fill_q     <= fill_d;
    skip_q     <= skip_d;
    win_q      <= win_d;
    row_q      <= row_d;
    row_done_q <= row_done_d;
    row_end_q  <= row_end_d;
  end

  if ((BusBytes & (BusBytes - 1)) != 0 || (LineBytes & (LineBytes - 1)) != 0) begin : g_bad_sizes
    $error("tessera_window_cutter: BusBytes and LineBytes must be powers of two");
  end

  `TESSERA_ASSERT(BufferNeverOverflows_A, accept && !row_done_q |->
                  32'(fill_after_emit) + 32'(take) <= 32'(Cap), clk_i, rst_ni)
  `TESSERA_ASSERT(WindowFitsLine_A, out_valid_o |-> 32'(offset_q) + 32'(width_q) <= 32'(LineBytes),
                  clk_i, rst_ni)
  `TESSERA_ASSERT(RowHoldsItsWindows_A, active_q && row_end_q && !row_done_q |->
                  fill_q >= FillWidth'(width_q), clk_i, rst_ni)

endmodule
