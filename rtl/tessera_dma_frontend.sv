// SPDX-License-Identifier: Apache-2.0
// tessera_dma_frontend: the descriptor front end shared by the DMA read and write engines.
//
// Function:   tessera_dma_addr_gen (descriptor -> rows) feeding tessera_dma_burst_gen
//             (rows -> legal AXI bursts, window check). An engine starts a descriptor with
//             start_i, takes bursts from the burst_* stream (see tessera_dma_burst_gen for
//             its fields) and holds abort_i while it has failed, which drops whatever the
//             front end still had to issue.
// Latency:    the first burst is offered 2 cycles after start_i.
// Throughput: one burst per cycle.
module tessera_dma_frontend #(
  parameter int DataWidth = 128,
  localparam int AddrWidth = tessera_pkg::DmaAddrWidth,
  localparam int LenWidth  = tessera_pkg::DmaLenWidth,
  localparam int OffWidth  = $clog2(DataWidth / 8)
) (
  input  logic                                 clk_i,
  input  logic                                 rst_ni,
  input  logic                                 abort_i,
  input  logic [AddrWidth-1:0]                 window_base_i,
  input  logic [AddrWidth-1:0]                 window_limit_i,
  // Descriptor: start_i when idle_o
  input  logic                                 start_i,
  output logic                                 idle_o,
  input  logic [AddrWidth-1:0]                 desc_addr_i,
  input  logic [LenWidth-1:0]                  desc_row_bytes_i,
  input  logic [tessera_pkg::DmaRowsWidth-1:0] desc_rows_i,
  input  logic [AddrWidth-1:0]                 desc_stride_i,
  // Bursts
  output logic                                 burst_valid_o,
  input  logic                                 burst_ready_i,
  output logic [AddrWidth-1:0]                 burst_addr_o,
  output logic [tessera_pkg::AxiLenWidth-1:0]  burst_len_o,
  output logic                                 burst_first_o,
  output logic                                 burst_last_o,
  output logic                                 burst_desc_last_o,
  output logic                                 burst_error_o,
  output logic [OffWidth-1:0]                  row_offset_o,
  output logic [LenWidth-1:0]                  row_bytes_o,
  output logic [LenWidth:0]                    row_beats_o
);

  logic                 row_valid, row_ready, row_last;
  logic [AddrWidth-1:0] row_addr;
  logic [LenWidth-1:0]  row_bytes;

  tessera_dma_addr_gen u_addr_gen (
    .clk_i,
    .rst_ni,
    .abort_i,
    .desc_valid_i   (start_i),
    .desc_ready_o   (idle_o),
    .desc_addr_i,
    .desc_row_bytes_i,
    .desc_rows_i,
    .desc_stride_i,
    .row_valid_o    (row_valid),
    .row_ready_i    (row_ready),
    .row_addr_o     (row_addr),
    .row_bytes_o    (row_bytes),
    .row_last_o     (row_last)
  );

  tessera_dma_burst_gen #(
    .DataWidth(DataWidth)
  ) u_burst_gen (
    .clk_i,
    .rst_ni,
    .abort_i,
    .window_base_i,
    .window_limit_i,
    .row_valid_i  (row_valid),
    .row_ready_o  (row_ready),
    .row_addr_i   (row_addr),
    .row_bytes_i  (row_bytes),
    .row_last_i   (row_last),
    .burst_valid_o,
    .burst_ready_i,
    .burst_addr_o,
    .burst_len_o,
    .burst_first_o,
    .burst_last_o,
    .burst_desc_last_o,
    .burst_error_o,
    .row_offset_o,
    .row_bytes_o,
    .row_beats_o
  );

endmodule
