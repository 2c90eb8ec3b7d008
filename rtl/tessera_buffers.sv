// SPDX-License-Identifier: Apache-2.0
// tessera_buffers: the engine's on-chip buffers and who may use which port.
//
// Function:   the scratchpad (tessera_scratchpad, int8 lines of NumRows bytes: its write
//             port shared by the load unit, which cannot wait and so always wins, and the
//             store unit's TO_SCRATCHPAD lines, which wait while the load unit writes; read
//             port 0 for activations, 1 for weights, 2 for the depthwise unit's rows, 3 for
//             its second rows, DW_PAIR, and 4 for its weights), the
//             accumulator (tessera_accumulator, int32 lines of NumCols lanes: acc port 0
//             shared by the array's and the vector path's results, which cannot wait and so
//             always win, and the load unit's bias lines, which wait while those write or
//             while the depthwise unit writes their bank; acc port 1 the depthwise unit's
//             results; its read port for the store unit) and the quantization table (tessera_ram of
//             tessera_isa_pkg::QtEntryBits entries: written by the load unit, read by the
//             store unit).
// Latency:    reads answer one cycle after the request; see the buffers.
// Throughput: per cycle one scratchpad write (load or store unit) and one read per bank,
//             two accumulator operations (in different banks) and one read, one table write
//             and one read.
`include "tessera_assert.svh"

module tessera_buffers #(
  parameter int NumRows        = tessera_pkg::DefaultNumRows,
  parameter int NumCols        = tessera_pkg::DefaultNumCols,
  parameter int SpadLines      = tessera_pkg::DefaultScratchpadLines,
  parameter int AccLines       = tessera_pkg::DefaultAccumulatorLines,
  parameter int QTableEntries  = tessera_pkg::DefaultQTableEntries,
  localparam int SpadAddrWidth = tessera_pkg::index_width(SpadLines),
  localparam int AccAddrWidth  = tessera_pkg::index_width(AccLines),
  localparam int QtAddrWidth   = tessera_pkg::index_width(QTableEntries),
  localparam int SpadLineWidth = tessera_pkg::DataWidth * NumRows,
  localparam int AccLineWidth  = tessera_pkg::AccWidth * NumCols,
  localparam int EntryBits     = tessera_isa_pkg::QtEntryBits,
  // Scratchpad read ports: activations, weights, the depthwise unit's rows, second rows and
  // weights.
  localparam int SpadPorts     = 5
) (
  input  logic                       clk_i,
  input  logic                       rst_ni,
  // Scratchpad: the load unit's writes
  input  logic                       spad_wr_valid_i,
  input  logic [SpadAddrWidth-1:0]   spad_wr_addr_i,
  input  logic [SpadLineWidth-1:0]   spad_wr_data_i,
  input  logic [NumRows-1:0]         spad_wr_strb_i,
  // Scratchpad: the store unit's lines (wait while the load unit writes)
  input  logic                       st_spad_wr_valid_i,
  output logic                       st_spad_wr_ready_o,
  input  logic [SpadAddrWidth-1:0]   st_spad_wr_addr_i,
  input  logic [SpadLineWidth-1:0]   st_spad_wr_data_i,
  input  logic [NumRows-1:0]         st_spad_wr_strb_i,
  // Scratchpad: the compute unit's reads (SpadPorts above)
  input  logic [SpadPorts-1:0]               spad_rd_valid_i,
  output logic [SpadPorts-1:0]               spad_rd_ready_o,
  input  logic [SpadPorts*SpadAddrWidth-1:0] spad_rd_addr_i,
  output logic [SpadPorts-1:0]               spad_rsp_valid_o,
  output logic [SpadPorts*SpadLineWidth-1:0] spad_rsp_data_o,
  // Accumulator: the compute unit's results (never wait): the array's and the vector path's,
  // and the depthwise unit's (never in the bank of the others in the same cycle)
  input  logic                       cu_acc_valid_i,
  input  logic [AccAddrWidth-1:0]    cu_acc_addr_i,
  input  logic [AccLineWidth-1:0]    cu_acc_data_i,
  input  logic                       cu_acc_add_i,
  input  logic                       dw_acc_valid_i,
  input  logic [AccAddrWidth-1:0]    dw_acc_addr_i,
  input  logic [AccLineWidth-1:0]    dw_acc_data_i,
  input  logic                       dw_acc_add_i,
  // Accumulator: the load unit's lines (overwrite; wait while the compute unit writes)
  input  logic                       ld_acc_valid_i,
  output logic                       ld_acc_ready_o,
  input  logic [AccAddrWidth-1:0]    ld_acc_addr_i,
  input  logic [AccLineWidth-1:0]    ld_acc_data_i,
  // Accumulator: the store unit's reads
  input  logic                       acc_rd_valid_i,
  output logic                       acc_rd_ready_o,
  input  logic [AccAddrWidth-1:0]    acc_rd_addr_i,
  output logic                       acc_rsp_valid_o,
  output logic [AccLineWidth-1:0]    acc_rsp_data_o,
  // Quantization table: the load unit writes, the store unit reads
  input  logic                       qt_wr_valid_i,
  input  logic [QtAddrWidth-1:0]     qt_wr_addr_i,
  input  logic [EntryBits-1:0]       qt_wr_data_i,
  input  logic                       qt_rd_en_i,
  input  logic [QtAddrWidth-1:0]     qt_rd_addr_i,
  output logic [EntryBits-1:0]       qt_rd_data_o
);

  logic spad_wr_ready;  // by construction always 1 (asserted below)

  tessera_scratchpad #(
    .LineBytes   (NumRows),
    .Lines       (SpadLines),
    .NumReadPorts(SpadPorts)
  ) u_scratchpad (
    .clk_i,
    .rst_ni,
    .wr_valid_i    (spad_wr_valid_i || st_spad_wr_valid_i),
    .wr_ready_o    (spad_wr_ready),  // writes never conflict (tessera_scratchpad)
    .wr_addr_i     (spad_wr_valid_i ? spad_wr_addr_i : st_spad_wr_addr_i),
    .wr_data_i     (spad_wr_valid_i ? spad_wr_data_i : st_spad_wr_data_i),
    .wr_strb_i     (spad_wr_valid_i ? spad_wr_strb_i : st_spad_wr_strb_i),
    .rd_req_valid_i(spad_rd_valid_i),
    .rd_req_ready_o(spad_rd_ready_o),
    .rd_req_addr_i (spad_rd_addr_i),
    .rd_rsp_valid_o(spad_rsp_valid_o),
    .rd_rsp_data_o (spad_rsp_data_o)
  );

  // The load unit's lines cannot wait: it has the scratchpad's write port first.
  assign st_spad_wr_ready_o = !spad_wr_valid_i;

  // The compute unit's results cannot wait: it has acc port 0 first, and the load unit's
  // line waits too while the depthwise unit writes its bank (the ports' banks differ).
  localparam int AccBankShift = $clog2(AccLines / tessera_pkg::AccumulatorBanks);
  assign ld_acc_ready_o = !cu_acc_valid_i &&
                          !(dw_acc_valid_i && (dw_acc_addr_i >> AccBankShift) ==
                                              (ld_acc_addr_i >> AccBankShift));

  tessera_accumulator #(
    .Lanes   (NumCols),
    .Lines   (AccLines),
    .AccPorts(2)
  ) u_accumulator (
    .clk_i,
    .rst_ni,
    .acc_valid_i   ({dw_acc_valid_i, cu_acc_valid_i || (ld_acc_valid_i && ld_acc_ready_o)}),
    .acc_addr_i    ({dw_acc_addr_i, cu_acc_valid_i ? cu_acc_addr_i : ld_acc_addr_i}),
    .acc_data_i    ({dw_acc_data_i, cu_acc_valid_i ? cu_acc_data_i : ld_acc_data_i}),
    .acc_add_i     ({dw_acc_add_i, cu_acc_valid_i && cu_acc_add_i}),
    .rd_req_valid_i(acc_rd_valid_i),
    .rd_req_ready_o(acc_rd_ready_o),
    .rd_req_addr_i (acc_rd_addr_i),
    .rd_rsp_valid_o(acc_rsp_valid_o),
    .rd_rsp_data_o (acc_rsp_data_o)
  );

  tessera_ram #(
    .Width    (EntryBits),
    .Depth    (QTableEntries),
    .ByteWidth(EntryBits)
  ) u_qtable (
    .clk_i,
    .wr_en_i  (qt_wr_valid_i),
    .wr_addr_i(qt_wr_addr_i),
    .wr_data_i(qt_wr_data_i),
    .wr_strb_i(1'b1),
    .rd_en_i  (qt_rd_en_i),
    .rd_addr_i(qt_rd_addr_i),
    .rd_data_o(qt_rd_data_o)
  );

  logic unused_bits;
  assign unused_bits = spad_wr_ready;

  `TESSERA_ASSERT(ScratchpadWritesNeverWait_A, spad_wr_valid_i || st_spad_wr_valid_i |->
                  spad_wr_ready, clk_i,
                  rst_ni)

endmodule
