// SPDX-License-Identifier: Apache-2.0
// tessera_regs: the AXI4-Lite register block (map: rtl/tessera_regs.json, docs/registers.md).
//
// Function:   ID/version and the build's configuration (read-only, from parameters),
//             control, status, interrupts, the command ring, the DMA window and the 64-bit
//             performance counters. Offsets, fields and reset values come from the generated
//             tessera_reg_pkg. Unmapped offsets read 0 and answer SLVERR; writes to them
//             change nothing (SLVERR).
// Semantics:  byte strobes apply to writable registers. INTR_STATUS bits are set by the
//             hardware's event pulses and cleared by writing 1; an event in the same cycle as
//             the clear wins. SOFT_RESET and PERF_CTRL.CLEAR give one-cycle pulses. Reading
//             a counter's low word latches its high word, so low-then-high reads are atomic.
//             irq_o = |(INTR_STATUS & INTR_ENABLE).
// Latency:    a write takes effect and is answered (B) the cycle after both its AW and W
//             have been accepted, which may happen in either order; a read is answered (R)
//             the cycle after its AR. Throughput: one write and one read in flight.
`include "tessera_assert.svh"

module tessera_regs #(
  parameter int NumRows          = tessera_pkg::DefaultNumRows,
  parameter int NumCols          = tessera_pkg::DefaultNumCols,
  parameter int ScratchpadBytes  = 256 * 1024,
  parameter int AccumulatorBytes = 64 * 1024,
  parameter int BusWidth         = 128,
  parameter int IsaVersion       = tessera_isa_pkg::IsaVersion,
  parameter int QTableEntries    = 1024,
  localparam int AddrWidth       = tessera_reg_pkg::RegAddrWidth,
  localparam int NumCounters     = tessera_reg_pkg::NumCounters
) (
  input  logic                      clk_i,
  input  logic                      rst_ni,
  // AXI4-Lite slave
  input  logic                      s_axil_awvalid_i,
  output logic                      s_axil_awready_o,
  input  logic [AddrWidth-1:0]      s_axil_awaddr_i,
  input  logic                      s_axil_wvalid_i,
  output logic                      s_axil_wready_o,
  input  logic [31:0]               s_axil_wdata_i,
  input  logic [3:0]                s_axil_wstrb_i,
  output logic                      s_axil_bvalid_o,
  input  logic                      s_axil_bready_i,
  output logic [1:0]                s_axil_bresp_o,
  input  logic                      s_axil_arvalid_i,
  output logic                      s_axil_arready_o,
  input  logic [AddrWidth-1:0]      s_axil_araddr_i,
  output logic                      s_axil_rvalid_o,
  input  logic                      s_axil_rready_i,
  output logic [31:0]               s_axil_rdata_o,
  output logic [1:0]                s_axil_rresp_o,
  // Engine status and events
  input  logic                      busy_i,
  input  logic                      error_i,
  input  logic [7:0]                error_code_i,
  input  logic [31:0]               error_index_i,
  input  logic [31:0]               ring_head_i,
  input  logic                      event_fence_i,   // pulse: a fence asked for an interrupt
  input  logic                      event_error_i,   // pulse: the engine stopped on an error
  input  logic [NumCounters*64-1:0] counters_i,
  // Engine control
  output logic                      enable_o,
  output logic                      soft_reset_o,    // pulse
  output logic [63:0]               ring_base_o,
  output logic [31:0]               ring_size_o,
  output logic [31:0]               ring_tail_o,
  output logic [63:0]               window_base_o,
  output logic [63:0]               window_limit_o,
  output logic                      counter_clear_o, // pulse
  output logic                      irq_o
);

  localparam logic [1:0] RespOkay   = tessera_pkg::AxiRespOkay;
  localparam logic [1:0] RespSlvErr = tessera_pkg::AxiRespSlvErr;
  localparam int CounterIdxWidth    = tessera_pkg::index_width(NumCounters);

  // Registers the software writes.
  logic [31:0] ctrl_d, ctrl_q, intr_enable_d, intr_enable_q, ring_size_d, ring_size_q;
  logic [31:0] ring_base_lo_d, ring_base_lo_q, ring_base_hi_d, ring_base_hi_q;
  logic [31:0] ring_tail_d, ring_tail_q, window_base_lo_d, window_base_lo_q;
  logic [31:0] window_base_hi_d, window_base_hi_q, window_limit_lo_d, window_limit_lo_q;
  logic [31:0] window_limit_hi_d, window_limit_hi_q, intr_status_d, intr_status_q;

  // ---------------------------------------------------------------------------------------
  // Write path: hold AW and W until both are there, then write and answer.
  // ---------------------------------------------------------------------------------------
  logic                 aw_held_d, aw_held_q, w_held_d, w_held_q, bvalid_d, bvalid_q;
  logic [AddrWidth-1:0] aw_addr_q;
  logic [31:0]          w_data_q;
  logic [3:0]           w_strb_q;
  logic [1:0]           bresp_d, bresp_q;
  logic                 do_write, write_mapped;

  assign s_axil_awready_o = !aw_held_q;
  assign s_axil_wready_o  = !w_held_q;
  assign do_write         = aw_held_q && w_held_q && (!bvalid_q || s_axil_bready_i);

  // The written word merged into an old value under the byte strobes.
  function automatic logic [31:0] merge(input logic [31:0] old, input logic [31:0] data,
                                        input logic [3:0] strb);
    for (int b = 0; b < 4; b++) merge[8*b +: 8] = strb[b] ? data[8*b +: 8] : old[8*b +: 8];
  endfunction

  logic [31:0] wvalue;        // the written bits that took effect (strobes applied to 0)
  assign wvalue = merge('0, w_data_q, w_strb_q);

  always_comb begin
    write_mapped = 1'b1;
    unique case (aw_addr_q)
      tessera_reg_pkg::RegCtrl, tessera_reg_pkg::RegSoftReset, tessera_reg_pkg::RegIntrStatus,
      tessera_reg_pkg::RegIntrEnable, tessera_reg_pkg::RegRingBaseLo,
      tessera_reg_pkg::RegRingBaseHi, tessera_reg_pkg::RegRingSize, tessera_reg_pkg::RegRingTail,
      tessera_reg_pkg::RegWindowBaseLo, tessera_reg_pkg::RegWindowBaseHi,
      tessera_reg_pkg::RegWindowLimitLo, tessera_reg_pkg::RegWindowLimitHi,
      tessera_reg_pkg::RegPerfCtrl: write_mapped = 1'b1;
      default: write_mapped = 1'b0;
    endcase
  end

  always_comb begin
    aw_held_d = aw_held_q;
    w_held_d  = w_held_q;
    bvalid_d  = bvalid_q;
    bresp_d   = bresp_q;
    if (s_axil_awvalid_i && s_axil_awready_o) aw_held_d = 1'b1;
    if (s_axil_wvalid_i && s_axil_wready_o)   w_held_d  = 1'b1;
    if (s_axil_bready_i) bvalid_d = 1'b0;
    if (do_write) begin
      aw_held_d = 1'b0;
      w_held_d  = 1'b0;
      bvalid_d  = 1'b1;
      bresp_d   = write_mapped ? RespOkay : RespSlvErr;
    end
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      aw_held_q <= 1'b0;
      w_held_q  <= 1'b0;
      bvalid_q  <= 1'b0;
      bresp_q   <= RespOkay;
    end else begin
      aw_held_q <= aw_held_d;
      w_held_q  <= w_held_d;
      bvalid_q  <= bvalid_d;
      bresp_q   <= bresp_d;
    end
  end
  always_ff @(posedge clk_i) begin
    if (s_axil_awvalid_i && s_axil_awready_o) aw_addr_q <= s_axil_awaddr_i;
    if (s_axil_wvalid_i && s_axil_wready_o) begin
      w_data_q <= s_axil_wdata_i;
      w_strb_q <= s_axil_wstrb_i;
    end
  end
  assign s_axil_bvalid_o = bvalid_q;
  assign s_axil_bresp_o  = bresp_q;

  logic wr_ctrl, wr_intr_enable, wr_intr_status, wr_ring_base_lo, wr_ring_base_hi;
  logic wr_ring_size, wr_ring_tail, wr_window_base_lo, wr_window_base_hi;
  logic wr_window_limit_lo, wr_window_limit_hi;
  assign wr_ctrl            = do_write && aw_addr_q == tessera_reg_pkg::RegCtrl;
  assign wr_intr_enable     = do_write && aw_addr_q == tessera_reg_pkg::RegIntrEnable;
  assign wr_intr_status     = do_write && aw_addr_q == tessera_reg_pkg::RegIntrStatus;
  assign wr_ring_base_lo    = do_write && aw_addr_q == tessera_reg_pkg::RegRingBaseLo;
  assign wr_ring_base_hi    = do_write && aw_addr_q == tessera_reg_pkg::RegRingBaseHi;
  assign wr_ring_size       = do_write && aw_addr_q == tessera_reg_pkg::RegRingSize;
  assign wr_ring_tail       = do_write && aw_addr_q == tessera_reg_pkg::RegRingTail;
  assign wr_window_base_lo  = do_write && aw_addr_q == tessera_reg_pkg::RegWindowBaseLo;
  assign wr_window_base_hi  = do_write && aw_addr_q == tessera_reg_pkg::RegWindowBaseHi;
  assign wr_window_limit_lo = do_write && aw_addr_q == tessera_reg_pkg::RegWindowLimitLo;
  assign wr_window_limit_hi = do_write && aw_addr_q == tessera_reg_pkg::RegWindowLimitHi;

  // Writable bits of each register (the rest read as 0).
  localparam logic [31:0] CtrlMask =
      32'(1) << tessera_reg_pkg::CtrlEnableLsb;
  localparam logic [31:0] IntrMask = (32'(1) << tessera_reg_pkg::IntrStatusFenceLsb) |
                                     (32'(1) << tessera_reg_pkg::IntrStatusErrorLsb);

  // This cycle's interrupt events, at their INTR_STATUS positions.
  logic [31:0] intr_events;
  always_comb begin
    intr_events = '0;
    intr_events[tessera_reg_pkg::IntrStatusFenceLsb] = event_fence_i;
    intr_events[tessera_reg_pkg::IntrStatusErrorLsb] = event_error_i;
  end

  always_comb begin
    ctrl_d            = wr_ctrl ? merge(ctrl_q, w_data_q, w_strb_q) & CtrlMask : ctrl_q;
    intr_enable_d     = wr_intr_enable ? merge(intr_enable_q, w_data_q, w_strb_q) & IntrMask
                                       : intr_enable_q;
    ring_base_lo_d    = wr_ring_base_lo ? merge(ring_base_lo_q, w_data_q, w_strb_q)
                                        : ring_base_lo_q;
    ring_base_hi_d    = wr_ring_base_hi ? merge(ring_base_hi_q, w_data_q, w_strb_q)
                                        : ring_base_hi_q;
    ring_size_d       = wr_ring_size ? merge(ring_size_q, w_data_q, w_strb_q) : ring_size_q;
    ring_tail_d       = wr_ring_tail ? merge(ring_tail_q, w_data_q, w_strb_q) : ring_tail_q;
    window_base_lo_d  = wr_window_base_lo ? merge(window_base_lo_q, w_data_q, w_strb_q)
                                          : window_base_lo_q;
    window_base_hi_d  = wr_window_base_hi ? merge(window_base_hi_q, w_data_q, w_strb_q)
                                          : window_base_hi_q;
    window_limit_lo_d = wr_window_limit_lo ? merge(window_limit_lo_q, w_data_q, w_strb_q)
                                           : window_limit_lo_q;
    window_limit_hi_d = wr_window_limit_hi ? merge(window_limit_hi_q, w_data_q, w_strb_q)
                                           : window_limit_hi_q;
    // Write-one-to-clear, then this cycle's events (an event wins over its clear).
    intr_status_d     = ((intr_status_q & ~(wr_intr_status ? wvalue : '0)) | intr_events) &
                        IntrMask;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ctrl_q            <= tessera_reg_pkg::CtrlReset;
      intr_enable_q     <= tessera_reg_pkg::IntrEnableReset;
      ring_base_lo_q    <= tessera_reg_pkg::RingBaseLoReset;
      ring_base_hi_q    <= tessera_reg_pkg::RingBaseHiReset;
      ring_size_q       <= tessera_reg_pkg::RingSizeReset;
      ring_tail_q       <= tessera_reg_pkg::RingTailReset;
      window_base_lo_q  <= tessera_reg_pkg::WindowBaseLoReset;
      window_base_hi_q  <= tessera_reg_pkg::WindowBaseHiReset;
      window_limit_lo_q <= tessera_reg_pkg::WindowLimitLoReset;
      window_limit_hi_q <= tessera_reg_pkg::WindowLimitHiReset;
      intr_status_q     <= '0;
    end else begin
      ctrl_q            <= ctrl_d;
      intr_enable_q     <= intr_enable_d;
      ring_base_lo_q    <= ring_base_lo_d;
      ring_base_hi_q    <= ring_base_hi_d;
      ring_size_q       <= ring_size_d;
      ring_tail_q       <= ring_tail_d;
      window_base_lo_q  <= window_base_lo_d;
      window_base_hi_q  <= window_base_hi_d;
      window_limit_lo_q <= window_limit_lo_d;
      window_limit_hi_q <= window_limit_hi_d;
      intr_status_q     <= intr_status_d;
    end
  end

  // The action registers' pulses.
  logic soft_reset_d, soft_reset_q, counter_clear_d, counter_clear_q;
  assign soft_reset_d    = do_write && aw_addr_q == tessera_reg_pkg::RegSoftReset &&
                           wvalue[tessera_reg_pkg::SoftResetGoLsb];
  assign counter_clear_d = do_write && aw_addr_q == tessera_reg_pkg::RegPerfCtrl &&
                           wvalue[tessera_reg_pkg::PerfCtrlClearLsb];
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      soft_reset_q    <= 1'b0;
      counter_clear_q <= 1'b0;
    end else begin
      soft_reset_q    <= soft_reset_d;
      counter_clear_q <= counter_clear_d;
    end
  end

  assign enable_o        = ctrl_q[tessera_reg_pkg::CtrlEnableLsb];
  assign soft_reset_o    = soft_reset_q;
  assign counter_clear_o = counter_clear_q;
  assign ring_base_o     = {ring_base_hi_q, ring_base_lo_q};
  assign ring_size_o     = ring_size_q;
  assign ring_tail_o     = ring_tail_q;
  assign window_base_o   = {window_base_hi_q, window_base_lo_q};
  assign window_limit_o  = {window_limit_hi_q, window_limit_lo_q};
  assign irq_o           = |(intr_status_q & intr_enable_q);

  // ---------------------------------------------------------------------------------------
  // Read path
  // ---------------------------------------------------------------------------------------
  localparam logic [AddrWidth-1:0] CounterEnd =
      tessera_reg_pkg::CounterBase + AddrWidth'(8 * NumCounters);

  logic                       rvalid_d, rvalid_q;
  logic [31:0]                rdata_q, rdata;
  logic [1:0]                 rresp_q, rresp;
  logic [31:0]                latched_hi_q;     // high word of the counter whose low word was read
  logic [CounterIdxWidth-1:0] latched_idx_d, latched_idx_q;
  logic                       latch_hi;
  logic [CounterIdxWidth-1:0] counter_idx;
  logic [63:0]                counter_value;
  logic                       ar_fire;

  assign s_axil_arready_o = !rvalid_q || s_axil_rready_i;
  assign ar_fire          = s_axil_arvalid_i && s_axil_arready_o;

  logic [AddrWidth-1:0] counter_offset;
  assign counter_offset = s_axil_araddr_i - tessera_reg_pkg::CounterBase;
  assign counter_idx    = CounterIdxWidth'(counter_offset >> 3);
  assign counter_value  = counters_i[counter_idx*64 +: 64];

  always_comb begin
    rdata    = '0;
    rresp    = RespOkay;
    latch_hi = 1'b0;
    unique case (s_axil_araddr_i)
      tessera_reg_pkg::RegId:          rdata = tessera_reg_pkg::IdValue;
      tessera_reg_pkg::RegVersion:     rdata = tessera_reg_pkg::VersionValue;
      tessera_reg_pkg::RegIsaVersion:  rdata = 32'(IsaVersion);
      tessera_reg_pkg::RegConfigArray: begin
        rdata[tessera_reg_pkg::ConfigArrayRowsLsb +: tessera_reg_pkg::ConfigArrayRowsWidth] =
            16'(NumRows);
        rdata[tessera_reg_pkg::ConfigArrayColsLsb +: tessera_reg_pkg::ConfigArrayColsWidth] =
            16'(NumCols);
      end
      tessera_reg_pkg::RegConfigScratchpad:  rdata = 32'(ScratchpadBytes);
      tessera_reg_pkg::RegConfigAccumulator: rdata = 32'(AccumulatorBytes);
      tessera_reg_pkg::RegConfigBus:         rdata = 32'(BusWidth);
      tessera_reg_pkg::RegConfigQtable:      rdata = 32'(QTableEntries);
      tessera_reg_pkg::RegCtrl:              rdata = ctrl_q;
      tessera_reg_pkg::RegSoftReset:         rdata = '0;
      tessera_reg_pkg::RegStatus: begin
        rdata[tessera_reg_pkg::StatusBusyLsb]  = busy_i;
        rdata[tessera_reg_pkg::StatusErrorLsb] = error_i;
        rdata[tessera_reg_pkg::StatusErrorCodeLsb +: tessera_reg_pkg::StatusErrorCodeWidth] =
            error_code_i;
      end
      tessera_reg_pkg::RegErrorIndex:    rdata = error_index_i;
      tessera_reg_pkg::RegIntrStatus:    rdata = intr_status_q;
      tessera_reg_pkg::RegIntrEnable:    rdata = intr_enable_q;
      tessera_reg_pkg::RegRingBaseLo:    rdata = ring_base_lo_q;
      tessera_reg_pkg::RegRingBaseHi:    rdata = ring_base_hi_q;
      tessera_reg_pkg::RegRingSize:      rdata = ring_size_q;
      tessera_reg_pkg::RegRingTail:      rdata = ring_tail_q;
      tessera_reg_pkg::RegRingHead:      rdata = ring_head_i;
      tessera_reg_pkg::RegWindowBaseLo:  rdata = window_base_lo_q;
      tessera_reg_pkg::RegWindowBaseHi:  rdata = window_base_hi_q;
      tessera_reg_pkg::RegWindowLimitLo: rdata = window_limit_lo_q;
      tessera_reg_pkg::RegWindowLimitHi: rdata = window_limit_hi_q;
      tessera_reg_pkg::RegPerfCtrl:      rdata = '0;
      default: begin
        if (s_axil_araddr_i >= tessera_reg_pkg::CounterBase && s_axil_araddr_i < CounterEnd &&
            s_axil_araddr_i[1:0] == 2'b00) begin
          if (!s_axil_araddr_i[2]) begin
            rdata    = counter_value[31:0];
            latch_hi = 1'b1;
          end else begin
            rdata = latched_idx_q == counter_idx ? latched_hi_q : counter_value[63:32];
          end
        end else begin
          rresp = RespSlvErr;
        end
      end
    endcase
  end

  always_comb begin
    rvalid_d      = rvalid_q;
    latched_idx_d = latched_idx_q;
    if (s_axil_rready_i) rvalid_d = 1'b0;
    if (ar_fire) begin
      rvalid_d = 1'b1;
      if (latch_hi) latched_idx_d = counter_idx;
    end
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rvalid_q      <= 1'b0;
      latched_idx_q <= '1;  // no counter latched
    end else begin
      rvalid_q      <= rvalid_d;
      latched_idx_q <= latched_idx_d;
    end
  end
  always_ff @(posedge clk_i) begin
    if (ar_fire) begin
      rdata_q <= rdata;
      rresp_q <= rresp;
      if (latch_hi) latched_hi_q <= counter_value[63:32];
    end
  end
  assign s_axil_rvalid_o = rvalid_q;
  assign s_axil_rdata_o  = rdata_q;
  assign s_axil_rresp_o  = rresp_q;

  `TESSERA_ASSERT(BHeldWhileStalled_A, (s_axil_bvalid_o && !s_axil_bready_i) |=>
                  (s_axil_bvalid_o && $stable(s_axil_bresp_o)), clk_i, rst_ni)
  `TESSERA_ASSERT(RHeldWhileStalled_A, (s_axil_rvalid_o && !s_axil_rready_i) |=>
                  (s_axil_rvalid_o && $stable(s_axil_rdata_o)), clk_i, rst_ni)

endmodule
