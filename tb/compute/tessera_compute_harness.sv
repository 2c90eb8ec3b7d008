// SPDX-License-Identifier: Apache-2.0
// Test wrapper (not part of the design): tessera_compute_unit with the scratchpad and
// accumulator it runs on, so that a test can fill the scratchpad, issue COMPUTE commands
// and read the accumulator back.
module tessera_compute_harness #(
  parameter int NumRows   = 4,
  parameter int NumCols   = 4,
  parameter int SpadLines = 256,
  parameter int AccLines  = 64,
  localparam int SpadAddrWidth = tessera_pkg::index_width(SpadLines),
  localparam int AccAddrWidth  = tessera_pkg::index_width(AccLines),
  localparam int LineWidth     = 8 * NumRows,
  localparam int AccLineWidth  = 32 * NumCols
) (
  input  logic                     clk_i,
  input  logic                     rst_ni,
  // Scratchpad fill
  input  logic                     spad_wr_valid_i,
  input  logic [SpadAddrWidth-1:0] spad_wr_addr_i,
  input  logic [LineWidth-1:0]     spad_wr_data_i,
  // Commands (a checked COMPUTE)
  input  logic                     cmd_valid_i,
  output logic                     cmd_ready_o,
  input  logic [tessera_isa_pkg::CommandBits-1:0] cmd_i,
  output logic                     done_o,
  output logic [7:0]               error_o,
  output logic                     idle_o,
  output logic                     dw_busy_o,
  output logic [31:0]              macs_o,
  // The array's and the depthwise unit's accumulator writes this cycle (concurrency)
  output logic                     arr_acc_valid_o,
  output logic                     dw_acc_valid_o,
  // Accumulator read-back
  input  logic                     acc_rd_valid_i,
  output logic                     acc_rd_ready_o,
  input  logic [AccAddrWidth-1:0]  acc_rd_addr_i,
  output logic                     acc_rsp_valid_o,
  output logic [AccLineWidth-1:0]  acc_rsp_data_o
);

  logic [4:0]                 rd_req_valid, rd_req_ready, rd_rsp_valid;
  logic [5*SpadAddrWidth-1:0] rd_req_addr;
  logic [5*LineWidth-1:0]     rd_rsp_data;
  logic                       acc_valid, acc_add, dw_acc_add;
  logic [AccAddrWidth-1:0]    acc_addr, dw_acc_addr;
  logic [AccLineWidth-1:0]    acc_data, dw_acc_data;
  logic                       unused_wr_ready;
  assign arr_acc_valid_o = acc_valid;

  tessera_scratchpad #(
    .LineBytes(NumRows),
    .Lines    (SpadLines),
    .NumBanks (4),
    .NumReadPorts(5)
  ) u_spad (
    .clk_i,
    .rst_ni,
    .wr_valid_i    (spad_wr_valid_i),
    .wr_ready_o    (unused_wr_ready),
    .wr_addr_i     (spad_wr_addr_i),
    .wr_data_i     (spad_wr_data_i),
    .wr_strb_i     ('1),
    .rd_req_valid_i(rd_req_valid),
    .rd_req_ready_o(rd_req_ready),
    .rd_req_addr_i (rd_req_addr),
    .rd_rsp_valid_o(rd_rsp_valid),
    .rd_rsp_data_o (rd_rsp_data)
  );

  tessera_compute_unit #(
    .NumRows  (NumRows),
    .NumCols  (NumCols),
    .SpadLines(SpadLines),
    .AccLines (AccLines)
  ) u_compute (
    .clk_i,
    .rst_ni,
    .cmd_valid_i,
    .cmd_ready_o,
    .cmd_i,
    .done_o,
    .error_o,
    .idle_o,
    .dw_busy_o,
    .macs_o,
    .act_req_valid_o(rd_req_valid[0]),
    .act_req_ready_i(rd_req_ready[0]),
    .act_req_addr_o (rd_req_addr[0 +: SpadAddrWidth]),
    .act_rsp_valid_i(rd_rsp_valid[0]),
    .act_rsp_data_i (rd_rsp_data[0 +: LineWidth]),
    .wgt_req_valid_o(rd_req_valid[1]),
    .wgt_req_ready_i(rd_req_ready[1]),
    .wgt_req_addr_o (rd_req_addr[SpadAddrWidth +: SpadAddrWidth]),
    .wgt_rsp_valid_i(rd_rsp_valid[1]),
    .wgt_rsp_data_i (rd_rsp_data[LineWidth +: LineWidth]),
    .dw_wgt_req_valid_o(rd_req_valid[4]),
    .dw_wgt_req_ready_i(rd_req_ready[4]),
    .dw_wgt_req_addr_o (rd_req_addr[4*SpadAddrWidth +: SpadAddrWidth]),
    .dw_wgt_rsp_valid_i(rd_rsp_valid[4]),
    .dw_wgt_rsp_data_i (rd_rsp_data[4*LineWidth +: LineWidth]),
    .line_req_valid_o(rd_req_valid[2]),
    .line_req_ready_i(rd_req_ready[2]),
    .line_req_addr_o (rd_req_addr[2*SpadAddrWidth +: SpadAddrWidth]),
    .line_rsp_valid_i(rd_rsp_valid[2]),
    .line_rsp_data_i (rd_rsp_data[2*LineWidth +: LineWidth]),
    .pair_req_valid_o(rd_req_valid[3]),
    .pair_req_ready_i(rd_req_ready[3]),
    .pair_req_addr_o (rd_req_addr[3*SpadAddrWidth +: SpadAddrWidth]),
    .pair_rsp_valid_i(rd_rsp_valid[3]),
    .pair_rsp_data_i (rd_rsp_data[3*LineWidth +: LineWidth]),
    .acc_valid_o    (acc_valid),
    .acc_addr_o     (acc_addr),
    .acc_data_o     (acc_data),
    .acc_add_o      (acc_add),
    .dw_acc_valid_o,
    .dw_acc_addr_o  (dw_acc_addr),
    .dw_acc_data_o  (dw_acc_data),
    .dw_acc_add_o   (dw_acc_add)
  );

  tessera_accumulator #(
    .Lanes(NumCols),
    .Lines(AccLines)
  ) u_acc (
    .clk_i,
    .rst_ni,
    .acc_valid_i   ({dw_acc_valid_o, acc_valid}),
    .acc_addr_i    ({dw_acc_addr, acc_addr}),
    .acc_data_i    ({dw_acc_data, acc_data}),
    .acc_add_i     ({dw_acc_add, acc_add}),
    .rd_req_valid_i(acc_rd_valid_i),
    .rd_req_ready_o(acc_rd_ready_o),
    .rd_req_addr_i (acc_rd_addr_i),
    .rd_rsp_valid_o(acc_rsp_valid_o),
    .rd_rsp_data_o (acc_rsp_data_o)
  );

endmodule
