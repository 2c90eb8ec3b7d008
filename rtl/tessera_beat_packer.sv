// SPDX-License-Identifier: Apache-2.0
// tessera_beat_packer: cuts rows into DMA write beats.
//
// Function:   each row (row_data_i, row_bytes_i valid bytes from byte 0, at most
//             RowWidth/8) leaves as ceil(row_bytes_i / BusBytes) beats of BusBytes, low
//             bytes first; wr_last_o marks the last beat of row `rows_i` - 1, the end of the
//             transfer the write engine was given. start_i takes a new command's row size
//             and count (sampled then); run_i gates the output (the unit's streaming phase).
// Latency:    combinational. Throughput: one beat per cycle; a row is taken with its last
//             beat. Stalls: the write engine may stall; the row is held until its last beat.
`include "tessera_assert.svh"

module tessera_beat_packer #(
  parameter int BusWidth = tessera_pkg::DefaultBusWidth,
  parameter int RowWidth = 512,  // bits of the widest row
  localparam int BusBytes = BusWidth / 8,
  localparam int RowBytesWidth = $clog2(RowWidth / 8 + 1)  // holds RowWidth / 8
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  input  logic                start_i,
  input  logic [RowBytesWidth-1:0] row_bytes_i,  // sampled with start_i
  input  logic [15:0]         rows_i,       // sampled with start_i
  input  logic                run_i,
  // Rows
  input  logic                row_valid_i,
  output logic                row_ready_o,
  input  logic [RowWidth-1:0] row_data_i,
  // Beats for the DMA write engine
  output logic                wr_valid_o,
  input  logic                wr_ready_i,
  output logic [BusWidth-1:0] wr_data_o,
  output logic                wr_last_o
);

  localparam int BeatIdxWidth = tessera_pkg::index_width(RowWidth / BusWidth + 1);

  logic [RowBytesWidth-1:0] row_bytes_d, row_bytes_q;
  logic [15:0]             rows_d, rows_q, rows_sent_d, rows_sent_q;
  logic [BeatIdxWidth-1:0] beat_d, beat_q;  // beat of the current row
  logic                    last_beat_of_row, wr_fire;

  assign last_beat_of_row = (32'(beat_q) + 32'd1) * BusBytes >= 32'(row_bytes_q);
  assign wr_valid_o       = run_i && row_valid_i;
  assign wr_data_o        = BusWidth'(row_data_i >> (32'(beat_q) * BusWidth));
  assign wr_last_o        = last_beat_of_row && rows_sent_q == rows_q - 16'd1;
  assign wr_fire          = wr_valid_o && wr_ready_i;
  assign row_ready_o      = run_i && wr_ready_i && last_beat_of_row;

  always_comb begin
    row_bytes_d = row_bytes_q;
    rows_d      = rows_q;
    rows_sent_d = rows_sent_q;
    beat_d      = beat_q;
    if (wr_fire) begin
      beat_d = last_beat_of_row ? '0 : beat_q + 1'b1;
      if (last_beat_of_row) rows_sent_d = rows_sent_q + 16'd1;
    end
    if (start_i) begin
      row_bytes_d = row_bytes_i;
      rows_d      = rows_i;
      rows_sent_d = '0;
      beat_d      = '0;
    end
  end

  // Reset-free: start_i sets them before every command's first beat.
  always_ff @(posedge clk_i) begin
    row_bytes_q <= row_bytes_d;
    rows_q      <= rows_d;
    rows_sent_q <= rows_sent_d;
    beat_q      <= beat_d;
  end

  `TESSERA_ASSERT(RowFitsBeats_A, wr_valid_o |-> 32'(beat_q) * BusBytes < 32'(row_bytes_q),
                  clk_i, rst_ni)

endmodule
