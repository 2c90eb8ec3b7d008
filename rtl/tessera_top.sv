// SPDX-License-Identifier: Apache-2.0
// tessera_top: the Tessera engine - what a host drives through registers and a command ring.
//
// Function:   wiring only. tessera_regs (AXI4-Lite) configures the engine;
//             tessera_cmd_path fetches the command ring, checks and routes each command to
//             its unit (by the command-set table) behind its dependency tokens, runs FENCE
//             and the drained soft reset; the units (load, compute, store) execute;
//             tessera_buffers holds the scratchpad, the accumulator and the quantization
//             table; tessera_dma_port is the one AXI4 master port, its read engine shared by
//             the fetcher and the load unit, its write engine by the store unit and the
//             fences; tessera_perf_events feeds the counters. A failure anywhere stops the
//             engine with its code and the failing command's ring index and raises the
//             error interrupt.
// Soft reset: SOFT_RESET stops issuing work, waits until both DMA engines and every unit are
//             idle (the AXI protocol is never cut mid-burst), then clears the command path;
//             RING_HEAD becomes RING_TAIL. Registers keep their values.
// Timing:     see the blocks; the engine adds one register between dispatcher and queues.
// Assertions: the integration invariants at the AXI4 port (every burst INCR, full-width,
//             inside the DMA window and within a 4 KiB page).
`include "tessera_assert.svh"

module tessera_top #(
  parameter int NumRows          = tessera_pkg::DefaultNumRows,
  parameter int NumCols          = tessera_pkg::DefaultNumCols,
  parameter int BusWidth         = tessera_pkg::DefaultBusWidth,
  parameter int ScratchpadBytes  = tessera_pkg::DefaultScratchpadBytes,
  parameter int AccumulatorBytes = tessera_pkg::DefaultAccumulatorBytes,
  parameter int QTableEntries    = tessera_pkg::DefaultQTableEntries,
  parameter int IdWidth          = 4,
  // 1: each row's PEs of columns 2j and 2j+1 share one multiplier (one DSP48E2 for two
  // MACs, tessera_pe_pair); nothing else changes, timing included.
  parameter int PackedPairs      = 0,
  localparam int AddrWidth       = tessera_pkg::DmaAddrWidth,
  localparam int BusBytes        = BusWidth / 8,
  localparam int RegAddrWidth    = tessera_reg_pkg::RegAddrWidth
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,
  // AXI4-Lite slave: registers
  input  logic                    s_axil_awvalid_i,
  output logic                    s_axil_awready_o,
  input  logic [RegAddrWidth-1:0] s_axil_awaddr_i,
  input  logic [2:0]              s_axil_awprot_i,
  input  logic                    s_axil_wvalid_i,
  output logic                    s_axil_wready_o,
  input  logic [31:0]             s_axil_wdata_i,
  input  logic [3:0]              s_axil_wstrb_i,
  output logic                    s_axil_bvalid_o,
  input  logic                    s_axil_bready_i,
  output logic [1:0]              s_axil_bresp_o,
  input  logic                    s_axil_arvalid_i,
  output logic                    s_axil_arready_o,
  input  logic [RegAddrWidth-1:0] s_axil_araddr_i,
  input  logic [2:0]              s_axil_arprot_i,
  output logic                    s_axil_rvalid_o,
  input  logic                    s_axil_rready_i,
  output logic [31:0]             s_axil_rdata_o,
  output logic [1:0]              s_axil_rresp_o,
  // AXI4 master: host memory
  output logic                    m_axi_awvalid_o,
  input  logic                    m_axi_awready_i,
  output logic [IdWidth-1:0]      m_axi_awid_o,
  output logic [AddrWidth-1:0]    m_axi_awaddr_o,
  output logic [7:0]              m_axi_awlen_o,
  output logic [2:0]              m_axi_awsize_o,
  output logic [1:0]              m_axi_awburst_o,
  output logic [3:0]              m_axi_awcache_o,
  output logic [2:0]              m_axi_awprot_o,
  output logic                    m_axi_wvalid_o,
  input  logic                    m_axi_wready_i,
  output logic [BusWidth-1:0]     m_axi_wdata_o,
  output logic [BusBytes-1:0]     m_axi_wstrb_o,
  output logic                    m_axi_wlast_o,
  input  logic                    m_axi_bvalid_i,
  output logic                    m_axi_bready_o,
  input  logic [IdWidth-1:0]      m_axi_bid_i,
  input  logic [1:0]              m_axi_bresp_i,
  output logic                    m_axi_arvalid_o,
  input  logic                    m_axi_arready_i,
  output logic [IdWidth-1:0]      m_axi_arid_o,
  output logic [AddrWidth-1:0]    m_axi_araddr_o,
  output logic [7:0]              m_axi_arlen_o,
  output logic [2:0]              m_axi_arsize_o,
  output logic [1:0]              m_axi_arburst_o,
  output logic [3:0]              m_axi_arcache_o,
  output logic [2:0]              m_axi_arprot_o,
  input  logic                    m_axi_rvalid_i,
  output logic                    m_axi_rready_o,
  input  logic [IdWidth-1:0]      m_axi_rid_i,
  input  logic [BusWidth-1:0]     m_axi_rdata_i,
  input  logic [1:0]              m_axi_rresp_i,
  input  logic                    m_axi_rlast_i,
  // Interrupt (level, active high)
  output logic                    irq_o
);

  localparam int SpadLines     = ScratchpadBytes / NumRows;
  localparam int AccLines      = AccumulatorBytes / (4 * NumCols);
  localparam int SpadAddrWidth = tessera_pkg::index_width(SpadLines);
  localparam int AccAddrWidth  = tessera_pkg::index_width(AccLines);
  localparam int QtAddrWidth   = tessera_pkg::index_width(QTableEntries);
  localparam int CmdBits       = tessera_isa_pkg::CommandBits;
  localparam int NumUnits      = tessera_isa_pkg::NumUnits;
  localparam int CountWidth    = $clog2(BusBytes) + 1;
  localparam int DescWidth     = tessera_pkg::DmaDescWidth;
  localparam int NumCounters   = tessera_reg_pkg::NumCounters;
  localparam int EntryBits     = tessera_isa_pkg::QtEntryBits;
  localparam int UnitLoad      = tessera_isa_pkg::UnitLoad;
  localparam int UnitCompute   = tessera_isa_pkg::UnitCompute;
  localparam int UnitStore     = tessera_isa_pkg::UnitStore;

  // ---- Registers --------------------------------------------------------------------------
  logic                      enable, soft_reset, counter_clear;
  logic [63:0]               ring_base, window_base, window_limit;
  logic [31:0]               ring_size, ring_tail, ring_head;
  logic                      engine_busy, engine_error, event_fence, event_error;
  logic [7:0]                error_code;
  logic [31:0]               error_index;
  logic [NumCounters*64-1:0] counters;

  tessera_regs #(
    .NumRows         (NumRows),
    .NumCols         (NumCols),
    .ScratchpadBytes (ScratchpadBytes),
    .AccumulatorBytes(AccumulatorBytes),
    .BusWidth        (BusWidth),
    .IsaVersion      (tessera_isa_pkg::IsaVersion),
    .QTableEntries   (QTableEntries)
  ) u_regs (
    .clk_i,
    .rst_ni,
    .s_axil_awvalid_i,
    .s_axil_awready_o,
    .s_axil_awaddr_i,
    .s_axil_wvalid_i,
    .s_axil_wready_o,
    .s_axil_wdata_i,
    .s_axil_wstrb_i,
    .s_axil_bvalid_o,
    .s_axil_bready_i,
    .s_axil_bresp_o,
    .s_axil_arvalid_i,
    .s_axil_arready_o,
    .s_axil_araddr_i,
    .s_axil_rvalid_o,
    .s_axil_rready_i,
    .s_axil_rdata_o,
    .s_axil_rresp_o,
    .busy_i         (engine_busy),
    .error_i        (engine_error),
    .error_code_i   (error_code),
    .error_index_i  (error_index),
    .ring_head_i    (ring_head),
    .event_fence_i  (event_fence),
    .event_error_i  (event_error),
    .counters_i     (counters),
    .enable_o       (enable),
    .soft_reset_o   (soft_reset),
    .ring_base_o    (ring_base),
    .ring_size_o    (ring_size),
    .ring_tail_o    (ring_tail),
    .window_base_o  (window_base),
    .window_limit_o (window_limit),
    .counter_clear_o(counter_clear),
    .irq_o
  );

  // ---- DMA port: read clients {load, fetch}, write clients {fence, store} ----------------
  logic [1:0]             rd_desc_valid, rd_desc_ready, rd_valid, rd_ready;
  logic [2*DescWidth-1:0] rd_desc;
  logic [BusWidth-1:0]    rd_data;
  logic [CountWidth-1:0]  rd_bytes;
  logic                   rd_row_last, rd_last;
  logic [2:0]             rd_error;
  logic [1:0]             wr_desc_valid, wr_desc_ready, wr_valid, wr_ready, wr_last;
  logic [1:0]             wr_status_valid, wr_status_ready;
  logic [2*DescWidth-1:0] wr_desc;
  logic [2*BusWidth-1:0]  wr_data;
  logic [2:0]             wr_status_error;
  logic                   dma_rd_idle, dma_wr_idle;
  localparam int RdFetch = 0, RdLoad = 1, WrStore = 0, WrFence = 1;

  tessera_dma_port #(
    .BusWidth(BusWidth),
    .IdWidth (IdWidth)
  ) u_dma_port (
    .clk_i,
    .rst_ni,
    .window_base_i    (window_base),
    .window_limit_i   (window_limit),
    .rd_idle_o        (dma_rd_idle),
    .wr_idle_o        (dma_wr_idle),
    .rd_desc_valid_i  (rd_desc_valid),
    .rd_desc_ready_o  (rd_desc_ready),
    .rd_desc_i        (rd_desc),
    .rd_valid_o       (rd_valid),
    .rd_ready_i       (rd_ready),
    .rd_data_o        (rd_data),
    .rd_bytes_o       (rd_bytes),
    .rd_row_last_o    (rd_row_last),
    .rd_last_o        (rd_last),
    .rd_error_o       (rd_error),
    .wr_desc_valid_i  (wr_desc_valid),
    .wr_desc_ready_o  (wr_desc_ready),
    .wr_desc_i        (wr_desc),
    .wr_valid_i       (wr_valid),
    .wr_ready_o       (wr_ready),
    .wr_data_i        (wr_data),
    .wr_last_i        (wr_last),
    .wr_status_valid_o(wr_status_valid),
    .wr_status_ready_i(wr_status_ready),
    .wr_status_error_o(wr_status_error),
    .m_axi_awvalid_o,
    .m_axi_awready_i,
    .m_axi_awid_o,
    .m_axi_awaddr_o,
    .m_axi_awlen_o,
    .m_axi_awsize_o,
    .m_axi_awburst_o,
    .m_axi_awcache_o,
    .m_axi_awprot_o,
    .m_axi_wvalid_o,
    .m_axi_wready_i,
    .m_axi_wdata_o,
    .m_axi_wstrb_o,
    .m_axi_wlast_o,
    .m_axi_bvalid_i,
    .m_axi_bready_o,
    .m_axi_bid_i,
    .m_axi_bresp_i,
    .m_axi_arvalid_o,
    .m_axi_arready_i,
    .m_axi_arid_o,
    .m_axi_araddr_o,
    .m_axi_arlen_o,
    .m_axi_arsize_o,
    .m_axi_arburst_o,
    .m_axi_arcache_o,
    .m_axi_arprot_o,
    .m_axi_rvalid_i,
    .m_axi_rready_o,
    .m_axi_rid_i,
    .m_axi_rdata_i,
    .m_axi_rresp_i,
    .m_axi_rlast_i
  );

  // ---- Command path -----------------------------------------------------------------------
  logic [NumUnits-1:0]         unit_valid, unit_ready, unit_done, unit_idle, unit_stall;
  // A unit's buffers are free (its PUSH_PREV token): the load and compute units at done, the
  // store unit once a STORE has read its accumulator lines.
  logic [NumUnits-1:0]         unit_release;
  assign unit_release[UnitLoad]    = unit_done[UnitLoad];
  assign unit_release[UnitCompute] = unit_done[UnitCompute];
  logic [NumUnits*CmdBits-1:0] unit_cmd;
  logic [NumUnits*8-1:0]       unit_error;
  logic                        fetch_busy, fence_done;

  tessera_cmd_path #(
    .NumRows         (NumRows),
    .NumCols         (NumCols),
    .BusWidth        (BusWidth),
    .ScratchpadLines (SpadLines),
    .AccumulatorLines(AccLines),
    .QTableEntries   (QTableEntries)
  ) u_cmd_path (
    .clk_i,
    .rst_ni,
    .enable_i         (enable),
    .soft_reset_i     (soft_reset),
    .ring_base_i      (ring_base),
    .ring_size_i      (ring_size),
    .ring_tail_i      (ring_tail),
    .ring_head_o      (ring_head),
    .cycles_i         (counters[64*tessera_reg_pkg::CounterCycles +: 64]),
    .dw_busy_i        (counters[64*tessera_reg_pkg::CounterDepthwiseBusy +: 32]),
    .busy_o           (engine_busy),
    .error_o          (engine_error),
    .error_code_o     (error_code),
    .error_index_o    (error_index),
    .event_fence_o    (event_fence),
    .event_error_o    (event_error),
    .fetch_busy_o     (fetch_busy),
    .unit_stall_o     (unit_stall),
    .fence_done_o     (fence_done),
    .rd_desc_valid_o  (rd_desc_valid[RdFetch]),
    .rd_desc_ready_i  (rd_desc_ready[RdFetch]),
    .rd_desc_o        (rd_desc[RdFetch*DescWidth +: DescWidth]),
    .rd_valid_i       (rd_valid[RdFetch]),
    .rd_ready_o       (rd_ready[RdFetch]),
    .rd_data_i        (rd_data),
    .rd_bytes_i       (rd_bytes),
    .rd_row_last_i    (rd_row_last),
    .rd_last_i        (rd_last),
    .rd_error_i       (rd_error),
    .wr_desc_valid_o  (wr_desc_valid[WrFence]),
    .wr_desc_ready_i  (wr_desc_ready[WrFence]),
    .wr_desc_o        (wr_desc[WrFence*DescWidth +: DescWidth]),
    .wr_valid_o       (wr_valid[WrFence]),
    .wr_ready_i       (wr_ready[WrFence]),
    .wr_data_o        (wr_data[WrFence*BusWidth +: BusWidth]),
    .wr_last_o        (wr_last[WrFence]),
    .wr_status_valid_i(wr_status_valid[WrFence]),
    .wr_status_ready_o(wr_status_ready[WrFence]),
    .wr_status_error_i(wr_status_error),
    .dma_idle_i       (dma_rd_idle && dma_wr_idle),
    .unit_valid_o     (unit_valid),
    .unit_ready_i     (unit_ready),
    .unit_cmd_o       (unit_cmd),
    .unit_done_i      (unit_done),
    .unit_release_i   (unit_release),
    .unit_error_i     (unit_error),
    .unit_idle_i      (unit_idle)
  );

  // ---- Buffers ----------------------------------------------------------------------------
  logic                       spad_wr_valid, st_spad_wr_valid, st_spad_wr_ready;
  logic [SpadAddrWidth-1:0]   spad_wr_addr, st_spad_wr_addr;
  logic [8*NumRows-1:0]       spad_wr_data, st_spad_wr_data;
  logic [NumRows-1:0]         spad_wr_strb, st_spad_wr_strb;
  logic                       dw_busy;  // the compute unit's depthwise unit holds a command
  // Scratchpad read ports: activations, weights, the depthwise unit's rows, its second rows,
  // its weights.
  logic [4:0]                 spad_rd_valid, spad_rd_ready, spad_rsp_valid;
  logic [5*SpadAddrWidth-1:0] spad_rd_addr;
  logic [5*8*NumRows-1:0]     spad_rsp_data;
  logic                       cu_acc_valid, cu_acc_add, ld_acc_valid, ld_acc_ready;
  logic                       dw_acc_valid, dw_acc_add;
  logic [AccAddrWidth-1:0]    cu_acc_addr, ld_acc_addr, acc_rd_addr, dw_acc_addr;
  logic [32*NumCols-1:0]      cu_acc_data, ld_acc_data, acc_rsp_data, dw_acc_data;
  logic                       acc_rd_valid, acc_rd_ready, acc_rsp_valid;
  logic                       qt_wr_valid, qt_rd_en;
  logic [QtAddrWidth-1:0]     qt_wr_addr, qt_rd_addr;
  logic [EntryBits-1:0]       qt_wr_data, qt_rd_data;

  tessera_buffers #(
    .NumRows      (NumRows),
    .NumCols      (NumCols),
    .SpadLines    (SpadLines),
    .AccLines     (AccLines),
    .QTableEntries(QTableEntries)
  ) u_buffers (
    .clk_i,
    .rst_ni,
    .spad_wr_valid_i (spad_wr_valid),
    .spad_wr_addr_i  (spad_wr_addr),
    .spad_wr_data_i  (spad_wr_data),
    .spad_wr_strb_i  (spad_wr_strb),
    .st_spad_wr_valid_i(st_spad_wr_valid),
    .st_spad_wr_ready_o(st_spad_wr_ready),
    .st_spad_wr_addr_i (st_spad_wr_addr),
    .st_spad_wr_data_i (st_spad_wr_data),
    .st_spad_wr_strb_i (st_spad_wr_strb),
    .spad_rd_valid_i (spad_rd_valid),
    .spad_rd_ready_o (spad_rd_ready),
    .spad_rd_addr_i  (spad_rd_addr),
    .spad_rsp_valid_o(spad_rsp_valid),
    .spad_rsp_data_o (spad_rsp_data),
    .cu_acc_valid_i  (cu_acc_valid),
    .cu_acc_addr_i   (cu_acc_addr),
    .cu_acc_data_i   (cu_acc_data),
    .cu_acc_add_i    (cu_acc_add),
    .dw_acc_valid_i  (dw_acc_valid),
    .dw_acc_addr_i   (dw_acc_addr),
    .dw_acc_data_i   (dw_acc_data),
    .dw_acc_add_i    (dw_acc_add),
    .ld_acc_valid_i  (ld_acc_valid),
    .ld_acc_ready_o  (ld_acc_ready),
    .ld_acc_addr_i   (ld_acc_addr),
    .ld_acc_data_i   (ld_acc_data),
    .acc_rd_valid_i  (acc_rd_valid),
    .acc_rd_ready_o  (acc_rd_ready),
    .acc_rd_addr_i   (acc_rd_addr),
    .acc_rsp_valid_o (acc_rsp_valid),
    .acc_rsp_data_o  (acc_rsp_data),
    .qt_wr_valid_i   (qt_wr_valid),
    .qt_wr_addr_i    (qt_wr_addr),
    .qt_wr_data_i    (qt_wr_data),
    .qt_rd_en_i      (qt_rd_en),
    .qt_rd_addr_i    (qt_rd_addr),
    .qt_rd_data_o    (qt_rd_data)
  );

  // ---- Units ------------------------------------------------------------------------------
  logic [31:0] macs;

  tessera_load_unit #(
    .NumRows      (NumRows),
    .NumCols      (NumCols),
    .BusWidth     (BusWidth),
    .SpadLines    (SpadLines),
    .AccLines     (AccLines),
    .QTableEntries(QTableEntries)
  ) u_load (
    .clk_i,
    .rst_ni,
    .cmd_valid_i    (unit_valid[UnitLoad]),
    .cmd_ready_o    (unit_ready[UnitLoad]),
    .cmd_i          (unit_cmd[UnitLoad*CmdBits +: CmdBits]),
    .done_o         (unit_done[UnitLoad]),
    .error_o        (unit_error[8*UnitLoad +: 8]),
    .idle_o         (unit_idle[UnitLoad]),
    .rd_desc_valid_o(rd_desc_valid[RdLoad]),
    .rd_desc_ready_i(rd_desc_ready[RdLoad]),
    .rd_desc_o      (rd_desc[RdLoad*DescWidth +: DescWidth]),
    .rd_valid_i     (rd_valid[RdLoad]),
    .rd_ready_o     (rd_ready[RdLoad]),
    .rd_data_i      (rd_data),
    .rd_bytes_i     (rd_bytes),
    .rd_row_last_i  (rd_row_last),
    .rd_last_i      (rd_last),
    .rd_error_i     (rd_error),
    .spad_wr_valid_o(spad_wr_valid),
    .spad_wr_addr_o (spad_wr_addr),
    .spad_wr_data_o (spad_wr_data),
    .spad_wr_strb_o (spad_wr_strb),
    .acc_wr_valid_o (ld_acc_valid),
    .acc_wr_ready_i (ld_acc_ready),
    .acc_wr_addr_o  (ld_acc_addr),
    .acc_wr_data_o  (ld_acc_data),
    .qt_wr_valid_o  (qt_wr_valid),
    .qt_wr_addr_o   (qt_wr_addr),
    .qt_wr_data_o   (qt_wr_data)
  );

  tessera_compute_unit #(
    .NumRows    (NumRows),
    .NumCols    (NumCols),
    .SpadLines  (SpadLines),
    .AccLines   (AccLines),
    .PackedPairs(PackedPairs)
  ) u_compute (
    .clk_i,
    .rst_ni,
    .cmd_valid_i    (unit_valid[UnitCompute]),
    .cmd_ready_o    (unit_ready[UnitCompute]),
    .cmd_i          (unit_cmd[UnitCompute*CmdBits +: CmdBits]),
    .done_o         (unit_done[UnitCompute]),
    .error_o        (unit_error[8*UnitCompute +: 8]),
    .idle_o         (unit_idle[UnitCompute]),
    .dw_busy_o      (dw_busy),
    .macs_o         (macs),
    .act_req_valid_o(spad_rd_valid[0]),
    .act_req_ready_i(spad_rd_ready[0]),
    .act_req_addr_o (spad_rd_addr[0 +: SpadAddrWidth]),
    .act_rsp_valid_i(spad_rsp_valid[0]),
    .act_rsp_data_i (spad_rsp_data[0 +: 8*NumRows]),
    .wgt_req_valid_o(spad_rd_valid[1]),
    .wgt_req_ready_i(spad_rd_ready[1]),
    .wgt_req_addr_o (spad_rd_addr[SpadAddrWidth +: SpadAddrWidth]),
    .wgt_rsp_valid_i(spad_rsp_valid[1]),
    .wgt_rsp_data_i (spad_rsp_data[8*NumRows +: 8*NumRows]),
    .dw_wgt_req_valid_o(spad_rd_valid[4]),
    .dw_wgt_req_ready_i(spad_rd_ready[4]),
    .dw_wgt_req_addr_o (spad_rd_addr[4*SpadAddrWidth +: SpadAddrWidth]),
    .dw_wgt_rsp_valid_i(spad_rsp_valid[4]),
    .dw_wgt_rsp_data_i (spad_rsp_data[4*8*NumRows +: 8*NumRows]),
    .line_req_valid_o(spad_rd_valid[2]),
    .line_req_ready_i(spad_rd_ready[2]),
    .line_req_addr_o (spad_rd_addr[2*SpadAddrWidth +: SpadAddrWidth]),
    .line_rsp_valid_i(spad_rsp_valid[2]),
    .line_rsp_data_i (spad_rsp_data[2*8*NumRows +: 8*NumRows]),
    .pair_req_valid_o(spad_rd_valid[3]),
    .pair_req_ready_i(spad_rd_ready[3]),
    .pair_req_addr_o (spad_rd_addr[3*SpadAddrWidth +: SpadAddrWidth]),
    .pair_rsp_valid_i(spad_rsp_valid[3]),
    .pair_rsp_data_i (spad_rsp_data[3*8*NumRows +: 8*NumRows]),
    .acc_valid_o    (cu_acc_valid),
    .acc_addr_o     (cu_acc_addr),
    .acc_data_o     (cu_acc_data),
    .acc_add_o      (cu_acc_add),
    .dw_acc_valid_o (dw_acc_valid),
    .dw_acc_addr_o  (dw_acc_addr),
    .dw_acc_data_o  (dw_acc_data),
    .dw_acc_add_o   (dw_acc_add)
  );

  tessera_store_unit #(
    .NumRows      (NumRows),
    .NumCols      (NumCols),
    .BusWidth     (BusWidth),
    .SpadLines    (SpadLines),
    .AccLines     (AccLines),
    .QTableEntries(QTableEntries)
  ) u_store (
    .clk_i,
    .rst_ni,
    .cmd_valid_i      (unit_valid[UnitStore]),
    .cmd_ready_o      (unit_ready[UnitStore]),
    .cmd_i            (unit_cmd[UnitStore*CmdBits +: CmdBits]),
    .done_o           (unit_done[UnitStore]),
    .release_o        (unit_release[UnitStore]),
    .error_o          (unit_error[8*UnitStore +: 8]),
    .idle_o           (unit_idle[UnitStore]),
    .qt_rd_en_o       (qt_rd_en),
    .qt_rd_addr_o     (qt_rd_addr),
    .qt_rd_data_i     (qt_rd_data),
    .qt_written_i     (qt_wr_valid),
    .acc_req_valid_o  (acc_rd_valid),
    .acc_req_ready_i  (acc_rd_ready),
    .acc_req_addr_o   (acc_rd_addr),
    .acc_rsp_valid_i  (acc_rsp_valid),
    .acc_rsp_data_i   (acc_rsp_data),
    .wr_desc_valid_o  (wr_desc_valid[WrStore]),
    .wr_desc_ready_i  (wr_desc_ready[WrStore]),
    .wr_desc_o        (wr_desc[WrStore*DescWidth +: DescWidth]),
    .wr_valid_o       (wr_valid[WrStore]),
    .wr_ready_i       (wr_ready[WrStore]),
    .wr_data_o        (wr_data[WrStore*BusWidth +: BusWidth]),
    .wr_last_o        (wr_last[WrStore]),
    .wr_status_valid_i(wr_status_valid[WrStore]),
    .wr_status_ready_o(wr_status_ready[WrStore]),
    .wr_status_error_i(wr_status_error),
    .spad_wr_valid_o  (st_spad_wr_valid),
    .spad_wr_ready_i  (st_spad_wr_ready),
    .spad_wr_addr_o   (st_spad_wr_addr),
    .spad_wr_data_o   (st_spad_wr_data),
    .spad_wr_strb_o   (st_spad_wr_strb)
  );

  // ---- Performance counters ---------------------------------------------------------------
  tessera_perf_events #(
    .BusWidth(BusWidth)
  ) u_perf (
    .clk_i,
    .rst_ni,
    .clr_i       (counter_clear),
    .enable_i    (enable),
    .fetch_busy_i(fetch_busy),
    .unit_idle_i (unit_idle),
    .dw_busy_i   (dw_busy),
    .unit_done_i (unit_done),
    .unit_stall_i(unit_stall),
    .macs_i      (macs),
    .fence_done_i(fence_done),
    .rd_idle_i   (dma_rd_idle),
    .wr_idle_i   (dma_wr_idle),
    .axi_r_fire_i(m_axi_rvalid_i && m_axi_rready_o),
    .axi_w_fire_i(m_axi_wvalid_o && m_axi_wready_i),
    .axi_w_strb_i(m_axi_wstrb_o),
    .axi_b_fire_i(m_axi_bvalid_i && m_axi_bready_o),
    .counters_o  (counters)
  );

  // Unused: the AXI4-Lite protection bits.
  logic unused_bits;
  assign unused_bits = ^{s_axil_awprot_i, s_axil_arprot_i};

  // ---- Parameter checks and assertions ----------------------------------------------------
  if ((NumRows & (NumRows - 1)) != 0 || (NumCols & (NumCols - 1)) != 0) begin : g_bad_shape
    $error("tessera_top: NumRows and NumCols must be powers of two");
  end
  if (BusWidth != 64 && BusWidth != 128 && BusWidth != 256 && BusWidth != 512) begin : g_bad_bus
    $error("tessera_top: BusWidth must be 64, 128, 256 or 512");
  end

  // The AXI4 rules every burst keeps, and the engine's own: inside the DMA window.
  localparam logic [2:0] BusSize = 3'($clog2(BusBytes));
  logic [12:0] ar_end, aw_end;  // one past the burst's last byte, within its 4 KiB page
  assign ar_end = 13'(m_axi_araddr_o[11:0]) + (13'(m_axi_arlen_o) + 13'd1) * 13'(BusBytes);
  assign aw_end = 13'(m_axi_awaddr_o[11:0]) + (13'(m_axi_awlen_o) + 13'd1) * 13'(BusBytes);
  `TESSERA_ASSERT(AxiReadIsIncr_A, m_axi_arvalid_o |-> m_axi_arburst_o == 2'b01 &&
                  m_axi_arsize_o == BusSize, clk_i, rst_ni)
  `TESSERA_ASSERT(AxiWriteIsIncr_A, m_axi_awvalid_o |-> m_axi_awburst_o == 2'b01 &&
                  m_axi_awsize_o == BusSize, clk_i, rst_ni)
  `TESSERA_ASSERT(AxiReadWithinPage_A, m_axi_arvalid_o |-> ar_end <= 13'd4096, clk_i, rst_ni)
  `TESSERA_ASSERT(AxiWriteWithinPage_A, m_axi_awvalid_o |-> aw_end <= 13'd4096, clk_i, rst_ni)
  `TESSERA_ASSERT(AxiReadInWindow_A, m_axi_arvalid_o |-> m_axi_araddr_o >= (window_base &
                  ~(64'(BusBytes) - 64'd1)) && m_axi_araddr_o <= window_limit, clk_i, rst_ni)
  `TESSERA_ASSERT(AxiWriteInWindow_A, m_axi_awvalid_o |-> m_axi_awaddr_o >= (window_base &
                  ~(64'(BusBytes) - 64'd1)) && m_axi_awaddr_o <= window_limit, clk_i, rst_ni)

endmodule
