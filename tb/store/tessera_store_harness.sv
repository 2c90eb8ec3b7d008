// SPDX-License-Identifier: Apache-2.0
// Test wrapper (not part of the design): tessera_store_unit with the accumulator and the
// quantization table it reads, both writable by the test; the DMA write engine's side of
// the store unit and its scratchpad write port (lines of NumCols bytes) are left to the test.
module tessera_store_harness #(
  parameter int NumCols  = 4,
  parameter int BusWidth = 64,
  localparam int AccLines = 64,
  localparam int Entries  = 64
) (
  input  logic                      clk_i,
  input  logic                      rst_ni,
  // Test access
  input  logic                      acc_wr_valid_i,
  input  logic [5:0]                acc_wr_addr_i,
  input  logic [32*NumCols-1:0]     acc_wr_data_i,
  input  logic                      qt_wr_valid_i,
  input  logic [5:0]                qt_wr_addr_i,
  input  logic [tessera_isa_pkg::QtEntryBits-1:0] qt_wr_data_i,
  // Commands (a checked STORE)
  input  logic                      cmd_valid_i,
  output logic                      cmd_ready_o,
  input  logic [tessera_isa_pkg::CommandBits-1:0] cmd_i,
  output logic                      done_o,
  output logic                      release_o,
  output logic [7:0]                error_o,
  output logic                      idle_o,
  // DMA write engine side
  output logic                      wr_desc_valid_o,
  input  logic                      wr_desc_ready_i,
  output tessera_pkg::dma_desc_t    wr_desc_o,
  output logic                      wr_valid_o,
  input  logic                      wr_ready_i,
  output logic [BusWidth-1:0]       wr_data_o,
  output logic                      wr_last_o,
  input  logic                      wr_status_valid_i,
  output logic                      wr_status_ready_o,
  input  logic [2:0]                wr_status_error_i,
  // Scratchpad write port
  output logic                      spad_wr_valid_o,
  input  logic                      spad_wr_ready_i,
  output logic [5:0]                spad_wr_addr_o,
  output logic [8*NumCols-1:0]      spad_wr_data_o,
  output logic [NumCols-1:0]        spad_wr_strb_o,
  // The table's read enable: the test counts the entries a STORE fetched
  output logic                      qt_rd_en_o
);

  logic                    qt_rd_en, acc_req_valid, acc_req_ready, acc_rsp_valid;
  logic [5:0]              qt_rd_addr, acc_req_addr;
  logic [tessera_isa_pkg::QtEntryBits-1:0] qt_rd_data;
  logic [32*NumCols-1:0]   acc_rsp_data;
  assign qt_rd_en_o = qt_rd_en;

  tessera_ram #(
    .Width    (tessera_isa_pkg::QtEntryBits),
    .Depth    (Entries),
    .ByteWidth(tessera_isa_pkg::QtEntryBits)
  ) u_qtable (
    .clk_i,
    .wr_en_i  (qt_wr_valid_i),
    .wr_addr_i(qt_wr_addr_i),
    .wr_data_i(qt_wr_data_i),
    .wr_strb_i(1'b1),
    .rd_en_i  (qt_rd_en),
    .rd_addr_i(qt_rd_addr),
    .rd_data_o(qt_rd_data)
  );

  tessera_accumulator #(
    .Lanes   (NumCols),
    .Lines   (AccLines),
    .AccPorts(1)
  ) u_acc (
    .clk_i,
    .rst_ni,
    .acc_valid_i   (acc_wr_valid_i),
    .acc_addr_i    (acc_wr_addr_i),
    .acc_data_i    (acc_wr_data_i),
    .acc_add_i     (1'b0),
    .rd_req_valid_i(acc_req_valid),
    .rd_req_ready_o(acc_req_ready),
    .rd_req_addr_i (acc_req_addr),
    .rd_rsp_valid_o(acc_rsp_valid),
    .rd_rsp_data_o (acc_rsp_data)
  );

  tessera_store_unit #(
    .NumRows      (NumCols),
    .NumCols      (NumCols),
    .BusWidth     (BusWidth),
    .SpadLines    (64),
    .AccLines     (AccLines),
    .QTableEntries(Entries)
  ) u_store (
    .clk_i,
    .rst_ni,
    .cmd_valid_i,
    .cmd_ready_o,
    .cmd_i,
    .done_o,
    .release_o,
    .error_o,
    .idle_o,
    .qt_rd_en_o       (qt_rd_en),
    .qt_rd_addr_o     (qt_rd_addr),
    .qt_rd_data_i     (qt_rd_data),
    .qt_written_i     (qt_wr_valid_i),
    .acc_req_valid_o  (acc_req_valid),
    .acc_req_ready_i  (acc_req_ready),
    .acc_req_addr_o   (acc_req_addr),
    .acc_rsp_valid_i  (acc_rsp_valid),
    .acc_rsp_data_i   (acc_rsp_data),
    .wr_desc_valid_o,
    .wr_desc_ready_i,
    .wr_desc_o,
    .wr_valid_o,
    .wr_ready_i,
    .wr_data_o,
    .wr_last_o,
    .wr_status_valid_i,
    .wr_status_ready_o,
    .wr_status_error_i,
    .spad_wr_valid_o,
    .spad_wr_ready_i,
    .spad_wr_addr_o,
    .spad_wr_data_o,
    .spad_wr_strb_o
  );

endmodule
