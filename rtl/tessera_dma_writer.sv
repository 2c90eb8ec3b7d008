// SPDX-License-Identifier: Apache-2.0
// tessera_dma_writer: the DMA write engine (AXI4 master write channels).
//
// Function:   copies a stream into a 2D strided block of AXI memory. The input carries
//             each row packed from byte lane 0 (row byte i at lane i mod (DataWidth/8) of
//             the row's beat i / (DataWidth/8)), ceil(row_bytes / (DataWidth/8)) beats per
//             row, in_last_i on the descriptor's final beat. The engine shifts every row to
//             its address and writes it with byte strobes, so unaligned addresses and
//             lengths touch no byte outside the row. Bursts: aligned INCR, at most 256
//             beats, never across 4 KiB, up to MaxOutstanding awaiting their response.
// Errors:     a descriptor with zero rows or bytes, a row outside the address window (no
//             burst is issued for it: nothing is written outside the window) or an
//             SLVERR/DECERR response stops the engine issuing bursts. The write data of
//             bursts already issued is still sent (AXI requires it), the rest of the input
//             is accepted and dropped up to in_last_i, and once every response is back the
//             status reports the tessera_pkg::DmaErr* code. The engine is then ready again.
// Status:     one status beat per descriptor, after the last write response: status_error_o
//             is tessera_pkg::DmaOk or the error code.
// Overlap:    a second descriptor is taken once the first has issued every burst and taken
//             its whole input, with nothing failed: the first then only waits for its write
//             responses (retiring, the count of them it still waits for held aside), so the
//             second's bursts go out meanwhile. Responses come in order: the first that many
//             are the retiring descriptor's, and an error response among them is its own.
//             Statuses come in descriptor order.
// Timeout:    a transfer that waits on the bus (an AW or W beat not accepted, or every beat
//             sent and responses outstanding with no B) for TimeoutCycles cycles in a row ends
//             with DmaErrTimeout once its input is taken, without waiting for the bus: the
//             bursts are abandoned (AWVALID/WVALID stay up as AXI requires, late responses
//             are taken) and the engine is dead until rst_ni: every later descriptor's input
//             is taken and dropped and its status is DmaErrTimeout.
// Latency:    the first AW is valid 3 cycles after the descriptor handshake, its first W
//             beat (with input waiting) one cycle later.
// Throughput: one beat per cycle, except one extra cycle at the end of a row whose bytes
//             need one bus beat more than its input beats. Two descriptors back to back
//             cost no memory latency between their data.
// Stalls:     in and status may stall; AW/W/B follow AXI4 handshake rules.
`include "tessera_assert.svh"

module tessera_dma_writer #(
  parameter int DataWidth      = 128,
  parameter int IdWidth        = 4,
  parameter int MaxOutstanding = 8,
  parameter int TimeoutCycles  = tessera_isa_pkg::BusTimeoutCycles,
  localparam int AddrWidth     = tessera_pkg::DmaAddrWidth,
  localparam int BusBytes      = DataWidth / 8,
  localparam int OffWidth      = $clog2(BusBytes)
) (
  input  logic                                 clk_i,
  input  logic                                 rst_ni,
  input  logic [AddrWidth-1:0]                 window_base_i,
  input  logic [AddrWidth-1:0]                 window_limit_i,
  output logic                                 idle_o,  // no descriptor in the engine
  // Descriptor
  input  logic                                 desc_valid_i,
  output logic                                 desc_ready_o,
  input  logic [AddrWidth-1:0]                 desc_addr_i,
  input  logic [tessera_pkg::DmaLenWidth-1:0]  desc_row_bytes_i,
  input  logic [tessera_pkg::DmaRowsWidth-1:0] desc_rows_i,
  input  logic [AddrWidth-1:0]                 desc_stride_i,
  // Data in
  input  logic                                 in_valid_i,
  output logic                                 in_ready_o,
  input  logic [DataWidth-1:0]                 in_data_i,
  input  logic                                 in_last_i,
  // Completion status
  output logic                                 status_valid_o,
  input  logic                                 status_ready_i,
  output logic [2:0]                           status_error_o,
  // AXI4 write address channel
  output logic                                 m_axi_awvalid_o,
  input  logic                                 m_axi_awready_i,
  output logic [IdWidth-1:0]                   m_axi_awid_o,
  output logic [AddrWidth-1:0]                 m_axi_awaddr_o,
  output logic [7:0]                           m_axi_awlen_o,
  output logic [2:0]                           m_axi_awsize_o,
  output logic [1:0]                           m_axi_awburst_o,
  output logic [3:0]                           m_axi_awcache_o,
  output logic [2:0]                           m_axi_awprot_o,
  // AXI4 write data channel
  output logic                                 m_axi_wvalid_o,
  input  logic                                 m_axi_wready_i,
  output logic [DataWidth-1:0]                 m_axi_wdata_o,
  output logic [BusBytes-1:0]                  m_axi_wstrb_o,
  output logic                                 m_axi_wlast_o,
  // AXI4 write response channel
  input  logic                                 m_axi_bvalid_i,
  output logic                                 m_axi_bready_o,
  input  logic [IdWidth-1:0]                   m_axi_bid_i,
  input  logic [1:0]                           m_axi_bresp_i
);

  localparam int LenWidth     = tessera_pkg::DmaLenWidth;
  localparam int BeatWidth    = LenWidth + 1;
  localparam int OutsWidth    = $clog2(MaxOutstanding + 1);
  localparam int RowInfoWidth = OffWidth + LenWidth + BeatWidth;

  // Byte s..s+BusBytes-1 of the two-beat window {hi, lo}: the realigning shifter.
  function automatic logic [DataWidth-1:0] funnel(input logic [DataWidth-1:0] hi,
                                                  input logic [DataWidth-1:0] lo,
                                                  input logic [OffWidth:0] s);
    funnel = DataWidth'({hi, lo} >> {s, 3'b000});
  endfunction

  // ---------------------------------------------------------------------------------------
  // Descriptor, address generation and bursts
  // ---------------------------------------------------------------------------------------
  logic       active_d, active_q;          // a descriptor is in progress
  logic       stop_d, stop_q;              // it failed: issue no more bursts
  logic [2:0] error_code_d, error_code_q;
  logic       issue_done_d, issue_done_q;  // every burst of the descriptor has been issued
  logic       in_done_d, in_done_q;        // the input's last beat has been taken
  logic       dead_q;                      // the bus stopped answering: abandon, refuse all
  logic       timeout;

  logic desc_fire, desc_bad, overlap, b_error, finished;
  // The retiring descriptor: it waits only for ret_left_q more write responses.
  logic             ret_valid_d, ret_valid_q;
  logic [OutsWidth-1:0] ret_left_d, ret_left_q;
  logic [2:0]       ret_error_d, ret_error_q;
  assign b_error      = m_axi_bvalid_i && m_axi_bresp_i != tessera_pkg::AxiRespOkay;
  // A second descriptor while the first only waits for its responses (and no error arrives
  // in this very cycle, which is the first's to keep).
  assign overlap      = active_q && issue_done_q && in_done_q && !stop_q && !dead_q &&
                        !ret_valid_q && !finished && !desc_bad && !b_error;
  assign desc_ready_o = !active_q || overlap;
  assign idle_o       = !active_q;  // a retiring descriptor keeps its successor active
  assign desc_fire    = desc_valid_i && desc_ready_o;
  assign desc_bad     = desc_rows_i == '0 || desc_row_bytes_i == '0;

  logic                 addr_gen_idle;
  logic                 burst_valid, burst_take, burst_first, burst_last, burst_desc_last;
  logic                 burst_error;
  logic [AddrWidth-1:0] burst_addr;
  logic [7:0]           burst_len;
  logic [OffWidth-1:0]  burst_row_offset;
  logic [LenWidth-1:0]  burst_row_bytes;
  logic [BeatWidth-1:0] burst_row_beats;

  tessera_dma_frontend #(
    .DataWidth(DataWidth)
  ) u_frontend (
    .clk_i,
    .rst_ni,
    .abort_i          (stop_q),
    .window_base_i,
    .window_limit_i,
    .start_i          (desc_fire && !desc_bad && !dead_q),
    .idle_o           (addr_gen_idle),
    .desc_addr_i,
    .desc_row_bytes_i,
    .desc_rows_i,
    .desc_stride_i,
    .burst_valid_o    (burst_valid),
    .burst_ready_i    (burst_take),
    .burst_addr_o     (burst_addr),
    .burst_len_o      (burst_len),
    .burst_first_o    (burst_first),
    .burst_last_o     (burst_last),
    .burst_desc_last_o(burst_desc_last),
    .burst_error_o    (burst_error),
    .row_offset_o     (burst_row_offset),
    .row_bytes_o      (burst_row_bytes),
    .row_beats_o      (burst_row_beats)
  );

  // ---------------------------------------------------------------------------------------
  // AW issue: one address register, the outstanding-response count, and two queues for
  // the W side: burst lengths (for WLAST) and rows (pushed with a row's first burst)
  // ---------------------------------------------------------------------------------------
  logic                 aw_valid_d, aw_valid_q;
  logic [AddrWidth-1:0] aw_addr_q;
  logic [7:0]           aw_len_q;
  logic [OutsWidth-1:0] outstanding_q, outstanding_d;
  logic                 aw_free, burstq_wr_ready, rowq_wr_ready, b_fire, issue;
  logic                 burstq_valid, burstq_pop, rowq_valid, rowq_pop, queues_clear;
  logic [7:0]           burstq_len;
  logic [RowInfoWidth-1:0] rowq_data;

  assign aw_free    = !aw_valid_q || m_axi_awready_i;
  assign burst_take = burst_valid && !stop_q &&
                      (burst_error || (aw_free && burstq_wr_ready &&
                                       outstanding_q != OutsWidth'(MaxOutstanding) &&
                                       (!burst_first || rowq_wr_ready)));
  assign issue      = burst_take && !burst_error;

  always_comb begin
    aw_valid_d = aw_valid_q;
    if (m_axi_awready_i) aw_valid_d = 1'b0;
    if (issue)           aw_valid_d = 1'b1;
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) aw_valid_q <= 1'b0;
    else         aw_valid_q <= aw_valid_d;
  end
  always_ff @(posedge clk_i) begin
    if (issue) begin
      aw_addr_q <= burst_addr;
      aw_len_q  <= burst_len;
    end
  end

  assign m_axi_awvalid_o = aw_valid_q;
  assign m_axi_awid_o    = '0;
  assign m_axi_awaddr_o  = aw_addr_q;
  assign m_axi_awlen_o   = aw_len_q;
  assign m_axi_awsize_o  = 3'(OffWidth);
  assign m_axi_awburst_o = 2'b01;    // INCR
  assign m_axi_awcache_o = 4'b0011;  // normal non-cacheable bufferable
  assign m_axi_awprot_o  = 3'b000;

  assign m_axi_bready_o = 1'b1;
  assign b_fire         = m_axi_bvalid_i;
  always_comb begin
    outstanding_d = outstanding_q;
    if (issue)  outstanding_d = outstanding_d + 1'b1;
    if (b_fire) outstanding_d = outstanding_d - 1'b1;
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) outstanding_q <= '0;
    else         outstanding_q <= outstanding_d;
  end

  tessera_fifo #(
    .Width(8),
    .Depth(MaxOutstanding)
  ) u_burst_queue (
    .clk_i,
    .rst_ni,
    .clr_i     (queues_clear),
    .wr_valid_i(issue),
    .wr_ready_o(burstq_wr_ready),
    .wr_data_i (burst_len),
    .rd_valid_o(burstq_valid),
    .rd_ready_i(burstq_pop),
    .rd_data_o (burstq_len)
  );

  tessera_fifo #(
    .Width(RowInfoWidth),
    .Depth(MaxOutstanding)
  ) u_row_queue (
    .clk_i,
    .rst_ni,
    .clr_i     (queues_clear),
    .wr_valid_i(issue && burst_first),
    .wr_ready_o(rowq_wr_ready),
    .wr_data_i ({burst_row_beats, burst_row_bytes, burst_row_offset}),
    .rd_valid_o(rowq_valid),
    .rd_ready_i(rowq_pop),
    .rd_data_o (rowq_data)
  );

  // ---------------------------------------------------------------------------------------
  // W data: shift each row from lane 0 to its address offset
  // ---------------------------------------------------------------------------------------
  logic [BeatWidth-1:0] row_bus_beats;   // W beats of the current row
  logic [LenWidth-1:0]  row_len;
  logic [OffWidth-1:0]  row_off;
  assign {row_bus_beats, row_len, row_off} = rowq_data;

  logic [BeatWidth-1:0] row_in_beats;    // input beats of the current row
  logic [BeatWidth-1:0] w_count_d, w_count_q;          // W beats of the row sent so far
  logic [7:0]           burst_count_d, burst_count_q;  // W beats of the current burst sent so far
  logic [DataWidth-1:0] prev_q;          // the previous input beat of the row
  logic                 needs_input, w_load, w_free, row_done, burst_done, in_fire;
  logic [BusBytes-1:0]  strb_lo, strb_hi;
  logic [OffWidth-1:0]  end_lane;        // lane after the row's last byte (0: a full beat)

  assign row_in_beats = (BeatWidth'(row_len) + BeatWidth'(BusBytes - 1)) >> OffWidth;
  assign needs_input  = w_count_q < row_in_beats;
  assign w_free       = !m_axi_wvalid_o || m_axi_wready_i;
  assign w_load       = !dead_q && rowq_valid && burstq_valid && w_free &&
                        (!needs_input || in_valid_i);
  assign row_done     = w_load && w_count_q == row_bus_beats - 1'b1;
  assign burst_done   = w_load && burst_count_q == burstq_len;
  assign rowq_pop     = row_done;
  assign burstq_pop   = burst_done;

  // After a failure, input that no issued burst needs is taken and dropped.
  logic draining;
  assign draining   = (stop_q && !burstq_valid || dead_q) && !in_done_q;
  assign in_ready_o = (w_load && needs_input) || draining;
  assign in_fire    = in_valid_i && in_ready_o;

  // Strobes: the first beat starts at the row's offset, the last ends after its last byte.
  assign end_lane = row_off + row_len[OffWidth-1:0];  // modulo the bus width
  always_comb begin
    for (int b = 0; b < BusBytes; b++) begin
      strb_lo[b] = w_count_q != '0 || OffWidth'(b) >= row_off;
      strb_hi[b] = w_count_q != row_bus_beats - 1'b1 || end_lane == '0 || OffWidth'(b) < end_lane;
    end
  end

  logic                 w_valid_d, w_valid_q, w_last_q;
  logic [DataWidth-1:0] w_data_q;
  logic [BusBytes-1:0]  w_strb_q;

  always_comb begin
    w_valid_d = w_valid_q;
    if (m_axi_wready_i) w_valid_d = 1'b0;
    if (w_load)         w_valid_d = 1'b1;
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) w_valid_q <= 1'b0;
    else         w_valid_q <= w_valid_d;
  end
  always_ff @(posedge clk_i) begin
    if (w_load) begin
      w_data_q <= funnel(in_data_i, prev_q, (OffWidth+1)'(BusBytes) - (OffWidth+1)'(row_off));
      w_strb_q <= strb_lo & strb_hi;
      w_last_q <= burst_count_q == burstq_len;
    end
    if (in_fire) prev_q <= in_data_i;
  end
  assign m_axi_wvalid_o = w_valid_q;
  assign m_axi_wdata_o  = w_data_q;
  assign m_axi_wstrb_o  = w_strb_q;
  assign m_axi_wlast_o  = w_last_q;

  always_comb begin
    w_count_d     = w_count_q;
    burst_count_d = burst_count_q;
    if (w_load) begin
      w_count_d     = row_done ? '0 : w_count_q + 1'b1;
      burst_count_d = burst_done ? '0 : burst_count_q + 1'b1;
    end
    if (queues_clear) begin
      w_count_d     = '0;
      burst_count_d = '0;
    end
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      w_count_q     <= '0;
      burst_count_q <= '0;
    end else begin
      w_count_q     <= w_count_d;
      burst_count_q <= burst_count_d;
    end
  end

  // ---------------------------------------------------------------------------------------
  // Descriptor state, errors and status
  // ---------------------------------------------------------------------------------------
  logic       error_set;
  logic [2:0] error_code;
  always_comb begin
    error_set  = 1'b0;
    error_code = tessera_pkg::DmaOk;
    if (desc_fire && (desc_bad || dead_q)) begin
      error_set  = 1'b1;
      error_code = dead_q ? tessera_pkg::DmaErrTimeout : tessera_pkg::DmaErrDesc;
    end else if (timeout) begin
      error_set  = 1'b1;
      error_code = tessera_pkg::DmaErrTimeout;
    end else if (burst_take && burst_error) begin
      error_set  = 1'b1;
      error_code = tessera_pkg::DmaErrWindow;
    end else if (b_error && !(ret_valid_q && ret_left_q != '0)) begin
      error_set  = 1'b1;
      error_code = tessera_pkg::dma_error_of_resp(m_axi_bresp_i);
    end
  end

  // Finished when nothing more will be issued, every issued beat has been sent, every
  // response is back and the input is consumed.
  // The retiring descriptor's status comes first; it clears nothing (its successor's bursts
  // are in the queues).
  logic ret_finished;
  assign ret_finished   = ret_valid_q && (ret_left_q == '0 || dead_q);
  assign finished       = active_q && in_done_q && !ret_valid_q &&
                          (dead_q || ((issue_done_q || stop_q) && !burstq_valid && !aw_valid_q &&
                                      !w_valid_q && outstanding_q == '0));
  assign status_valid_o = ret_finished || finished;
  assign status_error_o = ret_valid_q ? ret_error_q : error_code_q;
  assign queues_clear   = finished && status_ready_i;

  always_comb begin
    ret_valid_d = ret_valid_q;
    ret_left_d  = ret_left_q;
    ret_error_d = ret_error_q;
    if (ret_valid_q && b_fire && ret_left_q != '0) begin
      ret_left_d = ret_left_q - 1'b1;
      if (b_error && ret_error_q == tessera_pkg::DmaOk) begin
        ret_error_d = tessera_pkg::dma_error_of_resp(m_axi_bresp_i);
      end
    end
    if (ret_valid_q && timeout && ret_left_q != '0 && ret_error_q == tessera_pkg::DmaOk) begin
      ret_error_d = tessera_pkg::DmaErrTimeout;
    end
    if (ret_finished && status_ready_i) ret_valid_d = 1'b0;
    if (desc_fire && active_q) begin  // the running descriptor retires
      ret_valid_d = 1'b1;
      ret_left_d  = outstanding_d;
      ret_error_d = error_code_q;
    end
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) ret_valid_q <= 1'b0;
    else         ret_valid_q <= ret_valid_d;
  end
  always_ff @(posedge clk_i) begin
    ret_left_q  <= ret_left_d;
    ret_error_q <= ret_error_d;
  end

  always_comb begin
    active_d     = active_q;
    stop_d       = stop_q;
    error_code_d = error_code_q;
    issue_done_d = issue_done_q;
    in_done_d    = in_done_q;
    if (desc_fire) begin
      active_d     = 1'b1;
      issue_done_d = 1'b0;
      in_done_d    = desc_bad;  // a rejected descriptor comes with no data
      error_code_d = tessera_pkg::DmaOk;
    end
    if (issue && burst_last && burst_desc_last) issue_done_d = 1'b1;
    if (in_fire && in_last_i) in_done_d = 1'b1;
    if (error_set && !stop_q) begin
      stop_d       = 1'b1;
      error_code_d = error_code;
    end
    if (queues_clear) begin
      active_d = 1'b0;
      stop_d   = 1'b0;
    end
    if (desc_fire && active_q) active_d = 1'b1;  // the next one runs while this one retires
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      active_q     <= 1'b0;
      stop_q       <= 1'b0;
      error_code_q <= tessera_pkg::DmaOk;
      issue_done_q <= 1'b0;
      in_done_q    <= 1'b0;
    end else begin
      active_q     <= active_d;
      stop_q       <= stop_d;
      error_code_q <= error_code_d;
      issue_done_q <= issue_done_d;
      in_done_q    <= in_done_d;
    end
  end

  // ---------------------------------------------------------------------------------------
  // Bus watchdog: cycles in a row spent waiting on the bus with no handshake (waiting for a
  // response only once every beat is sent: before that the slave may wait for the data)
  // ---------------------------------------------------------------------------------------
  logic waiting_on_bus;
  assign waiting_on_bus = (aw_valid_q && !m_axi_awready_i) || (w_valid_q && !m_axi_wready_i) ||
                          (outstanding_q != '0 && !burstq_valid && !w_valid_q && !m_axi_bvalid_i);
  tessera_bus_watchdog #(
    .TimeoutCycles(TimeoutCycles)
  ) u_watchdog (
    .clk_i,
    .rst_ni,
    .waiting_i(waiting_on_bus),
    .timeout_o(timeout),
    .dead_o   (dead_q)
  );

  // Unused: the B channel's ID (one ID only).
  logic unused_bid;
  assign unused_bid = ^m_axi_bid_i;

  `TESSERA_ASSERT(AddrGenIdleOnDescriptor_A, desc_fire && !dead_q |-> addr_gen_idle, clk_i, rst_ni)
  `TESSERA_ASSERT(AwHeldWhileStalled_A,
                  (m_axi_awvalid_o && !m_axi_awready_i) |=>
                      (m_axi_awvalid_o && $stable(m_axi_awaddr_o) && $stable(m_axi_awlen_o)),
                  clk_i, rst_ni)
  `TESSERA_ASSERT(WHeldWhileStalled_A,
                  (m_axi_wvalid_o && !m_axi_wready_i) |=>
                      (m_axi_wvalid_o && $stable(m_axi_wdata_o) && $stable(m_axi_wstrb_o)),
                  clk_i, rst_ni)
  `TESSERA_ASSERT(NoResponseWithoutBurst_A, m_axi_bvalid_i |-> outstanding_q != '0,
                  clk_i, rst_ni)
  `TESSERA_ASSERT(RetiringWaitsOnlyForResponses_A, ret_valid_q |-> ret_left_q <= outstanding_q,
                  clk_i, rst_ni)
  `TESSERA_ASSERT(InputLastMatchesRows_A,
                  (in_fire && !draining && needs_input && in_last_i) |->
                      (w_count_q == row_in_beats - 1'b1), clk_i, rst_ni)

endmodule
