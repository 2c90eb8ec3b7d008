// SPDX-License-Identifier: Apache-2.0
// tessera_cmd_fetch: fetches commands from the host's ring (docs/isa.md, "Ring and doorbell").
//
// Function:   while enabled and head != tail, reads the next commands of the ring through
//             the DMA read engine - up to MaxBatch at a time, never across the ring's end,
//             each batch once the command queue can take all of it - cuts the stream into 64-byte
//             commands (tessera_line_packer) and queues each with its ring index. head_o is
//             the index of the next command to fetch: it moves past a command once all its
//             bytes are in. A ring that is not usable (RING_SIZE not a power of two,
//             RING_BASE not 64-byte aligned, or a tail more than RING_SIZE commands ahead of
//             the head: the host cannot have written that many) or a failed fetch stops the
//             fetcher with
//             error_o / error_code_o (docs/isa.md codes) and error_index_o = head_o, until
//             clr_i (soft reset), which empties the queue and moves head to the tail. clr_i
//             may only come while no fetch is in flight (!busy_o).
// Latency:    a command is queued the cycle its last byte arrives from the read engine.
// Throughput: one command per 64/(BusWidth/8) cycles while a batch streams; one descriptor
//             (and the memory latency) per batch.
`include "tessera_assert.svh"

module tessera_cmd_fetch #(
  parameter int BusWidth   = tessera_pkg::DefaultBusWidth,
  parameter int QueueDepth = 32,  // commands fetched ahead: 2 KiB, distributed RAM
  parameter int MaxBatch   = 16,
  localparam int BusBytes    = BusWidth / 8,
  localparam int CountWidth  = $clog2(BusBytes) + 1,
  localparam int CmdBits     = tessera_isa_pkg::CommandBits,
  localparam int AddrWidth   = tessera_pkg::DmaAddrWidth
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  input  logic                  clr_i,
  // Ring configuration and doorbell (registers)
  input  logic                  enable_i,
  input  logic [AddrWidth-1:0]  ring_base_i,
  input  logic [31:0]           ring_size_i,
  input  logic [31:0]           ring_tail_i,
  output logic [31:0]           head_o,
  // DMA read engine (this client's share of it)
  output logic                  rd_desc_valid_o,
  input  logic                  rd_desc_ready_i,
  output tessera_pkg::dma_desc_t rd_desc_o,
  input  logic                  rd_valid_i,
  output logic                  rd_ready_o,
  input  logic [BusWidth-1:0]   rd_data_i,
  input  logic [CountWidth-1:0] rd_bytes_i,
  input  logic                  rd_row_last_i,
  input  logic                  rd_last_i,
  input  logic [2:0]            rd_error_i,
  // Fetched commands
  output logic                  cmd_valid_o,
  input  logic                  cmd_ready_i,
  output logic [CmdBits-1:0]    cmd_o,
  output logic [31:0]           cmd_index_o,
  output logic                  busy_o,
  // Stop
  output logic                  error_o,
  output logic [7:0]            error_code_o,
  output logic [31:0]           error_index_o
);

  localparam int CmdBytes    = tessera_isa_pkg::CommandBytes;
  localparam int CreditWidth = $clog2(QueueDepth + 1);

  logic [31:0]            head_d, head_q;          // next command to fetch (and its index)
  logic                   in_flight_d, in_flight_q, stopped_d, stopped_q, error_d, error_q;
  logic [7:0]             error_code_d, error_code_q;
  logic [CreditWidth-1:0] reserved_d, reserved_q;  // queue slots taken or promised
  logic                   ring_ok, want_fetch, issue, error_beat, queued, popped;
  logic [31:0]            slot, pending, to_end, batch;

  // ---- Ring geometry --------------------------------------------------------------------
  assign slot    = head_q & (ring_size_i - 32'd1);
  assign pending = ring_tail_i - head_q;
  assign ring_ok = ring_size_i != '0 && (ring_size_i & (ring_size_i - 32'd1)) == '0 &&
                   ring_base_i[5:0] == '0 && pending <= ring_size_i;
  assign to_end  = ring_size_i - slot;

  // A batch is never cut short by queue space: it waits until the whole batch fits, so
  // each descriptor (and its memory latency) brings as many commands as it can.
  always_comb begin
    batch = pending;
    if (batch > to_end) batch = to_end;
    if (batch > 32'(MaxBatch)) batch = 32'(MaxBatch);
  end

  assign want_fetch      = enable_i && !stopped_q && !in_flight_q && pending != '0 &&
                           32'(reserved_q) + batch <= 32'(QueueDepth);
  assign rd_desc_valid_o = want_fetch && ring_ok;
  // dma_desc_t: `batch` commands from the head's slot, one per row.
  assign rd_desc_o       = {ring_base_i + (AddrWidth'(slot) << 6), tessera_pkg::DmaLenWidth'(CmdBytes),
                            tessera_pkg::DmaRowsWidth'(batch), AddrWidth'(CmdBytes)};
  assign issue           = rd_desc_valid_o && rd_desc_ready_i;

  // ---- The stream, cut into commands ----------------------------------------------------
  assign error_beat = rd_valid_i && rd_last_i && rd_error_i != tessera_pkg::DmaOk;

  logic                  pk_in_ready, pk_valid, pk_last, q_ready, unused_row_first;
  logic [8*CmdBytes-1:0] pk_cmd;

  tessera_line_packer #(
    .BusBytes(BusBytes),
    .MaxUnit (CmdBytes)
  ) u_packer (
    .clk_i,
    .rst_ni,
    .flush_i        (error_beat),
    .unit_shift_i   (3'(6)),  // 64-byte units
    .in_valid_i     (rd_valid_i && !error_beat),
    .in_ready_o     (pk_in_ready),
    .in_data_i      (rd_data_i),
    .in_bytes_i     (rd_bytes_i),
    .in_row_last_i  (rd_row_last_i),
    .in_last_i      (rd_last_i),
    .out_valid_o    (pk_valid),
    .out_ready_i    (q_ready),
    .out_data_o     (pk_cmd),
    .out_row_first_o(unused_row_first),
    .out_last_o     (pk_last)
  );
  assign rd_ready_o = error_beat || pk_in_ready;
  assign queued     = pk_valid && q_ready;

  tessera_fifo #(
    .Width(CmdBits + 32),
    .Depth(QueueDepth)
  ) u_queue (
    .clk_i,
    .rst_ni,
    .clr_i,
    .wr_valid_i(pk_valid),
    .wr_ready_o(q_ready),
    .wr_data_i ({head_q, pk_cmd}),
    .rd_valid_o(cmd_valid_o),
    .rd_ready_i(cmd_ready_i),
    .rd_data_o ({cmd_index_o, cmd_o})
  );
  assign popped = cmd_valid_o && cmd_ready_i;

  // ---- State ----------------------------------------------------------------------------
  always_comb begin
    head_d       = head_q;
    in_flight_d  = in_flight_q;
    stopped_d    = stopped_q;
    error_d      = 1'b0;
    error_code_d = error_code_q;
    if (want_fetch && !ring_ok) begin
      stopped_d    = 1'b1;
      error_d      = 1'b1;
      error_code_d = tessera_isa_pkg::ErrBadRing;
    end
    if (issue) in_flight_d = 1'b1;
    if (queued) begin
      head_d = head_q + 32'd1;
      if (pk_last) in_flight_d = 1'b0;
    end
    if (error_beat) begin
      in_flight_d  = 1'b0;
      stopped_d    = 1'b1;
      error_d      = 1'b1;
      error_code_d = tessera_pkg::isa_error_of_dma(rd_error_i);
    end
    // Slots are reserved for a whole batch when it is requested and freed as commands
    // leave; a failed batch keeps its slots until the soft reset that must follow.
    reserved_d = reserved_q + (issue ? CreditWidth'(batch) : '0) - CreditWidth'(popped);
    if (clr_i) begin
      // Soft reset: drop the queue and skip to the doorbell, as docs/isa.md says. Only
      // while no fetch is in flight (the engine lets the read engine drain first).
      head_d       = ring_tail_i;
      in_flight_d  = in_flight_q;
      stopped_d    = 1'b0;
      error_d      = 1'b0;
      error_code_d = error_code_q;
      reserved_d   = '0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      head_q       <= '0;
      in_flight_q  <= 1'b0;
      stopped_q    <= 1'b0;
      error_q      <= 1'b0;
      error_code_q <= '0;
      reserved_q   <= '0;
    end else begin
      head_q       <= head_d;
      in_flight_q  <= in_flight_d;
      stopped_q    <= stopped_d;
      error_q      <= error_d;
      error_code_q <= error_code_d;
      reserved_q   <= reserved_d;
    end
  end

  assign head_o        = head_q;
  assign busy_o        = in_flight_q;
  assign error_o       = error_q;
  assign error_code_o  = error_code_q;
  assign error_index_o = head_q;

  // Unused: the packer's row-start flag (every row is one command).
  logic unused_bits;
  assign unused_bits = unused_row_first;

  `TESSERA_ASSERT(QueueHasRoom_A, pk_valid |-> q_ready, clk_i, rst_ni)
  `TESSERA_ASSERT(ClearWhenIdle_A, clr_i |-> !in_flight_q, clk_i, rst_ni)
  `TESSERA_ASSERT(BatchFitsQueue_A, issue |-> 32'(reserved_q) + batch <= 32'(QueueDepth),
                  clk_i, rst_ni)

endmodule
