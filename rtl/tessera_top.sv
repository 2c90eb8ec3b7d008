// tessera_top: the Tessera engine - what a host drives through registers and a command ring.
//
// Function:   tessera_regs (AXI4-Lite) configures the engine; tessera_cmd_fetch reads the
//             command ring; tessera_dispatch checks each command and queues it for the load,
//             compute or store unit, behind a tessera_dep_gate that enforces its dependency
//             tokens (tessera_token_counter per direction); FENCE is done by the dispatcher.
//             The fetcher and the load unit share the DMA read engine, the store unit and
//             the fences share the write engine (tessera_dma_share), on one AXI4 master port.
//             The buffers: the scratchpad (load writes; compute reads activations and
//             weights), the accumulator (compute accumulates with priority, load writes bias
//             when the port is free; store reads) and the quantization table (load writes,
//             store reads). A failure anywhere stops the engine with its code and the failing
//             command's ring index and raises the error interrupt.
// Soft reset: SOFT_RESET stops issuing work, waits until both DMA engines and every unit are
//             idle (the AXI protocol is never cut mid-burst), then clears the fetcher, the
//             dispatcher, the unit queues and gates and the tokens; RING_HEAD becomes
//             RING_TAIL. Registers keep their values.
// Timing:     see the blocks; the engine adds one register between dispatcher and queues.
`include "tessera_assert.svh"

module tessera_top #(
  parameter int NumRows          = tessera_pkg::DefaultNumRows,
  parameter int NumCols          = tessera_pkg::DefaultNumCols,
  parameter int BusWidth         = 128,
  parameter int ScratchpadBytes  = 256 * 1024,
  parameter int AccumulatorBytes = 64 * 1024,
  parameter int QTableEntries    = 1024,
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
  localparam int QueueWidth    = CmdBits + 32;  // command and its ring index
  localparam int CountWidth    = $clog2(BusBytes) + 1;
  localparam int DescWidth     = AddrWidth + 24 + 16 + AddrWidth;
  localparam int NumCounters   = tessera_reg_pkg::NumCounters;

  // =======================================================================================
  // Registers
  // =======================================================================================
  logic                    enable, soft_reset, counter_clear;
  logic [63:0]             ring_base, window_base, window_limit;
  logic [31:0]             ring_size, ring_tail, ring_head;
  logic                    engine_busy, engine_error, event_fence, event_error;
  logic [7:0]              error_code;
  logic [31:0]             error_index;
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

  // =======================================================================================
  // Soft reset: stop issuing, drain, then clear
  // =======================================================================================
  logic sr_pending_q, engine_clr, engine_idle;
  logic rd_engine_idle, wr_engine_idle, fetch_busy;
  logic load_idle, compute_idle, store_idle;

  assign engine_idle = rd_engine_idle && wr_engine_idle && !fetch_busy && load_idle &&
                       compute_idle && store_idle;
  assign engine_clr  = sr_pending_q && engine_idle;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni)           sr_pending_q <= 1'b0;
    else if (soft_reset)   sr_pending_q <= 1'b1;
    else if (engine_clr)   sr_pending_q <= 1'b0;
  end

  // =======================================================================================
  // DMA engine and its two shared halves
  // =======================================================================================
  // Read engine: client 0 the fetcher, client 1 the load unit.
  logic                  rd_desc_valid, rd_desc_ready;
  logic [DescWidth-1:0]  rd_desc;
  logic                  rd_valid, rd_ready, rd_row_last, rd_last;
  logic [BusWidth-1:0]   rd_data;
  logic [CountWidth-1:0] rd_bytes;
  logic [2:0]            rd_error;
  logic [1:0]            rdc_desc_valid, rdc_desc_ready, rdc_valid, rdc_ready;
  logic [2*DescWidth-1:0] rdc_desc;
  logic [1:0]            unused_rd_back_ready, unused_rd_back;  // the read engine takes no data

  // Write engine: client 0 the store unit, client 1 the dispatcher's fences.
  logic                  wr_desc_valid, wr_desc_ready, wr_valid, wr_ready, wr_last;
  logic [DescWidth-1:0]  wr_desc;
  logic [BusWidth-1:0]   wr_data;
  logic                  wr_status_valid, wr_status_ready;
  logic [2:0]            wr_status_error;
  logic [1:0]            wrc_desc_valid, wrc_desc_ready, wrc_valid, wrc_ready;
  logic [1:0]            wrc_status_valid, wrc_status_ready;
  logic [2*DescWidth-1:0] wrc_desc;
  logic [2*(BusWidth+1)-1:0] wrc_data;

  tessera_dma_share #(
    .DescWidth(DescWidth),
    .BackWidth(1)
  ) u_rd_share (
    .clk_i,
    .rst_ni,
    .desc_valid_i    (rdc_desc_valid),
    .desc_ready_o    (rdc_desc_ready),
    .desc_i          (rdc_desc),
    .fwd_valid_o     (rdc_valid),
    .fwd_ready_i     (rdc_ready),
    .back_valid_i    (2'b00),
    .back_ready_o    (unused_rd_back_ready),
    .back_i          (2'b00),
    .eng_desc_valid_o(rd_desc_valid),
    .eng_desc_ready_i(rd_desc_ready),
    .eng_desc_o      (rd_desc),
    .eng_fwd_valid_i (rd_valid),
    .eng_fwd_ready_o (rd_ready),
    .eng_fwd_end_i   (rd_last),
    .eng_back_valid_o(unused_rd_back[1]),
    .eng_back_ready_i(1'b0),
    .eng_back_o      (unused_rd_back[0])
  );

  logic [BusWidth:0] wr_beat;
  tessera_dma_share #(
    .DescWidth(DescWidth),
    .BackWidth(BusWidth + 1)
  ) u_wr_share (
    .clk_i,
    .rst_ni,
    .desc_valid_i    (wrc_desc_valid),
    .desc_ready_o    (wrc_desc_ready),
    .desc_i          (wrc_desc),
    .fwd_valid_o     (wrc_status_valid),
    .fwd_ready_i     (wrc_status_ready),
    .back_valid_i    (wrc_valid),
    .back_ready_o    (wrc_ready),
    .back_i          (wrc_data),
    .eng_desc_valid_o(wr_desc_valid),
    .eng_desc_ready_i(wr_desc_ready),
    .eng_desc_o      (wr_desc),
    .eng_fwd_valid_i (wr_status_valid),
    .eng_fwd_ready_o (wr_status_ready),
    .eng_fwd_end_i   (1'b1),
    .eng_back_valid_o(wr_valid),
    .eng_back_ready_i(wr_ready),
    .eng_back_o      (wr_beat)
  );
  assign {wr_last, wr_data} = wr_beat;

  tessera_dma #(
    .DataWidth(BusWidth),
    .IdWidth  (IdWidth),
    .MaxOutstanding(32)
  ) u_dma (
    .clk_i,
    .rst_ni,
    .window_base_i      (window_base),
    .window_limit_i     (window_limit),
    .rd_desc_valid_i    (rd_desc_valid),
    .rd_desc_ready_o    (rd_desc_ready),
    .rd_desc_addr_i     (rd_desc[DescWidth-1 -: AddrWidth]),
    .rd_desc_row_bytes_i(rd_desc[AddrWidth+16 +: 24]),
    .rd_desc_rows_i     (rd_desc[AddrWidth +: 16]),
    .rd_desc_stride_i   (rd_desc[0 +: AddrWidth]),
    .rd_valid_o         (rd_valid),
    .rd_ready_i         (rd_ready),
    .rd_data_o          (rd_data),
    .rd_bytes_o         (rd_bytes),
    .rd_row_last_o      (rd_row_last),
    .rd_last_o          (rd_last),
    .rd_error_o         (rd_error),
    .wr_desc_valid_i    (wr_desc_valid),
    .wr_desc_ready_o    (wr_desc_ready),
    .wr_desc_addr_i     (wr_desc[DescWidth-1 -: AddrWidth]),
    .wr_desc_row_bytes_i(wr_desc[AddrWidth+16 +: 24]),
    .wr_desc_rows_i     (wr_desc[AddrWidth +: 16]),
    .wr_desc_stride_i   (wr_desc[0 +: AddrWidth]),
    .wr_valid_i         (wr_valid),
    .wr_ready_o         (wr_ready),
    .wr_data_i          (wr_data),
    .wr_last_i          (wr_last),
    .wr_status_valid_o  (wr_status_valid),
    .wr_status_ready_i  (wr_status_ready),
    .wr_status_error_o  (wr_status_error),
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
  assign rd_engine_idle = rd_desc_ready;
  assign wr_engine_idle = wr_desc_ready;

  // =======================================================================================
  // Fetch and dispatch
  // =======================================================================================
  logic               fcmd_valid, fcmd_ready, fetch_error;
  logic [CmdBits-1:0] fcmd;
  logic [31:0]        fcmd_index, fetch_error_index;
  logic [7:0]         fetch_error_code;

  tessera_cmd_fetch #(
    .BusWidth(BusWidth)
  ) u_fetch (
    .clk_i,
    .rst_ni,
    .clr_i              (engine_clr),
    .enable_i           (enable && !sr_pending_q),
    .ring_base_i        (ring_base),
    .ring_size_i        (ring_size),
    .ring_tail_i        (ring_tail),
    .head_o             (ring_head),
    .rd_desc_valid_o    (rdc_desc_valid[0]),
    .rd_desc_ready_i    (rdc_desc_ready[0]),
    .rd_desc_addr_o     (rdc_desc[DescWidth-1 -: AddrWidth]),
    .rd_desc_row_bytes_o(rdc_desc[AddrWidth+16 +: 24]),
    .rd_desc_rows_o     (rdc_desc[AddrWidth +: 16]),
    .rd_desc_stride_o   (rdc_desc[0 +: AddrWidth]),
    .rd_valid_i         (rdc_valid[0]),
    .rd_ready_o         (rdc_ready[0]),
    .rd_data_i          (rd_data),
    .rd_bytes_i         (rd_bytes),
    .rd_row_last_i      (rd_row_last),
    .rd_last_i          (rd_last),
    .rd_error_i         (rd_error),
    .cmd_valid_o        (fcmd_valid),
    .cmd_ready_i        (fcmd_ready),
    .cmd_o              (fcmd),
    .cmd_index_o        (fcmd_index),
    .busy_o             (fetch_busy),
    .error_o            (fetch_error),
    .error_code_o       (fetch_error_code),
    .error_index_o      (fetch_error_index)
  );

  logic [2:0]         q_push, q_push_ready, q_valid, q_ready;
  logic [CmdBits-1:0] dispatch_cmd;
  logic [31:0]        dispatch_index;
  logic               units_idle, unit_error, dispatch_busy, fence_done;
  logic [7:0]         unit_error_code;
  logic [31:0]        unit_error_index;
  logic [3*QueueWidth-1:0] q_data;

  tessera_dispatch #(
    .NumRows         (NumRows),
    .NumCols         (NumCols),
    .ScratchpadLines (SpadLines),
    .AccumulatorLines(AccLines),
    .QTableEntries   (QTableEntries),
    .BusWidth        (BusWidth)
  ) u_dispatch (
    .clk_i,
    .rst_ni,
    .clr_i              (engine_clr),
    .cmd_valid_i        (fcmd_valid && !sr_pending_q),
    .cmd_ready_o        (fcmd_ready),
    .cmd_i              (fcmd),
    .cmd_index_i        (fcmd_index),
    .unit_valid_o       (q_push),
    .unit_ready_i       (q_push_ready),
    .unit_cmd_o         (dispatch_cmd),
    .unit_index_o       (dispatch_index),
    .units_idle_i       (units_idle),
    .unit_error_i       (unit_error),
    .unit_error_code_i  (unit_error_code),
    .unit_error_index_i (unit_error_index),
    .wr_desc_valid_o    (wrc_desc_valid[1]),
    .wr_desc_ready_i    (wrc_desc_ready[1]),
    .wr_desc_addr_o     (wrc_desc[DescWidth + DescWidth-1 -: AddrWidth]),
    .wr_desc_row_bytes_o(wrc_desc[DescWidth + AddrWidth+16 +: 24]),
    .wr_desc_rows_o     (wrc_desc[DescWidth + AddrWidth +: 16]),
    .wr_desc_stride_o   (wrc_desc[DescWidth +: AddrWidth]),
    .wr_valid_o         (wrc_valid[1]),
    .wr_ready_i         (wrc_ready[1]),
    .wr_data_o          (wrc_data[(BusWidth+1) +: BusWidth]),
    .wr_last_o          (wrc_data[2*(BusWidth+1)-1]),
    .wr_status_valid_i  (wrc_status_valid[1]),
    .wr_status_ready_o  (wrc_status_ready[1]),
    .wr_status_error_i  (wr_status_error),
    .busy_o             (dispatch_busy),
    .error_o            (engine_error),
    .error_code_o       (error_code),
    .error_index_o      (error_index),
    .event_fence_o      (event_fence),
    .event_error_o      (event_error),
    .fence_done_o       (fence_done)
  );

  // Unit queues (0 load, 1 compute, 2 store), each command with its ring index.
  for (genvar u = 0; u < 3; u++) begin : g_queue
    tessera_fifo #(
      .Width(QueueWidth),
      .Depth(4)
    ) u_queue (
      .clk_i,
      .rst_ni,
      .clr_i     (engine_clr),
      .wr_valid_i(q_push[u]),
      .wr_ready_o(q_push_ready[u]),
      .wr_data_i ({dispatch_index, dispatch_cmd}),
      .rd_valid_o(q_valid[u]),
      .rd_ready_i(q_ready[u]),
      .rd_data_o (q_data[u*QueueWidth +: QueueWidth])
    );
  end

  // =======================================================================================
  // Dependency tokens and gates
  // =======================================================================================
  logic l2c_avail, c2l_avail, c2s_avail, s2c_avail;
  logic l2c_push, c2l_push, c2s_push, s2c_push;
  logic l2c_pop, c2l_pop, c2s_pop, s2c_pop;
  logic [2:0]          g_valid, g_ready, g_done, g_stall;
  logic [3*CmdBits-1:0] g_cmd;
  logic [3*32-1:0]      g_tag;
  logic [3:0]           unused_gate_ports;

  tessera_token_counter u_l2c (.clk_i, .rst_ni, .clr_i(engine_clr), .push_i(l2c_push),
                               .pop_i(l2c_pop), .avail_o(l2c_avail));
  tessera_token_counter u_c2l (.clk_i, .rst_ni, .clr_i(engine_clr), .push_i(c2l_push),
                               .pop_i(c2l_pop), .avail_o(c2l_avail));
  tessera_token_counter u_c2s (.clk_i, .rst_ni, .clr_i(engine_clr), .push_i(c2s_push),
                               .pop_i(c2s_pop), .avail_o(c2s_avail));
  tessera_token_counter u_s2c (.clk_i, .rst_ni, .clr_i(engine_clr), .push_i(s2c_push),
                               .pop_i(s2c_pop), .avail_o(s2c_avail));

  // Neighbours: load has only a next (compute), store only a previous (compute).
  logic [2:0] prev_avail, next_avail, prev_pop, next_pop, prev_push, next_push;
  assign prev_avail = {c2s_avail, l2c_avail, 1'b0};
  assign next_avail = {1'b0, s2c_avail, c2l_avail};
  assign l2c_pop = prev_pop[1];
  assign c2s_pop = prev_pop[2];
  assign c2l_pop = next_pop[0];
  assign s2c_pop = next_pop[1];
  assign c2l_push = prev_push[1];
  assign s2c_push = prev_push[2];
  assign l2c_push = next_push[0];
  assign c2s_push = next_push[1];
  assign unused_gate_ports = {prev_pop[0], next_pop[2], prev_push[0], next_push[2]};

  for (genvar u = 0; u < 3; u++) begin : g_gate
    logic [CmdBits-1:0] head_cmd;
    logic [31:0]        head_index;
    assign {head_index, head_cmd} = q_data[u*QueueWidth +: QueueWidth];

    tessera_dep_gate #(
      .PayloadWidth(CmdBits),
      .TagWidth    (32)
    ) u_gate (
      .clk_i,
      .rst_ni,
      .clr_i        (engine_clr),
      .in_valid_i   (q_valid[u] && !sr_pending_q),
      .in_ready_o   (q_ready[u]),
      .in_deps_i    (head_cmd[tessera_isa_pkg::HdrDepsLsb +: 4]),
      .in_payload_i (head_cmd),
      .in_tag_i     (head_index),
      .out_valid_o  (g_valid[u]),
      .out_ready_i  (g_ready[u]),
      .out_payload_o(g_cmd[u*CmdBits +: CmdBits]),
      .done_i       (g_done[u]),
      .done_tag_o   (g_tag[u*32 +: 32]),
      .prev_avail_i (prev_avail[u]),
      .prev_pop_o   (prev_pop[u]),
      .next_avail_i (next_avail[u]),
      .next_pop_o   (next_pop[u]),
      .prev_push_o  (prev_push[u]),
      .next_push_o  (next_push[u]),
      .stall_o      (g_stall[u])
    );
  end

  assign units_idle = !(|q_valid) && load_idle && compute_idle && store_idle;

  // =======================================================================================
  // Buffers
  // =======================================================================================
  logic                     spad_wr_valid;
  logic [SpadAddrWidth-1:0] spad_wr_addr;
  logic [8*NumRows-1:0]     spad_wr_data;
  logic [1:0]               spad_rd_valid, spad_rd_ready, spad_rsp_valid;
  logic [2*SpadAddrWidth-1:0] spad_rd_addr;
  logic [2*8*NumRows-1:0]   spad_rsp_data;
  logic                     unused_spad_wr_ready;

  tessera_scratchpad #(
    .LineBytes(NumRows),
    .Lines    (SpadLines)
  ) u_scratchpad (
    .clk_i,
    .rst_ni,
    .wr_valid_i    (spad_wr_valid),
    .wr_ready_o    (unused_spad_wr_ready),
    .wr_addr_i     (spad_wr_addr),
    .wr_data_i     (spad_wr_data),
    .wr_strb_i     ('1),
    .rd_req_valid_i(spad_rd_valid),
    .rd_req_ready_o(spad_rd_ready),
    .rd_req_addr_i (spad_rd_addr),
    .rd_rsp_valid_o(spad_rsp_valid),
    .rd_rsp_data_o (spad_rsp_data)
  );

  logic                    cu_acc_valid, cu_acc_add, ld_acc_valid, ld_acc_ready;
  logic [AccAddrWidth-1:0] cu_acc_addr, ld_acc_addr;
  logic [32*NumCols-1:0]   cu_acc_data, ld_acc_data;
  logic                    acc_rd_valid, acc_rd_ready, acc_rsp_valid, unused_acc_ready;
  logic [AccAddrWidth-1:0] acc_rd_addr;
  logic [32*NumCols-1:0]   acc_rsp_data;

  // The compute unit's results cannot wait: it has the accumulator port first.
  assign ld_acc_ready = !cu_acc_valid;

  tessera_accumulator #(
    .Lanes(NumCols),
    .Lines(AccLines)
  ) u_accumulator (
    .clk_i,
    .rst_ni,
    .acc_valid_i   (cu_acc_valid || ld_acc_valid),
    .acc_ready_o   (unused_acc_ready),
    .acc_addr_i    (cu_acc_valid ? cu_acc_addr : ld_acc_addr),
    .acc_data_i    (cu_acc_valid ? cu_acc_data : ld_acc_data),
    .acc_add_i     (cu_acc_valid && cu_acc_add),
    .rd_req_valid_i(acc_rd_valid),
    .rd_req_ready_o(acc_rd_ready),
    .rd_req_addr_i (acc_rd_addr),
    .rd_rsp_valid_o(acc_rsp_valid),
    .rd_rsp_data_o (acc_rsp_data)
  );

  logic                   qt_wr_valid, qt_rd_en;
  logic [QtAddrWidth-1:0] qt_wr_addr, qt_rd_addr;
  logic [127:0]           qt_wr_data, qt_rd_data;

  tessera_ram #(
    .Width    (128),
    .Depth    (QTableEntries),
    .ByteWidth(128)
  ) u_qtable (
    .clk_i,
    .wr_en_i  (qt_wr_valid),
    .wr_addr_i(qt_wr_addr),
    .wr_data_i(qt_wr_data),
    .wr_strb_i(1'b1),
    .rd_en_i  (qt_rd_en),
    .rd_addr_i(qt_rd_addr),
    .rd_data_o(qt_rd_data)
  );

  // =======================================================================================
  // Units
  // =======================================================================================
  logic [CmdBits-1:0] ld_cmd, cu_cmd, st_cmd;
  assign ld_cmd = g_cmd[0 +: CmdBits];
  assign cu_cmd = g_cmd[CmdBits +: CmdBits];
  assign st_cmd = g_cmd[2*CmdBits +: CmdBits];

  logic       ld_done, cu_done, st_done;
  logic [7:0] ld_error, st_error;
  logic [1:0] ld_dest;
  assign ld_dest = ld_cmd[tessera_isa_pkg::HdrModeLsb + tessera_isa_pkg::LoadModeToAccumulatorBit]
                   ? 2'd1
                   : ld_cmd[tessera_isa_pkg::HdrModeLsb + tessera_isa_pkg::LoadModeToQtableBit]
                   ? 2'd2 : 2'd0;

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
    .cmd_valid_i        (g_valid[0]),
    .cmd_ready_o        (g_ready[0]),
    .cmd_dest_i         (ld_dest),
    .cmd_fill_i         (ld_cmd[tessera_isa_pkg::HdrModeLsb + tessera_isa_pkg::LoadModeFillBit]),
    .cmd_fill_value_i   (ld_cmd[tessera_isa_pkg::LoadFillValueLsb +: 8]),
    .cmd_dram_addr_i    (ld_cmd[tessera_isa_pkg::LoadDramAddrLsb +: 64]),
    .cmd_row_bytes_i    (ld_cmd[tessera_isa_pkg::LoadRowBytesLsb +: 24]),
    .cmd_rows_i         (ld_cmd[tessera_isa_pkg::LoadRowsLsb +: 16]),
    .cmd_dram_stride_i  (ld_cmd[tessera_isa_pkg::LoadDramStrideLsb +: 64]),
    .cmd_sram_line_i    (ld_cmd[tessera_isa_pkg::LoadSramLineLsb +: 32]),
    .cmd_sram_stride_i  (ld_cmd[tessera_isa_pkg::LoadSramStrideLsb +: 32]),
    .done_o             (ld_done),
    .error_o            (ld_error),
    .idle_o             (load_idle),
    .rd_desc_valid_o    (rdc_desc_valid[1]),
    .rd_desc_ready_i    (rdc_desc_ready[1]),
    .rd_desc_addr_o     (rdc_desc[DescWidth + DescWidth-1 -: AddrWidth]),
    .rd_desc_row_bytes_o(rdc_desc[DescWidth + AddrWidth+16 +: 24]),
    .rd_desc_rows_o     (rdc_desc[DescWidth + AddrWidth +: 16]),
    .rd_desc_stride_o   (rdc_desc[DescWidth +: AddrWidth]),
    .rd_valid_i         (rdc_valid[1]),
    .rd_ready_o         (rdc_ready[1]),
    .rd_data_i          (rd_data),
    .rd_bytes_i         (rd_bytes),
    .rd_row_last_i      (rd_row_last),
    .rd_last_i          (rd_last),
    .rd_error_i         (rd_error),
    .spad_wr_valid_o    (spad_wr_valid),
    .spad_wr_addr_o     (spad_wr_addr),
    .spad_wr_data_o     (spad_wr_data),
    .acc_wr_valid_o     (ld_acc_valid),
    .acc_wr_ready_i     (ld_acc_ready),
    .acc_wr_addr_o      (ld_acc_addr),
    .acc_wr_data_o      (ld_acc_data),
    .qt_wr_valid_o      (qt_wr_valid),
    .qt_wr_addr_o       (qt_wr_addr),
    .qt_wr_data_o       (qt_wr_data)
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
    .cmd_valid_i     (g_valid[1]),
    .cmd_ready_o     (g_ready[1]),
    .cmd_act_line_i  (cu_cmd[tessera_isa_pkg::ComputeActLineLsb +: SpadAddrWidth]),
    .cmd_act_stride_i(cu_cmd[tessera_isa_pkg::ComputeActStrideLsb +: 32]),
    .cmd_vectors_i   (cu_cmd[tessera_isa_pkg::ComputeVectorsLsb +: 16]),
    .cmd_act_rows_i  (cu_cmd[tessera_isa_pkg::ComputeActRowsLsb +: 16]),
    .cmd_act_row_stride_i(cu_cmd[tessera_isa_pkg::ComputeActRowStrideLsb +: 32]),
    .cmd_wgt_line_i  (cu_cmd[tessera_isa_pkg::ComputeWgtLineLsb +: SpadAddrWidth]),
    .cmd_acc_line_i  (cu_cmd[tessera_isa_pkg::ComputeAccLineLsb +: AccAddrWidth]),
    .cmd_accumulate_i(cu_cmd[tessera_isa_pkg::HdrModeLsb +
                             tessera_isa_pkg::ComputeModeAccumulateBit]),
    .done_o          (cu_done),
    .idle_o          (compute_idle),
    .act_req_valid_o (spad_rd_valid[0]),
    .act_req_ready_i (spad_rd_ready[0]),
    .act_req_addr_o  (spad_rd_addr[0 +: SpadAddrWidth]),
    .act_rsp_valid_i (spad_rsp_valid[0]),
    .act_rsp_data_i  (spad_rsp_data[0 +: 8*NumRows]),
    .wgt_req_valid_o (spad_rd_valid[1]),
    .wgt_req_ready_i (spad_rd_ready[1]),
    .wgt_req_addr_o  (spad_rd_addr[SpadAddrWidth +: SpadAddrWidth]),
    .wgt_rsp_valid_i (spad_rsp_valid[1]),
    .wgt_rsp_data_i  (spad_rsp_data[8*NumRows +: 8*NumRows]),
    .acc_valid_o     (cu_acc_valid),
    .acc_addr_o      (cu_acc_addr),
    .acc_data_o      (cu_acc_data),
    .acc_add_o       (cu_acc_add)
  );

  tessera_store_unit #(
    .NumCols      (NumCols),
    .BusWidth     (BusWidth),
    .AccLines     (AccLines),
    .QTableEntries(QTableEntries)
  ) u_store (
    .clk_i,
    .rst_ni,
    .cmd_valid_i        (g_valid[2]),
    .cmd_ready_o        (g_ready[2]),
    .cmd_dram_addr_i    (st_cmd[tessera_isa_pkg::StoreDramAddrLsb +: 64]),
    .cmd_rows_i         (st_cmd[tessera_isa_pkg::StoreRowsLsb +: 16]),
    .cmd_acc_line_i     (st_cmd[tessera_isa_pkg::StoreAccLineLsb +: AccAddrWidth]),
    .cmd_dram_stride_i  (st_cmd[tessera_isa_pkg::StoreDramStrideLsb +: 64]),
    .cmd_cols_i         (st_cmd[tessera_isa_pkg::StoreColsLsb +: 16]),
    .cmd_requantize_i   (st_cmd[tessera_isa_pkg::HdrModeLsb +
                                tessera_isa_pkg::StoreModeRequantizeBit]),
    .cmd_per_channel_i  (st_cmd[tessera_isa_pkg::HdrModeLsb +
                                tessera_isa_pkg::StoreModePerChannelBit]),
    .cmd_pool_i         (st_cmd[tessera_isa_pkg::HdrModeLsb + tessera_isa_pkg::StoreModePool2x2Bit]),
    .cmd_pool_width_i   (st_cmd[tessera_isa_pkg::StorePoolWidthLsb +: 16]),
    .cmd_acc_pitch_i    (st_cmd[tessera_isa_pkg::StoreAccPitchLsb +: 16]),
    .cmd_zero_point_i   (st_cmd[tessera_isa_pkg::StoreZeroPointLsb +: 8]),
    .cmd_act_min_i      (st_cmd[tessera_isa_pkg::StoreActMinLsb +: 8]),
    .cmd_act_max_i      (st_cmd[tessera_isa_pkg::StoreActMaxLsb +: 8]),
    .cmd_qparam_entry_i (st_cmd[tessera_isa_pkg::StoreQparamEntryLsb +: QtAddrWidth]),
    .done_o             (st_done),
    .error_o            (st_error),
    .idle_o             (store_idle),
    .qt_rd_en_o         (qt_rd_en),
    .qt_rd_addr_o       (qt_rd_addr),
    .qt_rd_data_i       (qt_rd_data),
    .acc_req_valid_o    (acc_rd_valid),
    .acc_req_ready_i    (acc_rd_ready),
    .acc_req_addr_o     (acc_rd_addr),
    .acc_rsp_valid_i    (acc_rsp_valid),
    .acc_rsp_data_i     (acc_rsp_data),
    .wr_desc_valid_o    (wrc_desc_valid[0]),
    .wr_desc_ready_i    (wrc_desc_ready[0]),
    .wr_desc_addr_o     (wrc_desc[DescWidth-1 -: AddrWidth]),
    .wr_desc_row_bytes_o(wrc_desc[AddrWidth+16 +: 24]),
    .wr_desc_rows_o     (wrc_desc[AddrWidth +: 16]),
    .wr_desc_stride_o   (wrc_desc[0 +: AddrWidth]),
    .wr_valid_o         (wrc_valid[0]),
    .wr_ready_i         (wrc_ready[0]),
    .wr_data_o          (wrc_data[0 +: BusWidth]),
    .wr_last_o          (wrc_data[BusWidth]),
    .wr_status_valid_i  (wrc_status_valid[0]),
    .wr_status_ready_o  (wrc_status_ready[0]),
    .wr_status_error_i  (wr_status_error)
  );

  assign g_done = {st_done, cu_done, ld_done};

  // Run-time failures: the fetcher's, else the load unit's, else the store unit's (the
  // engine stops at the first; a second in the same cycle is not reported).
  always_comb begin
    unit_error       = 1'b0;
    unit_error_code  = '0;
    unit_error_index = '0;
    if (fetch_error) begin
      unit_error       = 1'b1;
      unit_error_code  = fetch_error_code;
      unit_error_index = fetch_error_index;
    end else if (ld_done && ld_error != tessera_isa_pkg::ErrNone) begin
      unit_error       = 1'b1;
      unit_error_code  = ld_error;
      unit_error_index = g_tag[0 +: 32];
    end else if (st_done && st_error != tessera_isa_pkg::ErrNone) begin
      unit_error       = 1'b1;
      unit_error_code  = st_error;
      unit_error_index = g_tag[64 +: 32];
    end
  end

  assign engine_busy = !engine_idle || dispatch_busy || fcmd_valid || |q_valid || sr_pending_q;

  // =======================================================================================
  // Performance counters (tessera_reg_pkg's Counter* order)
  // =======================================================================================
  logic [NumCounters*32-1:0] inc;
  logic [31:0] macs, wr_bytes;
  logic        r_fire, w_fire, b_fire;
  assign r_fire = m_axi_rvalid_i && m_axi_rready_o;
  assign w_fire = m_axi_wvalid_o && m_axi_wready_i;
  assign b_fire = m_axi_bvalid_i && m_axi_bready_o;
  assign macs   = (g_valid[1] && g_ready[1])
                  ? 32'(cu_cmd[tessera_isa_pkg::ComputeVectorsLsb +: 16]) *
                    32'(cu_cmd[tessera_isa_pkg::ComputeActRowsLsb +: 16]) *
                    32'(cu_cmd[tessera_isa_pkg::ComputeKValidLsb +: 16]) *
                    32'(cu_cmd[tessera_isa_pkg::ComputeNValidLsb +: 16])
                  : '0;
  always_comb begin
    wr_bytes = '0;
    for (int b = 0; b < BusBytes; b++) wr_bytes = wr_bytes + 32'(w_fire && m_axi_wstrb_o[b]);
  end

  always_comb begin
    inc = '0;
    inc[32*tessera_reg_pkg::CounterCycles +: 32]          = 32'(enable);
    inc[32*tessera_reg_pkg::CounterFetchBusy +: 32]       = 32'(fetch_busy);
    inc[32*tessera_reg_pkg::CounterLoadBusy +: 32]        = 32'(!load_idle);
    inc[32*tessera_reg_pkg::CounterComputeBusy +: 32]     = 32'(!compute_idle);
    inc[32*tessera_reg_pkg::CounterStoreBusy +: 32]       = 32'(!store_idle);
    inc[32*tessera_reg_pkg::CounterMacs +: 32]            = macs;
    inc[32*tessera_reg_pkg::CounterDmaReadBytes +: 32]    = r_fire ? 32'(BusBytes) : '0;
    inc[32*tessera_reg_pkg::CounterDmaWriteBytes +: 32]   = wr_bytes;
    inc[32*tessera_reg_pkg::CounterStallDependency +: 32] =
        32'(g_stall[0]) + 32'(g_stall[1]) + 32'(g_stall[2]);
    inc[32*tessera_reg_pkg::CounterStallMemory +: 32]     =
        32'(!rd_engine_idle && !r_fire) + 32'(!wr_engine_idle && !w_fire && !b_fire);
    inc[32*tessera_reg_pkg::CounterCommandsRetired +: 32] =
        32'(ld_done) + 32'(cu_done) + 32'(st_done) + 32'(fence_done);
  end

  tessera_perf_counters u_counters (
    .clk_i,
    .rst_ni,
    .clr_i     (counter_clear),
    .inc_i     (inc),
    .counters_o(counters)
  );

  // Unused: AXI4-Lite protection bits; ports whose value is fixed by construction.
  logic unused_bits;
  assign unused_bits = ^{s_axil_awprot_i, s_axil_arprot_i, unused_rd_back_ready, unused_rd_back,
                         unused_spad_wr_ready, unused_acc_ready, unused_gate_ports, g_tag[32 +: 32],
                         ld_cmd, cu_cmd, st_cmd};

  if ((NumRows & (NumRows - 1)) != 0 || (NumCols & (NumCols - 1)) != 0) begin : g_bad_shape
    $error("tessera_top: NumRows and NumCols must be powers of two");
  end

endmodule
