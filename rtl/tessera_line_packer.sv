// SPDX-License-Identifier: Apache-2.0
// tessera_line_packer: cuts a row-packed stream of bus beats into buffer lines.
//
// Function:   the DMA reader delivers each row packed from byte lane 0, BusBytes per beat
//             (in_bytes_i valid bytes; in_row_last_i on a row's final beat). This module
//             re-cuts every row into units of 2^unit_shift_i bytes (a scratchpad line, an
//             accumulator line or a table entry, chosen per transfer): each out beat is one
//             unit in its low bytes, with the bytes past the row's end zero. out_row_first_o
//             marks a row's first unit, out_last_o the transfer's last (in_last_i's row).
// Method:     each cycle one chunk of min(BusBytes, unit) bytes moves from the beat into the
//             unit under construction, both at chunk-aligned offsets; a beat is consumed
//             when its valid bytes are used up, a unit leaves when full or at a row's end.
// Latency:    a unit leaves the cycle its last chunk arrives (combinational).
// Throughput: one chunk per cycle: one beat per cycle when units are at least a beat, one
//             unit per cycle when they are smaller.
// Stalls:     either side (in_ready_o depends on out_ready_i). unit_shift_i must hold still
//             while a transfer is in progress.
// Flush:      flush_i drops a partly built unit (a transfer that ended early, on an error);
//             the next beat starts a new unit.
`include "tessera_assert.svh"

module tessera_line_packer #(
  parameter int BusBytes  = 16,
  parameter int MaxUnit   = 64,  // largest unit in bytes (a power of two)
  localparam int ShiftWidth = $clog2($clog2(MaxUnit) + 1),
  localparam int CountWidth = $clog2(BusBytes) + 1
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  input  logic                  flush_i,
  input  logic [ShiftWidth-1:0] unit_shift_i,
  // Beats
  input  logic                  in_valid_i,
  output logic                  in_ready_o,
  input  logic [8*BusBytes-1:0] in_data_i,
  input  logic [CountWidth-1:0] in_bytes_i,
  input  logic                  in_row_last_i,
  input  logic                  in_last_i,
  // Units
  output logic                  out_valid_o,
  input  logic                  out_ready_i,
  output logic [8*MaxUnit-1:0]  out_data_o,
  output logic                  out_row_first_o,
  output logic                  out_last_o
);

  localparam int BusShift    = $clog2(BusBytes);
  localparam int OffsetWidth = $clog2(MaxUnit > BusBytes ? MaxUnit : BusBytes) + 1;
  localparam int Wide        = 8 * (MaxUnit > BusBytes ? MaxUnit : BusBytes);

  logic [OffsetWidth-1:0] chunk, unit_bytes, beat_bytes;
  logic [OffsetWidth-1:0] beat_off_d, beat_off_q;  // bytes of the beat done so far
  logic [OffsetWidth-1:0] unit_off_d, unit_off_q;  // bytes of the unit done so far
  logic [8*MaxUnit-1:0]   unit_d, unit_q, unit_next;
  logic                   row_first_d, row_first_q;
  logic                   beat_done, unit_done, move;
  logic [Wide-1:0]        piece;

  assign unit_bytes = OffsetWidth'(1) << unit_shift_i;
  assign chunk      = unit_shift_i < ShiftWidth'(BusShift) ? unit_bytes : OffsetWidth'(BusBytes);
  assign beat_bytes = in_row_last_i ? OffsetWidth'(in_bytes_i) : OffsetWidth'(BusBytes);

  // The chunk at the beat offset, moved to the unit offset; bytes past the row's end zero.
  always_comb begin
    piece = Wide'(in_data_i) >> {beat_off_q, 3'b000};
    for (int b = 0; b < Wide / 8; b++) begin
      if (OffsetWidth'(b) >= chunk || OffsetWidth'(b) + beat_off_q >= beat_bytes) begin
        piece[8*b +: 8] = 8'h00;
      end
    end
    unit_next = unit_q | (8*MaxUnit)'(piece << {unit_off_q, 3'b000});
  end

  assign beat_done = beat_off_q + chunk >= beat_bytes;
  assign unit_done = unit_off_q + chunk == unit_bytes || (beat_done && in_row_last_i);
  assign move      = in_valid_i && (!unit_done || out_ready_i);

  assign out_valid_o     = in_valid_i && unit_done;
  assign out_data_o      = unit_next;
  assign out_row_first_o = row_first_q;
  assign out_last_o      = beat_done && in_row_last_i && in_last_i;
  assign in_ready_o      = move && beat_done;

  always_comb begin
    beat_off_d  = beat_off_q;
    unit_off_d  = unit_off_q;
    unit_d      = unit_q;
    row_first_d = row_first_q;
    if (move) begin
      beat_off_d = beat_done ? '0 : beat_off_q + chunk;
      unit_off_d = unit_done ? '0 : unit_off_q + chunk;
      unit_d     = unit_done ? '0 : unit_next;
      if (unit_done) row_first_d = beat_done && in_row_last_i;
    end
    if (flush_i) begin
      beat_off_d  = '0;
      unit_off_d  = '0;
      unit_d      = '0;
      row_first_d = 1'b1;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      beat_off_q  <= '0;
      unit_off_q  <= '0;
      unit_q      <= '0;
      row_first_q <= 1'b1;
    end else begin
      beat_off_q  <= beat_off_d;
      unit_off_q  <= unit_off_d;
      unit_q      <= unit_d;
      row_first_q <= row_first_d;
    end
  end

  if ((BusBytes & (BusBytes - 1)) != 0 || (MaxUnit & (MaxUnit - 1)) != 0) begin : g_bad_sizes
    $error("tessera_line_packer: BusBytes and MaxUnit must be powers of two");
  end

  `TESSERA_ASSERT(UnitFitsBuffer_A, in_valid_i |-> unit_bytes <= OffsetWidth'(MaxUnit),
                  clk_i, rst_ni)

endmodule
