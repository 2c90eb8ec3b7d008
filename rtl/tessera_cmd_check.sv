// SPDX-License-Identifier: Apache-2.0
// tessera_cmd_check: the engine's command checker (docs/isa.md, "Errors").
//
// Function:   decides whether a fetched command may run: the opcode; reserved bytes,
//             dependency flags the unit does not have and undefined mode bits; mode
//             combinations; dimensions; buffer line ranges. error_o is the first failing
//             check's tessera_isa_pkg::Err* code (ErrNone when the command may run), in the
//             order tessera::isa::check() in the driver applies them, so hardware and
//             software agree (tb/isa compares them on random commands).
// Latency:    combinational. Engine-level shapes are powers of two, so line arithmetic is
//             shifts; the range checks take 16x32-bit multipliers.
module tessera_cmd_check #(
  parameter int NumRows          = tessera_pkg::DefaultNumRows,
  parameter int NumCols          = tessera_pkg::DefaultNumCols,
  parameter int ScratchpadLines  = 16384,
  parameter int AccumulatorLines = 1024,
  parameter int QTableEntries    = 1024,
  parameter int BusWidth         = tessera_pkg::DefaultBusWidth
) (
  input  logic [tessera_isa_pkg::CommandBits-1:0] cmd_i,
  output logic [7:0]                              error_o
);

  localparam int LineShift   = $clog2(NumRows);      // scratchpad line: NumRows bytes
  localparam int AccShift    = $clog2(4 * NumCols);  // accumulator line: NumCols int32
  localparam int EntryShift  = 4;                    // quantization-table entry: 16 bytes
  localparam logic [31:0] BusBytes = 32'(BusWidth / 8);
  // The command set's limits (rtl/tessera_isa.json); field ranges are its generated
  // *_fields_in_range functions.
  localparam logic [31:0] MaxRowBytes = 32'(tessera_isa_pkg::MaxRowBytes);
  localparam logic [31:0] MaxCount    = 32'(tessera_isa_pkg::MaxCount);

  // Lines [first, first + (count-1)*stride + span) inside a buffer of `size` lines. count
  // has passed its range check (<= 65535) whenever the result matters.
  function automatic logic fits(input logic [31:0] first, input logic [31:0] count,
                                input logic [31:0] stride, input logic [31:0] span,
                                input logic [31:0] size);
    logic [63:0] last;
    last = 64'(first) + 64'(16'(count - 1)) * 64'(stride) + 64'(span) - 64'd1;
    fits = last < 64'(size);
  endfunction

  // ---- Header ---------------------------------------------------------------------------
  logic [7:0] opcode, deps, mode;
  assign opcode = cmd_i[tessera_isa_pkg::HdrOpcodeLsb +: 8];
  assign deps   = cmd_i[tessera_isa_pkg::HdrDepsLsb +: 8];
  assign mode   = cmd_i[tessera_isa_pkg::HdrModeLsb +: 8];

  // ---- LOAD -----------------------------------------------------------------------------
  logic [31:0] ld_row_bytes, ld_rows, ld_line, ld_stride, ld_span, ld_size;
  logic        ld_to_acc, ld_to_table, ld_fill, ld_windows, ld_whole_units;
  assign ld_row_bytes = cmd_i[tessera_isa_pkg::LoadRowBytesLsb +: 32];
  assign ld_rows      = cmd_i[tessera_isa_pkg::LoadRowsLsb +: 32];
  assign ld_line      = cmd_i[tessera_isa_pkg::LoadSramLineLsb +: 32];
  assign ld_stride    = cmd_i[tessera_isa_pkg::LoadSramStrideLsb +: 32];
  assign ld_to_acc    = mode[tessera_isa_pkg::LoadModeToAccumulatorBit];
  assign ld_to_table  = mode[tessera_isa_pkg::LoadModeToQtableBit];
  assign ld_fill      = mode[tessera_isa_pkg::LoadModeFillBit];
  assign ld_windows   = mode[tessera_isa_pkg::LoadModeWindowsBit];
  // One destination; FILL and WINDOWS write scratchpad lines only, and not together.
  logic ld_mode_clash;
  assign ld_mode_clash = (ld_to_acc && ld_to_table) ||
                         ((ld_fill || ld_windows) && (ld_to_acc || ld_to_table)) ||
                         (ld_fill && ld_windows);
  // WINDOWS: window i of row r is the row's bytes [i*STEP, i*STEP + BYTES), written at
  // BYTE_OFFSET of line SRAM_LINE + r*SRAM_STRIDE + i*WINDOW_LINE_STRIDE.
  logic [31:0] ld_win_offset, ld_win_bytes, ld_win_step, ld_win_count, ld_win_line_stride;
  logic        ld_win_dims_ok;
  logic [63:0] ld_win_last_line, ld_win_end;
  assign ld_win_offset      = 32'(cmd_i[tessera_isa_pkg::LoadByteOffsetLsb +: 8]);
  assign ld_win_bytes       = 32'(cmd_i[tessera_isa_pkg::LoadWindowBytesLsb +: 16]);
  assign ld_win_step        = cmd_i[tessera_isa_pkg::LoadWindowStepLsb +: 32];
  assign ld_win_count       = 32'(cmd_i[tessera_isa_pkg::LoadWindowsLsb +: 16]);
  assign ld_win_line_stride = cmd_i[tessera_isa_pkg::LoadWindowLineStrideLsb +: 32];
  // The last window's end within its row (counts <= 65535, step < 2^24: no overflow).
  assign ld_win_end     = 64'(16'(ld_win_count - 32'd1)) * 64'(ld_win_step) + 64'(ld_win_bytes);
  assign ld_win_dims_ok = ld_windows
      ? ld_win_bytes != '0 && ld_win_offset + ld_win_bytes <= 32'(NumRows) &&
        ld_win_step != '0 && ld_win_step <= MaxRowBytes && ld_win_count != '0 &&
        ld_win_end <= 64'(ld_row_bytes)
      : ld_win_offset == '0 && ld_win_bytes == '0 && ld_win_step == '0 && ld_win_count == '0 &&
        ld_win_line_stride == '0;
  assign ld_win_last_line = 64'(ld_line) + 64'(16'(ld_rows - 32'd1)) * 64'(ld_stride) +
                            64'(16'(ld_win_count - 32'd1)) * 64'(ld_win_line_stride);
  always_comb begin
    if (ld_to_acc) begin
      ld_span        = ld_row_bytes >> AccShift;
      ld_size        = 32'(AccumulatorLines);
      ld_whole_units = ld_row_bytes[AccShift-1:0] == '0;
    end else if (ld_to_table) begin
      ld_span        = ld_row_bytes >> EntryShift;
      ld_size        = 32'(QTableEntries);
      ld_whole_units = ld_row_bytes[EntryShift-1:0] == '0;
    end else begin
      // ceil(row_bytes / NumRows); row_bytes < 2^24 here, so the sum cannot wrap.
      ld_span        = (ld_row_bytes + 32'(NumRows - 1)) >> LineShift;
      ld_size        = 32'(ScratchpadLines);
      ld_whole_units = 1'b1;
    end
  end

  // ---- COMPUTE --------------------------------------------------------------------------
  // VECTORS is within [1, MAX_COUNT] whenever the results matter (its range is checked).
  logic [31:0] cp_act_line, cp_act_stride, cp_wgt_line, cp_acc_line;
  logic [15:0] cp_vectors;
  assign cp_act_line   = cmd_i[tessera_isa_pkg::ComputeActLineLsb +: 32];
  assign cp_act_stride = cmd_i[tessera_isa_pkg::ComputeActStrideLsb +: 32];
  assign cp_vectors    = cmd_i[tessera_isa_pkg::ComputeVectorsLsb +: 16];
  assign cp_wgt_line   = cmd_i[tessera_isa_pkg::ComputeWgtLineLsb +: 32];
  assign cp_acc_line   = cmd_i[tessera_isa_pkg::ComputeAccLineLsb +: 32];
  // ACT_ROWS rows of VECTORS: the last activation line and the results' count.
  logic [15:0] cp_rows;
  logic [31:0] cp_row_stride, cp_total;
  logic [63:0] cp_act_last;
  assign cp_rows       = cmd_i[tessera_isa_pkg::ComputeActRowsLsb +: 16];
  assign cp_row_stride = cmd_i[tessera_isa_pkg::ComputeActRowStrideLsb +: 32];
  assign cp_total      = 32'(cp_rows) * 32'(cp_vectors);
  // EXTRA_TILES more K tiles, each ACT_TILE_STRIDE lines on and NumRows weight lines on.
  logic [15:0] cp_extra;
  logic [31:0] cp_tile_stride;
  logic        cp_tiles_ok;
  assign cp_extra       = cmd_i[tessera_isa_pkg::ComputeExtraTilesLsb +: 16];
  assign cp_tile_stride = cmd_i[tessera_isa_pkg::ComputeActTileStrideLsb +: 32];
  assign cp_tiles_ok    = cp_extra == '0 ? cp_tile_stride == '0
                                         : !mode[tessera_isa_pkg::ComputeModeRescaleBit];
  // DEPTHWISE: one input row (no EXTRA_TILES) of VECTORS >= DW_KERNEL pixels per block,
  // ACT_ROWS x VECTORS lines within the line buffer, DW_TAPS weight lines per block; with
  // DW_OUTPUT each block's outputs DW_BLOCK_PITCH accumulator lines on; with DW_PAIR (at
  // stride 2) a second row of the same shape DW_PAIR_OFFSET lines on; DW_PAD and
  // DW_ZERO_POINT only with DEPTHWISE (DW_PAD's range is checked with the other fields').
  logic        cp_dw, cp_dw_output, cp_dw_pair, cp_dw_mode_ok, cp_dw_dims_ok;
  logic [7:0]  cp_dw_pad, cp_dw_zero_point;
  logic [15:0] cp_dw_pitch, cp_dw_outputs;
  logic [31:0] cp_dw_pair_offset;
  assign cp_dw             = mode[tessera_isa_pkg::ComputeModeDepthwiseBit];
  assign cp_dw_output      = mode[tessera_isa_pkg::ComputeModeDwOutputBit];
  assign cp_dw_pair        = mode[tessera_isa_pkg::ComputeModeDwPairBit];
  assign cp_dw_pitch       = cmd_i[tessera_isa_pkg::ComputeDwBlockPitchLsb +: 16];
  assign cp_dw_pair_offset = cmd_i[tessera_isa_pkg::ComputeDwPairOffsetLsb +: 32];
  assign cp_dw_pad         = cmd_i[tessera_isa_pkg::ComputeDwPadLsb +: 8];
  assign cp_dw_zero_point  = cmd_i[tessera_isa_pkg::ComputeDwZeroPointLsb +: 8];
  // The offset is signed (two's complement). Forward, the second row's last line must be in
  // the scratchpad; backward, its first line (its last is then below the first row's).
  logic        cp_pair_back, cp_pair_out;
  logic [31:0] cp_pair_dist;  // |DW_PAIR_OFFSET|
  assign cp_pair_back = cp_dw_pair_offset[31];
  assign cp_pair_dist = cp_pair_back ? ~cp_dw_pair_offset + 32'd1 : cp_dw_pair_offset;
  assign cp_pair_out  = cp_pair_back ? 64'(cp_act_line) < 64'(cp_pair_dist)
                                     : cp_act_last + 64'(cp_pair_dist) >= 64'(ScratchpadLines);
  assign cp_dw_mode_ok = cp_dw ? !mode[tessera_isa_pkg::ComputeModeRescaleBit] &&
                                 (!cp_dw_pair || mode[tessera_isa_pkg::ComputeModeDwStride2Bit])
                               : !mode[tessera_isa_pkg::ComputeModeDwStride2Bit] && !cp_dw_output &&
                                 !cp_dw_pair;
  assign cp_dw_dims_ok = (cp_dw_output || cp_dw_pitch == '0) &&
                         (cp_dw_pair || cp_dw_pair_offset == '0) &&
                         (cp_dw || (cp_dw_pad == '0 && cp_dw_zero_point == '0)) &&
                         (!cp_dw || (cp_extra == '0 &&
                                     cp_vectors >= 16'(tessera_isa_pkg::DwKernel) &&
                                     cp_total <= 32'(tessera_isa_pkg::DwLineBufferLines)));
  assign cp_dw_outputs = tessera_pkg::dw_outputs(cp_vectors, cp_dw_pad,
                                                mode[tessera_isa_pkg::ComputeModeDwStride2Bit]);
  assign cp_act_last   = 64'(cp_act_line) + 64'(16'(cp_rows - 16'd1)) * 64'(cp_row_stride) +
                         64'(16'(cp_vectors - 16'd1)) * 64'(cp_act_stride) +
                         64'(cp_extra) * 64'(cp_tile_stride);

  // ---- STORE ----------------------------------------------------------------------------
  logic [31:0] st_rows, st_acc_line, st_entry, st_entries;
  logic [15:0] st_cols;
  logic [7:0]  st_act_min, st_act_max;
  assign st_rows     = cmd_i[tessera_isa_pkg::StoreRowsLsb +: 32];
  assign st_acc_line = cmd_i[tessera_isa_pkg::StoreAccLineLsb +: 32];
  assign st_entry    = cmd_i[tessera_isa_pkg::StoreQparamEntryLsb +: 32];
  assign st_cols     = cmd_i[tessera_isa_pkg::StoreColsLsb +: 16];
  assign st_act_min  = cmd_i[tessera_isa_pkg::StoreActMinLsb +: 8];
  assign st_act_max  = cmd_i[tessera_isa_pkg::StoreActMaxLsb +: 8];
  assign st_entries  = mode[tessera_isa_pkg::StoreModePerChannelBit] ? 32'(st_cols) : 32'd1;
  // 2x2 max-pool: ROWS pooled rows of POOL_WIDTH pixels, windows read ACC_PITCH apart.
  logic        st_pool, st_pool_dims_ok;
  logic [15:0] st_pool_width, st_acc_pitch;
  logic [16:0] st_window_rows;  // accumulator rows the windows span, less one
  logic [63:0] st_pool_last;    // the last accumulator line a pooled store reads
  assign st_pool       = mode[tessera_isa_pkg::StoreModePool2x2Bit];
  assign st_pool_width = cmd_i[tessera_isa_pkg::StorePoolWidthLsb +: 16];
  assign st_acc_pitch  = cmd_i[tessera_isa_pkg::StoreAccPitchLsb +: 16];
  assign st_pool_dims_ok = st_pool ? st_pool_width != '0 &&
                                     17'(st_acc_pitch) >= 17'(st_pool_width) << 1 &&
                                     32'(16'(st_rows)) * 32'(st_pool_width) <= MaxCount
                                   : st_pool_width == '0 && st_acc_pitch == '0;
  assign st_window_rows = {st_rows[15:0], 1'b0} - 17'd1;
  assign st_pool_last   = 64'(st_acc_line) + 64'(st_window_rows) * 64'(st_acc_pitch) +
                          (64'(st_pool_width) << 1) - 64'd1;
  // Several panels per row: lines PANEL_PITCH apart, each of whole bus beats (to host
  // memory); a panel's entries follow the previous panel's (per channel).
  logic [15:0] st_extra, st_panel_pitch;
  logic [31:0] st_panels, st_line_bytes, st_entry_panels;
  logic        st_panels_ok, st_to_spad;
  assign st_to_spad      = mode[tessera_isa_pkg::StoreModeToScratchpadBit];
  assign st_extra        = cmd_i[tessera_isa_pkg::StoreExtraPanelsLsb +: 16];
  assign st_panel_pitch  = cmd_i[tessera_isa_pkg::StorePanelPitchLsb +: 16];
  assign st_panels       = 32'(st_extra) + 32'd1;
  assign st_line_bytes   = mode[tessera_isa_pkg::StoreModeRequantizeBit] ? 32'(st_cols)
                                                                         : 32'(st_cols) << 2;
  assign st_entry_panels = mode[tessera_isa_pkg::StoreModePerChannelBit] ? st_panels : 32'd1;
  assign st_panels_ok    = st_extra == '0 ? st_panel_pitch == '0
                                          : !st_pool && 32'(16'(st_rows)) * st_panels <= MaxCount &&
                                            (st_to_spad || (st_line_bytes & (BusBytes - 1)) == '0);
  // TO_SCRATCHPAD: line i of panel p at SRAM_LINE + i*SRAM_STRIDE + p*SRAM_PANEL_PITCH, i a
  // row or a pooled pixel (both counts <= MAX_COUNT when the result matters), COLS bytes of a
  // NumRows-byte line.
  logic        st_spad_dims_ok;
  logic [31:0] st_sram_line, st_sram_stride, st_sram_pitch, st_spad_lines;
  logic [63:0] st_spad_last;
  assign st_sram_line    = cmd_i[tessera_isa_pkg::StoreSramLineLsb +: 32];
  assign st_sram_stride  = cmd_i[tessera_isa_pkg::StoreSramStrideLsb +: 32];
  assign st_sram_pitch   = cmd_i[tessera_isa_pkg::StoreSramPanelPitchLsb +: 32];
  assign st_spad_lines   = st_pool ? 32'(16'(st_rows)) * 32'(st_pool_width) : 32'(16'(st_rows));
  assign st_spad_dims_ok = st_to_spad ? 32'(st_cols) <= 32'(NumRows)
                                      : st_sram_line == '0 && st_sram_stride == '0 &&
                                        st_sram_pitch == '0;
  assign st_spad_last    = 64'(st_sram_line) +
                           64'(16'(st_spad_lines - 32'd1)) * 64'(st_sram_stride) +
                           64'(st_extra) * 64'(st_sram_pitch);

  // ---- FENCE: its record's address, 4-byte aligned (16 with TIMESTAMP) ------------------
  logic [3:0] fc_addr;
  assign fc_addr = cmd_i[tessera_isa_pkg::FenceDramAddrLsb +: 4];

  // ---- The checks, first failure wins ---------------------------------------------------
  function automatic logic reserved_clear(input logic [tessera_isa_pkg::CommandBits-1:0] cmd,
                                          input logic [tessera_isa_pkg::CommandBits-1:0] zero,
                                          input logic [7:0] deps_v, input logic [7:0] deps_ok,
                                          input logic [7:0] mode_v, input logic [7:0] mode_ok);
    reserved_clear = (cmd & zero) == '0 && (deps_v & ~deps_ok) == '0 &&
                     (mode_v & ~mode_ok) == '0;
  endfunction

  always_comb begin
    error_o = tessera_isa_pkg::ErrNone;
    unique case (opcode)
      tessera_isa_pkg::OpLoad: begin
        if (!reserved_clear(cmd_i, tessera_isa_pkg::LoadZeroMask, deps,
                            tessera_isa_pkg::LoadDepsAllowed, mode,
                            tessera_isa_pkg::LoadModeAllowed)) begin
          error_o = tessera_isa_pkg::ErrReservedBits;
        end else if (ld_mode_clash) begin
          error_o = tessera_isa_pkg::ErrBadMode;
        end else if (!tessera_isa_pkg::load_fields_in_range(cmd_i, 32'(NumRows)) ||
                     !ld_whole_units || (!ld_windows && ld_rows > 32'd1 && ld_stride < ld_span) ||
                     !ld_win_dims_ok) begin
          error_o = tessera_isa_pkg::ErrBadDimension;
        end else if (ld_windows ? ld_win_last_line >= 64'(ScratchpadLines)
                                : !fits(ld_line, ld_rows, ld_stride, ld_span, ld_size)) begin
          error_o = ld_to_acc   ? tessera_isa_pkg::ErrAccumulatorRange
                  : ld_to_table ? tessera_isa_pkg::ErrQtableRange
                                : tessera_isa_pkg::ErrScratchpadRange;
        end
      end
      tessera_isa_pkg::OpCompute: begin
        if (!reserved_clear(cmd_i, tessera_isa_pkg::ComputeZeroMask, deps,
                            tessera_isa_pkg::ComputeDepsAllowed, mode,
                            tessera_isa_pkg::ComputeModeAllowed)) begin
          error_o = tessera_isa_pkg::ErrReservedBits;
        end else if (!cp_dw_mode_ok) begin
          error_o = tessera_isa_pkg::ErrBadMode;
        end else if (!tessera_isa_pkg::compute_fields_in_range(cmd_i, 32'(NumRows), 32'(NumCols)) ||
                     cp_total > MaxCount || !cp_tiles_ok || !cp_dw_dims_ok) begin
          error_o = tessera_isa_pkg::ErrBadDimension;
        end else if (cp_act_last >= 64'(ScratchpadLines) ||
                     (cp_dw_pair && cp_pair_out) ||
                     (cp_dw ? !fits(cp_wgt_line, 32'd1, 32'd0,
                                    32'(cp_rows) * 32'(tessera_isa_pkg::DwKernel * tessera_isa_pkg::DwKernel),
                                    32'(ScratchpadLines))
                            : !fits(cp_wgt_line, 32'(cp_extra) + 32'd1, 32'(NumRows),
                                    32'(NumRows), 32'(ScratchpadLines)))) begin
          error_o = tessera_isa_pkg::ErrScratchpadRange;
        end else if (cp_dw ? cp_dw_output && !fits(cp_acc_line, 32'(cp_rows), 32'(cp_dw_pitch),
                                                   32'(cp_dw_outputs), 32'(AccumulatorLines))
                           : !fits(cp_acc_line, cp_total, 32'd1, 32'd1,
                                   32'(AccumulatorLines))) begin
          error_o = tessera_isa_pkg::ErrAccumulatorRange;
        end
      end
      tessera_isa_pkg::OpStore: begin
        if (!reserved_clear(cmd_i, tessera_isa_pkg::StoreZeroMask, deps,
                            tessera_isa_pkg::StoreDepsAllowed, mode,
                            tessera_isa_pkg::StoreModeAllowed)) begin
          error_o = tessera_isa_pkg::ErrReservedBits;
        end else if ((st_pool || st_to_spad) &&
                     !mode[tessera_isa_pkg::StoreModeRequantizeBit]) begin
          error_o = tessera_isa_pkg::ErrBadMode;
        end else if (!tessera_isa_pkg::store_fields_in_range(cmd_i, 32'(NumCols)) ||
                     !st_pool_dims_ok || !st_panels_ok || !st_spad_dims_ok) begin
          error_o = tessera_isa_pkg::ErrBadDimension;
        end else if (st_pool ? st_pool_last >= 64'(AccumulatorLines)
                             : !fits(st_acc_line, st_panels, 32'(st_panel_pitch), st_rows,
                                     32'(AccumulatorLines))) begin
          error_o = tessera_isa_pkg::ErrAccumulatorRange;
        end else if (st_to_spad && st_spad_last >= 64'(ScratchpadLines)) begin
          error_o = tessera_isa_pkg::ErrScratchpadRange;
        end else if (mode[tessera_isa_pkg::StoreModeRequantizeBit] &&
                     !fits(st_entry, st_entry_panels, st_entries, st_entries,
                           32'(QTableEntries))) begin
          error_o = tessera_isa_pkg::ErrQtableRange;
        end else if (mode[tessera_isa_pkg::StoreModeRequantizeBit] &&
                     $signed(st_act_min) > $signed(st_act_max)) begin
          error_o = tessera_isa_pkg::ErrBadClamp;
        end
      end
      tessera_isa_pkg::OpFence: begin
        if (!reserved_clear(cmd_i, tessera_isa_pkg::FenceZeroMask, deps,
                            tessera_isa_pkg::FenceDepsAllowed, mode,
                            tessera_isa_pkg::FenceModeAllowed)) begin
          error_o = tessera_isa_pkg::ErrReservedBits;
        end else if (fc_addr[1:0] != '0 ||
                     (mode[tessera_isa_pkg::FenceModeTimestampBit] && fc_addr[3:2] != '0)) begin
          error_o = tessera_isa_pkg::ErrBadAlignment;
        end
      end
      default: error_o = tessera_isa_pkg::ErrBadOpcode;
    endcase
  end

  if ((NumRows & (NumRows - 1)) != 0 || (NumCols & (NumCols - 1)) != 0 ||
      (BusWidth & (BusWidth - 1)) != 0) begin : g_bad_shape
    $error("tessera_cmd_check: engine shapes and the bus width must be powers of two");
  end

endmodule
