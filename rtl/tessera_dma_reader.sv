// SPDX-License-Identifier: Apache-2.0
// tessera_dma_reader: the DMA read engine (AXI4 master read channels).
//
// Function:   copies a 2D strided block from AXI memory into a stream. Each row of the
//             descriptor arrives packed from byte lane 0 of the stream (row byte i at lane
//             i mod (DataWidth/8) of the row's beat i / (DataWidth/8)), whatever the
//             alignment of its address; out_bytes_o counts the valid bytes of a beat,
//             out_row_last_o marks a row's final beat and out_last_o the descriptor's.
//             A second descriptor is taken while the first's data is still arriving, once
//             every burst of the first has been issued: its bursts follow at once, so its
//             data follows the first's without a memory latency between them. Two
//             descriptors at most are in the engine; their streams come in order.
//             Bursts: aligned INCR, at most 256 beats, never across 4 KiB, with up to
//             MaxOutstanding bursts in flight so that long memory latencies stay hidden.
// Errors:     a descriptor with zero rows or bytes, a row outside the address window (no
//             burst is issued for it) or an SLVERR/DECERR response ends the stream early:
//             the engine stops issuing, waits for the bursts in flight, and ends the stream
//             with one beat with out_last_o set, out_bytes_o zero and out_error_o holding
//             the tessera_pkg::DmaErr* code. Every descriptor's stream ends with exactly one
//             out_last_o beat, so a consumer never waits forever; the engine is then ready
//             for the next descriptor. A second descriptor that is bad (zero rows or bytes)
//             waits until the engine is empty. A row outside the window in the second
//             descriptor fails it only once the first has ended (its pseudo-burst waits); an
//             error response or a timeout while two are in the engine ends both, each with
//             its own terminating beat.
// Timeout:    a transfer that waits on the bus (an AR not accepted, or bursts outstanding
//             with RREADY high and no R beat) for TimeoutCycles cycles in a row ends the same
//             way with DmaErrTimeout, without waiting for its bursts: they are abandoned
//             (ARVALID stays up as AXI requires, late R beats are taken and dropped), and the
//             engine is dead until rst_ni: every later descriptor ends at once with
//             DmaErrTimeout. So a bus that never answers cannot hold the engine busy.
// Latency:    the first AR is valid 3 cycles after the descriptor handshake; a data beat
//             is in the output register 1 cycle after its R handshake.
// Throughput: one beat per cycle, except one extra cycle at the end of a row whose data
//             spans as many bus beats as output beats while starting unaligned (n >= 2).
//             Two descriptors back to back cost no memory latency between their data.
// Stalls:     out may stall (RREADY follows it); AR/R follow AXI4 handshake rules.
`include "tessera_assert.svh"

module tessera_dma_reader #(
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
  // Data out
  output logic                                 out_valid_o,
  input  logic                                 out_ready_i,
  output logic [DataWidth-1:0]                 out_data_o,
  output logic [OffWidth:0]                    out_bytes_o,
  output logic                                 out_row_last_o,
  output logic                                 out_last_o,
  output logic [2:0]                           out_error_o,
  // AXI4 read address channel
  output logic                                 m_axi_arvalid_o,
  input  logic                                 m_axi_arready_i,
  output logic [IdWidth-1:0]                   m_axi_arid_o,
  output logic [AddrWidth-1:0]                 m_axi_araddr_o,
  output logic [7:0]                           m_axi_arlen_o,
  output logic [2:0]                           m_axi_arsize_o,
  output logic [1:0]                           m_axi_arburst_o,
  output logic [3:0]                           m_axi_arcache_o,
  output logic [2:0]                           m_axi_arprot_o,
  // AXI4 read data channel
  input  logic                                 m_axi_rvalid_i,
  output logic                                 m_axi_rready_o,
  input  logic [IdWidth-1:0]                   m_axi_rid_i,
  input  logic [DataWidth-1:0]                 m_axi_rdata_i,
  input  logic [1:0]                           m_axi_rresp_i,
  input  logic                                 m_axi_rlast_i
);

  localparam int LenWidth  = tessera_pkg::DmaLenWidth;
  localparam int BeatWidth = LenWidth + 1;
  localparam int OutsWidth = $clog2(MaxOutstanding + 1);
  localparam int RowInfoWidth = OffWidth + LenWidth + BeatWidth + 1;

  // Byte s..s+BusBytes-1 of the two-beat window {hi, lo}: the realigning shifter.
  function automatic logic [DataWidth-1:0] funnel(input logic [DataWidth-1:0] hi,
                                                  input logic [DataWidth-1:0] lo,
                                                  input logic [OffWidth:0] s);
    funnel = DataWidth'({hi, lo} >> {s, 3'b000});
  endfunction

  // ---------------------------------------------------------------------------------------
  // Descriptor, address generation and bursts
  // ---------------------------------------------------------------------------------------
  logic [1:0] descs_d, descs_q;         // descriptors taken whose stream has not ended
  logic       error_d, error_q;         // it failed: issue nothing more, discard data
  logic [2:0] error_code_d, error_code_q;
  logic       abort;
  logic       dead_q;                   // the bus stopped answering: abandon, refuse all
  logic       timeout;

  logic desc_fire, desc_bad, front_idle;
  // A second descriptor: the first's bursts all issued, nothing failed, and not a bad one.
  assign desc_ready_o = descs_q == 2'd0 ||
                        (descs_q == 2'd1 && front_idle && !error_q && !dead_q && !desc_bad);
  assign desc_fire    = desc_valid_i && desc_ready_o;
  assign desc_bad     = desc_rows_i == '0 || desc_row_bytes_i == '0;
  assign abort        = error_q;
  assign idle_o       = descs_q == 2'd0;

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
    .abort_i          (abort),
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
  // AR issue: one address register, an outstanding-burst count and the queue of rows whose
  // data is on its way (pushed with a row's first burst)
  // ---------------------------------------------------------------------------------------
  logic                 ar_valid_d, ar_valid_q;
  logic [AddrWidth-1:0] ar_addr_q;
  logic [7:0]           ar_len_q;
  logic [OutsWidth-1:0] outstanding_q, outstanding_d;
  logic                 ar_free, rowq_wr_ready, r_fire, r_done_burst;
  logic                 rowq_valid, rowq_pop, rowq_clear;
  logic [RowInfoWidth-1:0] rowq_data;

  assign ar_free    = !ar_valid_q || m_axi_arready_i;
  // A window error in the second descriptor is taken once the first has ended.
  assign front_idle = addr_gen_idle && !burst_valid;
  assign burst_take = burst_valid && !error_q &&
                      (burst_error ? descs_q == 2'd1
                                   : ar_free && outstanding_q != OutsWidth'(MaxOutstanding) &&
                                     (!burst_first || rowq_wr_ready));

  always_comb begin
    ar_valid_d = ar_valid_q;
    if (m_axi_arready_i) ar_valid_d = 1'b0;
    if (burst_take && !burst_error) ar_valid_d = 1'b1;
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) ar_valid_q <= 1'b0;
    else         ar_valid_q <= ar_valid_d;
  end
  // An error pseudo-burst issues nothing and must not disturb a stalled AR.
  always_ff @(posedge clk_i) begin
    if (burst_take && !burst_error) begin
      ar_addr_q <= burst_addr;
      ar_len_q  <= burst_len;
    end
  end

  assign m_axi_arvalid_o = ar_valid_q;
  assign m_axi_arid_o    = '0;
  assign m_axi_araddr_o  = ar_addr_q;
  assign m_axi_arlen_o   = ar_len_q;
  assign m_axi_arsize_o  = 3'(OffWidth);
  assign m_axi_arburst_o = 2'b01;    // INCR
  assign m_axi_arcache_o = 4'b0011;  // normal non-cacheable bufferable
  assign m_axi_arprot_o  = 3'b000;

  assign r_done_burst = r_fire && m_axi_rlast_i;
  always_comb begin
    outstanding_d = outstanding_q;
    if (burst_take && !burst_error) outstanding_d = outstanding_d + 1'b1;
    if (r_done_burst)               outstanding_d = outstanding_d - 1'b1;
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) outstanding_q <= '0;
    else         outstanding_q <= outstanding_d;
  end

  tessera_fifo #(
    .Width(RowInfoWidth),
    .Depth(MaxOutstanding)
  ) u_row_queue (
    .clk_i,
    .rst_ni,
    .clr_i     (rowq_clear),
    .wr_valid_i(burst_take && !burst_error && burst_first),
    .wr_ready_o(rowq_wr_ready),
    .wr_data_i ({burst_desc_last, burst_row_beats, burst_row_bytes, burst_row_offset}),
    .rd_valid_o(rowq_valid),
    .rd_ready_i(rowq_pop),
    .rd_data_o (rowq_data)
  );

  // ---------------------------------------------------------------------------------------
  // R data: realign each row to lane 0
  // ---------------------------------------------------------------------------------------
  logic                 row_desc_last;
  logic [BeatWidth-1:0] row_in_beats;   // bus beats of the current row
  logic [LenWidth-1:0]  row_len;
  logic [OffWidth-1:0]  row_off;
  assign {row_desc_last, row_in_beats, row_len, row_off} = rowq_data;

  logic [BeatWidth-1:0] row_out_beats;  // output beats of the current row
  logic [BeatWidth-1:0] in_count_d, in_count_q;  // bus beats of the row consumed so far
  logic [DataWidth-1:0] prev_q;                  // the previous bus beat of the row
  logic                 flush_d, flush_q;        // the row's last output waits in prev_q
  logic                 row_needs_flush, beat_is_last_in, beat_produces, out_load;
  logic [BeatWidth-1:0] out_index;      // which output beat of the row is produced now
  logic [LenWidth:0]    bytes_left;

  assign row_out_beats   = (BeatWidth'(row_len) + BeatWidth'(BusBytes - 1)) >> OffWidth;
  assign row_needs_flush = row_off != '0 && row_in_beats == row_out_beats &&
                           row_out_beats > BeatWidth'(1);
  assign beat_is_last_in = in_count_q == row_in_beats - 1'b1;
  // A bus beat yields an output unless it is the first of an unaligned multi-beat row.
  assign beat_produces   = row_off == '0 || in_count_q != '0 || row_in_beats == BeatWidth'(1);

  // Output register: loaded when empty or being emptied.
  logic out_free;
  assign out_free = !out_valid_o || out_ready_i;

  // RREADY: discard everything after an error; otherwise take a beat when its output (if
  // any) has room, and not while a row's flush beat is pending.
  assign m_axi_rready_o = error_q || dead_q ||
                          (rowq_valid && !flush_q && (!beat_produces || out_free));
  assign r_fire         = m_axi_rvalid_i && m_axi_rready_o;

  always_comb begin
    out_index = flush_q ? row_out_beats - 1'b1
              : (row_off == '0 || in_count_q == '0) ? in_count_q : in_count_q - 1'b1;
  end
  assign bytes_left = {1'b0, row_len} - ((LenWidth+1)'(out_index) << OffWidth);

  logic                 term_load;      // load the error-terminating beat
  logic                 data_load;      // load a data beat (from R or a flush)
  logic                 row_ends;       // the data beat being loaded is the row's last
  logic [DataWidth-1:0] data_beat;
  logic [OffWidth:0]    data_bytes;

  // A beat that carries an error response is never passed on.
  assign data_load  = !error_q && !dead_q && out_free &&
                      (flush_q || (r_fire && beat_produces &&
                                   m_axi_rresp_i == tessera_pkg::AxiRespOkay));
  assign term_load  = error_q && out_free && (dead_q || (outstanding_q == '0 && !ar_valid_q));
  assign out_load   = data_load || term_load;
  assign row_ends   = flush_q || (beat_is_last_in && !row_needs_flush);
  assign data_bytes = (bytes_left > (LenWidth+1)'(BusBytes)) ? (OffWidth+1)'(BusBytes)
                                                            : (OffWidth+1)'(bytes_left);
  always_comb begin
    if (row_off == '0)          data_beat = m_axi_rdata_i;
    else if (flush_q)           data_beat = funnel(prev_q, prev_q, {1'b0, row_off});
    else if (in_count_q == '0)  data_beat = funnel(m_axi_rdata_i, m_axi_rdata_i, {1'b0, row_off});
    else                        data_beat = funnel(m_axi_rdata_i, prev_q, {1'b0, row_off});
  end

  assign rowq_pop   = !error_q && !dead_q && ((flush_q && out_free) ||
                                   (r_fire && beat_is_last_in && !row_needs_flush));
  assign rowq_clear = term_load;

  always_comb begin
    in_count_d = in_count_q;
    flush_d    = flush_q;
    if (flush_q && out_free) flush_d = 1'b0;
    if (r_fire) begin
      in_count_d = beat_is_last_in ? '0 : in_count_q + 1'b1;
      if (beat_is_last_in && row_needs_flush) flush_d = 1'b1;
    end
    if (error_q || dead_q) begin  // everything after an error is discarded
      in_count_d = '0;
      flush_d    = 1'b0;
    end
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      in_count_q <= '0;
      flush_q    <= 1'b0;
    end else begin
      in_count_q <= in_count_d;
      flush_q    <= flush_d;
    end
  end
  always_ff @(posedge clk_i) begin
    if (r_fire) prev_q <= m_axi_rdata_i;
  end

  // Output register
  logic                 out_valid_d, out_valid_q, out_row_last_q, out_last_q;
  logic [DataWidth-1:0] out_data_q;
  logic [OffWidth:0]    out_bytes_q;
  logic [2:0]           out_error_q;

  always_comb begin
    out_valid_d = out_valid_q;
    if (out_ready_i) out_valid_d = 1'b0;
    if (out_load)    out_valid_d = 1'b1;
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) out_valid_q <= 1'b0;
    else         out_valid_q <= out_valid_d;
  end
  always_ff @(posedge clk_i) begin
    if (out_load) begin
      out_data_q     <= term_load ? '0 : data_beat;
      out_bytes_q    <= term_load ? '0 : data_bytes;
      out_row_last_q <= term_load || row_ends;
      out_last_q     <= term_load || (row_ends && row_desc_last);
      out_error_q    <= term_load ? error_code_q : tessera_pkg::DmaOk;
    end
  end
  assign out_valid_o    = out_valid_q;
  assign out_data_o     = out_data_q;
  assign out_bytes_o    = out_bytes_q;
  assign out_row_last_o = out_row_last_q;
  assign out_last_o     = out_last_q;
  assign out_error_o    = out_error_q;

  // ---------------------------------------------------------------------------------------
  // Descriptor state and errors
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
    end else if (r_fire && !error_q && m_axi_rresp_i != tessera_pkg::AxiRespOkay) begin
      error_set  = 1'b1;
      error_code = tessera_pkg::dma_error_of_resp(m_axi_rresp_i);
    end
  end

  always_comb begin
    descs_d      = descs_q + 2'(desc_fire) -
                   2'(out_load && (term_load || (row_ends && row_desc_last)));
    error_d      = error_q;
    error_code_d = error_code_q;
    if (error_set && !error_q) begin
      error_d      = 1'b1;
      error_code_d = error_code;
    end
    if (term_load && descs_q == 2'd1) error_d = 1'b0;  // each descriptor ends with its beat
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      descs_q      <= 2'd0;
      error_q      <= 1'b0;
      error_code_q <= tessera_pkg::DmaOk;
    end else begin
      descs_q      <= descs_d;
      error_q      <= error_d;
      error_code_q <= error_code_d;
    end
  end

  // ---------------------------------------------------------------------------------------
  // Bus watchdog: cycles in a row spent waiting on the bus with no handshake
  // ---------------------------------------------------------------------------------------
  logic waiting_on_bus;
  assign waiting_on_bus = (ar_valid_q && !m_axi_arready_i) ||
                          (outstanding_q != '0 && m_axi_rready_o && !m_axi_rvalid_i);
  tessera_bus_watchdog #(
    .TimeoutCycles(TimeoutCycles)
  ) u_watchdog (
    .clk_i,
    .rst_ni,
    .waiting_i(waiting_on_bus),
    .timeout_o(timeout),
    .dead_o   (dead_q)
  );

  // Unused: the R channel's ID (one ID only; AXI returns its bursts in order) and the
  // last-burst-of-row flag (rows end by beat count here).
  logic unused_signals;
  assign unused_signals = ^{m_axi_rid_i, burst_last};

  `TESSERA_ASSERT(ArHeldWhileStalled_A,
                  (m_axi_arvalid_o && !m_axi_arready_i) |=>
                      (m_axi_arvalid_o && $stable(m_axi_araddr_o) && $stable(m_axi_arlen_o)),
                  clk_i, rst_ni)
  `TESSERA_ASSERT(AddrGenIdleOnDescriptor_A, desc_fire && !dead_q |-> addr_gen_idle, clk_i, rst_ni)
  `TESSERA_ASSERT(AtMostTwoDescriptors_A, !(desc_fire && descs_q == 2'd2), clk_i, rst_ni)
  `TESSERA_ASSERT(NoEndWithoutDescriptor_A,
                  out_load && (term_load || (row_ends && row_desc_last)) |-> descs_q != 2'd0,
                  clk_i, rst_ni)
  `TESSERA_ASSERT(NoDataWithoutBurst_A, m_axi_rvalid_i |-> outstanding_q != '0, clk_i, rst_ni)
  `TESSERA_ASSERT(OutHeldWhileStalled_A,
                  (out_valid_o && !out_ready_i) |=> (out_valid_o && $stable(out_data_o)),
                  clk_i, rst_ni)

endmodule
