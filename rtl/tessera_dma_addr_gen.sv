// SPDX-License-Identifier: Apache-2.0
// tessera_dma_addr_gen: the 2D strided address generator of the DMA engines.
//
// Function:   turns a descriptor {addr, row_bytes, rows, stride} into the row segments
//             {addr + r*stride, row_bytes} for r = 0..rows-1, marking the last one. It is
//             the only part of an engine that knows the transfer's shape: another generator
//             with the same row interface (e.g. im2col) can replace it.
// Latency:    the first row is offered the cycle after the descriptor handshake.
// Throughput: one row per cycle; a new descriptor is accepted once the last row of the
//             previous one has been handed on. Either stream may stall.
// Abort:      abort_i drops the descriptor in progress (the engine saw an error).
module tessera_dma_addr_gen (
  input  logic                                  clk_i,
  input  logic                                  rst_ni,
  input  logic                                  abort_i,
  // Descriptor
  input  logic                                  desc_valid_i,
  output logic                                  desc_ready_o,
  input  logic [tessera_pkg::DmaAddrWidth-1:0]  desc_addr_i,
  input  logic [tessera_pkg::DmaLenWidth-1:0]   desc_row_bytes_i,
  input  logic [tessera_pkg::DmaRowsWidth-1:0]  desc_rows_i,
  input  logic [tessera_pkg::DmaAddrWidth-1:0]  desc_stride_i,
  // Row segments
  output logic                                  row_valid_o,
  input  logic                                  row_ready_i,
  output logic [tessera_pkg::DmaAddrWidth-1:0]  row_addr_o,
  output logic [tessera_pkg::DmaLenWidth-1:0]   row_bytes_o,
  output logic                                  row_last_o
);

  localparam int AddrWidth = tessera_pkg::DmaAddrWidth;
  localparam int LenWidth  = tessera_pkg::DmaLenWidth;
  localparam int RowsWidth = tessera_pkg::DmaRowsWidth;

  logic                 busy_d, busy_q;
  logic [AddrWidth-1:0] addr_d, addr_q, stride_q;
  logic [LenWidth-1:0]  bytes_q;
  logic [RowsWidth-1:0] left_d, left_q;  // rows still to emit, including the current one

  assign desc_ready_o = !busy_q;
  assign row_valid_o  = busy_q;
  assign row_addr_o   = addr_q;
  assign row_bytes_o  = bytes_q;
  assign row_last_o   = (left_q == RowsWidth'(1));

  always_comb begin
    busy_d = busy_q;
    addr_d = addr_q;
    left_d = left_q;
    if (desc_valid_i && desc_ready_o) begin
      busy_d = 1'b1;
      addr_d = desc_addr_i;
      left_d = desc_rows_i;
    end else if (row_valid_o && row_ready_i) begin
      busy_d = !row_last_o;
      addr_d = addr_q + stride_q;
      left_d = left_q - 1'b1;
    end
    if (abort_i) busy_d = 1'b0;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) busy_q <= 1'b0;
    else         busy_q <= busy_d;
  end

  always_ff @(posedge clk_i) begin
    addr_q <= addr_d;
    left_q <= left_d;
    if (desc_valid_i && desc_ready_o) begin
      bytes_q  <= desc_row_bytes_i;
      stride_q <= desc_stride_i;
    end
  end

endmodule
