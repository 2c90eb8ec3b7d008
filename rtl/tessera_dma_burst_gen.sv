// SPDX-License-Identifier: Apache-2.0
// tessera_dma_burst_gen: splits row segments into legal AXI4 INCR bursts.
//
// Function:   a row {addr, bytes} covers the bus beats from addr rounded down to the bus
//             width up to addr + bytes. They are issued as bursts of at most 256 beats that
//             never cross a 4 KiB boundary, at bus-aligned addresses (byte-level alignment
//             is the data path's business: it gets the row's byte offset, length and beat
//             count with the row's first burst). A row that is not entirely inside the
//             address window [window_base_i, window_limit_i] (inclusive) - or that wraps
//             past the top of the address space - becomes one burst flagged error, for
//             which the engine issues nothing; it then aborts the descriptor.
// Latency:    the first burst of a row is offered the cycle after the row handshake.
// Throughput: one burst per cycle; a row is accepted once its last burst is handed on.
// Abort:      abort_i drops the row in progress.
module tessera_dma_burst_gen #(
  parameter int DataWidth = 128,
  localparam int OffWidth = $clog2(DataWidth / 8),
  localparam int BeatWidth = tessera_pkg::DmaLenWidth + 1
) (
  input  logic                                 clk_i,
  input  logic                                 rst_ni,
  input  logic                                 abort_i,
  input  logic [tessera_pkg::DmaAddrWidth-1:0] window_base_i,
  input  logic [tessera_pkg::DmaAddrWidth-1:0] window_limit_i,
  // Row segments
  input  logic                                 row_valid_i,
  output logic                                 row_ready_o,
  input  logic [tessera_pkg::DmaAddrWidth-1:0] row_addr_i,
  input  logic [tessera_pkg::DmaLenWidth-1:0]  row_bytes_i,
  input  logic                                 row_last_i,
  // Bursts
  output logic                                 burst_valid_o,
  input  logic                                 burst_ready_i,
  output logic [tessera_pkg::DmaAddrWidth-1:0] burst_addr_o,
  output logic [tessera_pkg::AxiLenWidth-1:0]  burst_len_o,      // beats - 1
  output logic                                 burst_first_o,    // first burst of its row
  output logic                                 burst_last_o,     // last burst of its row
  output logic                                 burst_desc_last_o,// ... and of the descriptor
  output logic                                 burst_error_o,    // row outside the window
  // The row's data-path parameters, valid with every burst
  output logic [OffWidth-1:0]                  row_offset_o,     // addr mod bus bytes
  output logic [tessera_pkg::DmaLenWidth-1:0]  row_bytes_o,
  output logic [BeatWidth-1:0]                 row_beats_o       // bus beats of the row
);

  localparam int AddrWidth    = tessera_pkg::DmaAddrWidth;
  localparam int LenWidth     = tessera_pkg::DmaLenWidth;
  localparam int BusBytes     = DataWidth / 8;
  localparam int BeatsPer4K   = tessera_pkg::AxiBoundary / BusBytes;
  localparam int MaxBeats     = tessera_pkg::AxiMaxBeats;
  localparam int PageBeatBits = $clog2(BeatsPer4K);

  logic                 busy_d, busy_q, first_d, first_q, error_q, desc_last_q;
  logic [AddrWidth-1:0] addr_d, addr_q;        // bus-aligned address of the next burst
  logic [BeatWidth-1:0] left_d, left_q;        // beats of the row not yet issued
  logic [OffWidth-1:0]  offset_q;
  logic [LenWidth-1:0]  bytes_q;
  logic [BeatWidth-1:0] beats_q;

  // The incoming row: its end (one past the last byte, 65 bits to see a wrap), window check
  // and beat count.
  logic [AddrWidth:0]   row_end;
  logic                 row_in_window;
  logic [BeatWidth-1:0] row_beats;
  logic [OffWidth-1:0]  row_offset;
  assign row_offset    = row_addr_i[OffWidth-1:0];
  assign row_end       = {1'b0, row_addr_i} + {{(AddrWidth+1-LenWidth){1'b0}}, row_bytes_i};
  assign row_in_window = row_addr_i >= window_base_i && !row_end[AddrWidth] &&
                         row_end[AddrWidth-1:0] - 1'b1 <= window_limit_i;
  assign row_beats     = BeatWidth'(({1'b0, row_bytes_i} + LenWidth'(row_offset) +
                                     LenWidth'(BusBytes - 1)) >> OffWidth);

  // This burst: as many beats as the row has left, at most 256, not past the 4 KiB page.
  logic [BeatWidth-1:0] page_room, burst_beats;
  assign page_room = BeatWidth'(BeatsPer4K) -
                     BeatWidth'(addr_q[OffWidth +: PageBeatBits]);
  always_comb begin
    burst_beats = left_q;
    if (burst_beats > BeatWidth'(MaxBeats)) burst_beats = BeatWidth'(MaxBeats);
    if (burst_beats > page_room) burst_beats = page_room;
  end

  assign row_ready_o       = !busy_q;
  assign burst_valid_o     = busy_q;
  assign burst_addr_o      = addr_q;
  assign burst_len_o       = tessera_pkg::AxiLenWidth'(burst_beats - 1'b1);
  assign burst_first_o     = first_q;
  assign burst_last_o      = error_q || burst_beats == left_q;
  assign burst_desc_last_o = desc_last_q;
  assign burst_error_o     = error_q;
  assign row_offset_o      = offset_q;
  assign row_bytes_o       = bytes_q;
  assign row_beats_o       = beats_q;

  always_comb begin
    busy_d  = busy_q;
    first_d = first_q;
    addr_d  = addr_q;
    left_d  = left_q;
    if (row_valid_i && row_ready_o) begin
      busy_d  = 1'b1;
      first_d = 1'b1;
      addr_d  = {row_addr_i[AddrWidth-1:OffWidth], {OffWidth{1'b0}}};
      left_d  = row_beats;
    end else if (burst_valid_o && burst_ready_i) begin
      busy_d  = !burst_last_o;
      first_d = 1'b0;
      addr_d  = addr_q + (AddrWidth'(burst_beats) << OffWidth);
      left_d  = left_q - burst_beats;
    end
    if (abort_i) busy_d = 1'b0;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) busy_q <= 1'b0;
    else         busy_q <= busy_d;
  end

  always_ff @(posedge clk_i) begin
    first_q <= first_d;
    addr_q  <= addr_d;
    left_q  <= left_d;
    if (row_valid_i && row_ready_o) begin
      error_q     <= !row_in_window;
      desc_last_q <= row_last_i;
      offset_q    <= row_offset;
      bytes_q     <= row_bytes_i;
      beats_q     <= row_beats;
    end
  end

  if (DataWidth < 64 || DataWidth > 512 || (DataWidth & (DataWidth - 1)) != 0) begin : g_bad_width
    $error("tessera_dma_burst_gen: DataWidth must be 64, 128, 256 or 512");
  end

endmodule
