// SPDX-License-Identifier: Apache-2.0
// tessera_cmd_path: the engine's command path, from the ring to the units.
//
// Function:   tessera_cmd_fetch reads the host's command ring; tessera_dispatch checks each
//             command and routes it (by the command-set table) to its unit's queue, or runs
//             it itself (FENCE); behind each queue a tessera_dep_gate starts the unit's
//             commands once their dependency tokens are there. Units form a chain in
//             tessera_isa_pkg's unit order: unit u's previous unit is u - 1, its next u + 1,
//             with one tessera_token_counter per direction between neighbours. A unit's
//             run-time failure (done with an error code) or the fetcher's stops the engine
//             through the dispatcher, reported against the failing command's ring index; so
//             does a token given to a neighbour already owed MAX_TOKENS (TOKEN_OVERFLOW,
//             against the giving command), and a deadlock: for DeadlockCycles cycles the
//             dispatcher waits on the units (a full queue, or a FENCE) while every unit is
//             idle, every queued command waits for a token and no DMA transfer is in flight -
//             then nothing can ever move again (DEADLOCK, against the command the dispatcher
//             holds).
// Soft reset: soft_reset_i stops issuing work; once the fetcher, every unit and the DMA
//             engines are idle (dma_idle_i: the AXI protocol is never cut mid-burst) it
//             clears the fetcher, the dispatcher, the queues, the gates and the tokens for
//             one cycle and RING_HEAD becomes RING_TAIL.
// Latency:    a fetched command reaches its unit's queue one cycle after the dispatcher takes
//             it, and the unit in the cycle after that if its tokens are there.
// Throughput: one command per cycle through the dispatcher; each unit one at a time.
`include "tessera_assert.svh"

module tessera_cmd_path #(
  parameter int NumRows          = tessera_pkg::DefaultNumRows,
  parameter int NumCols          = tessera_pkg::DefaultNumCols,
  parameter int BusWidth         = tessera_pkg::DefaultBusWidth,
  parameter int ScratchpadLines  = tessera_pkg::DefaultScratchpadLines,
  parameter int AccumulatorLines = tessera_pkg::DefaultAccumulatorLines,
  parameter int QTableEntries    = tessera_pkg::DefaultQTableEntries,
  parameter int QueueDepth       = tessera_isa_pkg::UnitQueueDepth,  // commands queued per unit
  parameter int DeadlockCycles   = 64,  // how long nothing may move before DEADLOCK
  localparam int NumUnits   = tessera_isa_pkg::NumUnits,
  localparam int CmdBits    = tessera_isa_pkg::CommandBits,
  localparam int AddrWidth  = tessera_pkg::DmaAddrWidth,
  localparam int BusBytes   = BusWidth / 8,
  localparam int CountWidth = $clog2(BusBytes) + 1
) (
  input  logic                        clk_i,
  input  logic                        rst_ni,
  // Registers: ring, doorbell, soft reset
  input  logic                        enable_i,
  input  logic                        soft_reset_i,
  input  logic [AddrWidth-1:0]        ring_base_i,
  input  logic [31:0]                 ring_size_i,
  input  logic [31:0]                 ring_tail_i,
  output logic [31:0]                 ring_head_o,
  input  logic [63:0]                 cycles_i,       // the cycle counter (FENCE TIMESTAMP)
  input  logic [31:0]                 dw_busy_i,      // DEPTHWISE_BUSY's low word (the same)
  // Engine status and events
  output logic                        busy_o,
  output logic                        error_o,
  output logic [7:0]                  error_code_o,
  output logic [31:0]                 error_index_o,
  output logic                        event_fence_o,
  output logic                        event_error_o,
  output logic                        fetch_busy_o,
  output logic [NumUnits-1:0]         unit_stall_o,   // a unit's next command waits for tokens
  output logic                        fence_done_o,
  // DMA read engine share (the fetcher)
  output logic                        rd_desc_valid_o,
  input  logic                        rd_desc_ready_i,
  output tessera_pkg::dma_desc_t      rd_desc_o,
  input  logic                        rd_valid_i,
  output logic                        rd_ready_o,
  input  logic [BusWidth-1:0]         rd_data_i,
  input  logic [CountWidth-1:0]       rd_bytes_i,
  input  logic                        rd_row_last_i,
  input  logic                        rd_last_i,
  input  logic [2:0]                  rd_error_i,
  // DMA write engine share (fences)
  output logic                        wr_desc_valid_o,
  input  logic                        wr_desc_ready_i,
  output tessera_pkg::dma_desc_t      wr_desc_o,
  output logic                        wr_valid_o,
  input  logic                        wr_ready_i,
  output logic [BusWidth-1:0]         wr_data_o,
  output logic                        wr_last_o,
  input  logic                        wr_status_valid_i,
  output logic                        wr_status_ready_o,
  input  logic [2:0]                  wr_status_error_i,
  input  logic                        dma_idle_i,     // both DMA engines idle
  // Units, in tessera_isa_pkg's unit order: commands, completion, idle
  output logic [NumUnits-1:0]         unit_valid_o,
  input  logic [NumUnits-1:0]         unit_ready_i,
  output logic [NumUnits*CmdBits-1:0] unit_cmd_o,
  input  logic [NumUnits-1:0]         unit_done_i,
  input  logic [NumUnits-1:0]         unit_release_i,  // PUSH_PREV may go (tessera_dep_gate)
  input  logic [NumUnits*8-1:0]       unit_error_i,   // with done: ErrNone or the failure
  input  logic [NumUnits-1:0]         unit_idle_i
);

  localparam int QueueWidth = CmdBits + 32;  // a command and its ring index
  localparam int NumLinks   = NumUnits - 1;  // neighbour pairs

  // ---- Soft reset: stop issuing, drain, then clear -------------------------------------
  logic sr_pending_d, sr_pending_q, drained, clr;
  logic [NumUnits-1:0] q_valid;

  assign drained      = dma_idle_i && !fetch_busy_o && &unit_idle_i;
  assign clr          = sr_pending_q && drained;
  assign sr_pending_d = soft_reset_i || (sr_pending_q && !drained);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) sr_pending_q <= 1'b0;
    else         sr_pending_q <= sr_pending_d;
  end

  // ---- Fetch ------------------------------------------------------------------------------
  logic               fcmd_valid, fcmd_ready, fetch_error;
  logic [CmdBits-1:0] fcmd;
  logic [31:0]        fcmd_index, fetch_error_index;
  logic [7:0]         fetch_error_code;

  // A deep queue: the fetcher reads the commands of a whole weight panel (up to 128 COMPUTEs)
  // while the previous one computes, so that compute does not starve while a long weight
  // LOAD holds the read engine (FC 2048 -> 1000 at M = 16: 50 % -> 61 %; 7x7x2048 -> 512:
  // 65 % -> 87 %). 8 KiB of distributed RAM; batches of 32 halve the descriptors.
  tessera_cmd_fetch #(
    .BusWidth  (BusWidth),
    .QueueDepth(128),
    .MaxBatch  (32)
  ) u_fetch (
    .clk_i,
    .rst_ni,
    .clr_i        (clr),
    .enable_i     (enable_i && !sr_pending_q),
    .ring_base_i,
    .ring_size_i,
    .ring_tail_i,
    .head_o       (ring_head_o),
    .rd_desc_valid_o,
    .rd_desc_ready_i,
    .rd_desc_o,
    .rd_valid_i,
    .rd_ready_o,
    .rd_data_i,
    .rd_bytes_i,
    .rd_row_last_i,
    .rd_last_i,
    .rd_error_i,
    .cmd_valid_o  (fcmd_valid),
    .cmd_ready_i  (fcmd_ready),
    .cmd_o        (fcmd),
    .cmd_index_o  (fcmd_index),
    .busy_o       (fetch_busy_o),
    .error_o      (fetch_error),
    .error_code_o (fetch_error_code),
    .error_index_o(fetch_error_index)
  );

  // ---- Run-time failures: the fetcher's, else the first unit's in unit order ------------
  // In priority order: the fetcher, a unit (the first in unit order), a token overflow, a
  // deadlock.
  logic [NumUnits*32-1:0] done_tag;  // ring index of each unit's completing command
  logic                   run_error, dispatch_busy, units_idle, deadlock;
  logic [7:0]             run_error_code;
  logic [31:0]            run_error_index, blocked_index;
  logic [NumLinks-1:0]    fwd_overflow, bwd_overflow;

  always_comb begin
    run_error       = deadlock;
    run_error_code  = tessera_isa_pkg::ErrDeadlock;
    run_error_index = blocked_index;
    for (int k = NumLinks - 1; k >= 0; k--) begin
      if (bwd_overflow[k]) begin  // given by unit k + 1
        run_error       = 1'b1;
        run_error_code  = tessera_isa_pkg::ErrTokenOverflow;
        run_error_index = done_tag[32*(k+1) +: 32];
      end
      if (fwd_overflow[k]) begin  // given by unit k
        run_error       = 1'b1;
        run_error_code  = tessera_isa_pkg::ErrTokenOverflow;
        run_error_index = done_tag[32*k +: 32];
      end
    end
    for (int u = NumUnits - 1; u >= 0; u--) begin
      if (unit_done_i[u] && unit_error_i[8*u +: 8] != tessera_isa_pkg::ErrNone) begin
        run_error       = 1'b1;
        run_error_code  = unit_error_i[8*u +: 8];
        run_error_index = done_tag[32*u +: 32];
      end
    end
    if (fetch_error) begin
      run_error       = 1'b1;
      run_error_code  = fetch_error_code;
      run_error_index = fetch_error_index;
    end
  end

  // ---- Dispatch ---------------------------------------------------------------------------
  logic [NumUnits-1:0] q_push, q_push_ready, q_ready;
  logic                dispatch_blocked;
  logic [CmdBits-1:0]  dispatch_cmd;
  logic [31:0]         dispatch_index;

  assign units_idle = !(|q_valid) && &unit_idle_i;

  tessera_dispatch #(
    .NumRows         (NumRows),
    .NumCols         (NumCols),
    .ScratchpadLines (ScratchpadLines),
    .AccumulatorLines(AccumulatorLines),
    .QTableEntries   (QTableEntries),
    .BusWidth        (BusWidth)
  ) u_dispatch (
    .clk_i,
    .rst_ni,
    .clr_i             (clr),
    .cmd_valid_i       (fcmd_valid && !sr_pending_q),
    .cmd_ready_o       (fcmd_ready),
    .cmd_i             (fcmd),
    .cmd_index_i       (fcmd_index),
    .unit_valid_o      (q_push),
    .unit_ready_i      (q_push_ready),
    .unit_cmd_o        (dispatch_cmd),
    .unit_index_o      (dispatch_index),
    .units_idle_i      (units_idle),
    .unit_error_i      (run_error),
    .unit_error_code_i (run_error_code),
    .unit_error_index_i(run_error_index),
    .cycles_i,
    .dw_busy_i,
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
    .busy_o            (dispatch_busy),
    .error_o,
    .error_code_o,
    .error_index_o,
    .event_fence_o,
    .event_error_o,
    .fence_done_o,
    .blocked_o         (dispatch_blocked),
    .blocked_index_o   (blocked_index)
  );

  assign busy_o = !drained || dispatch_busy || fcmd_valid || |q_valid || sr_pending_q;

  // ---- Tokens between neighbours: link k joins unit k (previous) and k + 1 (next) -------
  // fwd[k]: tokens unit k gave unit k + 1 (e.g. load -> compute); bwd[k]: the other way.
  logic [NumUnits-1:0] prev_avail, next_avail, prev_pop, next_pop, prev_push, next_push;
  logic [NumLinks-1:0] fwd_avail, bwd_avail;

  for (genvar k = 0; k < NumLinks; k++) begin : g_link
    tessera_token_counter u_fwd (
      .clk_i,
      .rst_ni,
      .clr_i  (clr),
      .push_i (next_push[k]),
      .pop_i     (prev_pop[k+1]),
      .avail_o   (fwd_avail[k]),
      .overflow_o(fwd_overflow[k])
    );
    tessera_token_counter u_bwd (
      .clk_i,
      .rst_ni,
      .clr_i  (clr),
      .push_i (prev_push[k+1]),
      .pop_i     (next_pop[k]),
      .avail_o   (bwd_avail[k]),
      .overflow_o(bwd_overflow[k])
    );
  end
  // The first unit has no previous, the last no next: no token is ever available there
  // (the command set does not let them ask).
  assign prev_avail = {fwd_avail, 1'b0};
  assign next_avail = {1'b0, bwd_avail};

  // ---- Queues and gates, one per unit -----------------------------------------------------
  for (genvar u = 0; u < NumUnits; u++) begin : g_unit
    logic [CmdBits-1:0] head_cmd;
    logic [31:0]        head_index;

    tessera_fifo #(
      .Width(QueueWidth),
      .Depth(QueueDepth)
    ) u_queue (
      .clk_i,
      .rst_ni,
      .clr_i     (clr),
      .wr_valid_i(q_push[u]),
      .wr_ready_o(q_push_ready[u]),
      .wr_data_i ({dispatch_index, dispatch_cmd}),
      .rd_valid_o(q_valid[u]),
      .rd_ready_i(q_ready[u]),
      .rd_data_o ({head_index, head_cmd})
    );

    tessera_dep_gate #(
      .PayloadWidth(CmdBits),
      .TagWidth    (32)
    ) u_gate (
      .clk_i,
      .rst_ni,
      .clr_i        (clr),
      .in_valid_i   (q_valid[u] && !sr_pending_q),
      .in_ready_o   (q_ready[u]),
      .in_deps_i    (head_cmd[tessera_isa_pkg::HdrDepsLsb +: 4]),
      .in_payload_i (head_cmd),
      .in_tag_i     (head_index),
      .out_valid_o  (unit_valid_o[u]),
      .out_ready_i  (unit_ready_i[u]),
      .out_payload_o(unit_cmd_o[u*CmdBits +: CmdBits]),
      .done_i       (unit_done_i[u]),
      .release_i    (unit_release_i[u]),
      .done_tag_o   (done_tag[32*u +: 32]),
      .prev_avail_i (prev_avail[u]),
      .prev_pop_o   (prev_pop[u]),
      .next_avail_i (next_avail[u]),
      .next_pop_o   (next_pop[u]),
      .prev_push_o  (prev_push[u]),
      .next_push_o  (next_push[u]),
      .stall_o      (unit_stall_o[u])
    );
  end

  // ---- Deadlock: nothing has moved, and nothing can ------------------------------------
  localparam int StuckWidth = $clog2(DeadlockCycles + 1);
  logic                  stuck;
  logic [StuckWidth-1:0] stuck_d, stuck_q;

  always_comb begin
    stuck = dispatch_blocked && &unit_idle_i && dma_idle_i && !fetch_busy_o && !sr_pending_q;
    for (int u = 0; u < NumUnits; u++) begin
      if (q_valid[u] && !unit_stall_o[u]) stuck = 1'b0;  // that command can start
    end
    stuck_d = !stuck ? '0 : stuck_q == StuckWidth'(DeadlockCycles) ? stuck_q : stuck_q + 1'b1;
    if (clr) stuck_d = '0;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) stuck_q <= '0;
    else         stuck_q <= stuck_d;
  end
  // One pulse: the dispatcher stops on it and is then no longer blocked.
  assign deadlock = stuck && stuck_q == StuckWidth'(DeadlockCycles - 1);

  // Unused: the chain's ends have no neighbour on one side (the command set gives the first
  // unit no *_PREV flags and the last no *_NEXT flags; the checker enforces it).
  logic unused_ends;
  assign unused_ends = ^{prev_pop[0], prev_push[0], next_pop[NumUnits-1], next_push[NumUnits-1]};

  if (DeadlockCycles < 2) begin : g_bad_deadlock_cycles
    $error("tessera_cmd_path: DeadlockCycles must be at least 2 (a token takes a cycle to arrive)");
  end
  if (NumUnits < 2) begin : g_bad_units
    $error("tessera_cmd_path: the command set needs at least two units in a chain");
  end

  `TESSERA_ASSERT(NoTokenAtChainEnds_A,
                  !(prev_pop[0] || prev_push[0] || next_pop[NumUnits-1] || next_push[NumUnits-1]),
                  clk_i, rst_ni)
  `TESSERA_ASSERT(ClearOnlyWhenDrained_A, clr |-> drained, clk_i, rst_ni)

endmodule
