// SPDX-License-Identifier: Apache-2.0
// tessera_dispatch: checks fetched commands and hands them to the units (docs/isa.md).
//
// Function:   takes commands in ring order. Each is checked (tessera_cmd_check); a failing
//             one stops the engine: error_o, its code and its ring index, event_error_o,
//             and nothing after it is dispatched until clr_i (soft reset). Every other
//             command goes to the queue of the unit the command-set table names for its
//             opcode (tessera_isa_pkg::unit_of_opcode, one-hot over NumUnits queues); an
//             opcode the table routes nowhere is BAD_OPCODE, never a guess. The opcodes the
//             table gives the dispatcher itself (FENCE) are barriers: it waits until every
//             unit queue is empty and every unit idle (units_idle_i), writes its completion
//             record through the DMA write engine - the 32-bit VALUE, or with TIMESTAMP 16
//             bytes {VALUE, DEPTHWISE_BUSY's low word (dw_busy_i), the cycle counter
//             (cycles_i)} at that moment - and on success
//             pulses event_fence_o if it asked for the interrupt. A unit that fails at run time
//             (unit_error_i, with the failing command's index) stops the engine the same
//             way; so does a failed fence write. blocked_o says the dispatcher waits on
//             the units (a full queue, or a fence's barrier), for the deadlock detector.
// Latency:    a command reaches its unit queue the cycle after it arrives (registered).
// Throughput: one command per cycle while the queues take them.
`include "tessera_assert.svh"

module tessera_dispatch #(
  parameter int NumRows          = tessera_pkg::DefaultNumRows,
  parameter int NumCols          = tessera_pkg::DefaultNumCols,
  parameter int ScratchpadLines  = tessera_pkg::DefaultScratchpadLines,
  parameter int AccumulatorLines = tessera_pkg::DefaultAccumulatorLines,
  parameter int QTableEntries    = tessera_pkg::DefaultQTableEntries,
  parameter int BusWidth         = tessera_pkg::DefaultBusWidth,
  localparam int CmdBits   = tessera_isa_pkg::CommandBits,
  localparam int NumUnits  = tessera_isa_pkg::NumUnits,
  localparam int BusBytes  = BusWidth / 8,
  // A fence record: 4 bytes, or 16 with TIMESTAMP, in one beat or (64-bit bus) two.
  localparam int RecordBeats  = BusBytes >= 16 ? 1 : 16 / BusBytes,
  localparam int BeatIdxWidth = tessera_pkg::index_width(RecordBeats)
) (
  input  logic                   clk_i,
  input  logic                   rst_ni,
  input  logic                   clr_i,
  // Fetched commands
  input  logic                   cmd_valid_i,
  output logic                   cmd_ready_o,
  input  logic [CmdBits-1:0]     cmd_i,
  input  logic [31:0]            cmd_index_i,
  // Unit queues, in tessera_isa_pkg's unit order
  output logic [NumUnits-1:0]    unit_valid_o,
  input  logic [NumUnits-1:0]    unit_ready_i,
  output logic [CmdBits-1:0]     unit_cmd_o,
  output logic [31:0]            unit_index_o,
  input  logic                   units_idle_i,    // every unit queue empty, every unit idle
  // Run-time failures reported by the units
  input  logic                   unit_error_i,
  input  logic [7:0]             unit_error_code_i,
  input  logic [31:0]            unit_error_index_i,
  // The cycle counter and DEPTHWISE_BUSY's low word, for FENCE TIMESTAMP
  input  logic [63:0]            cycles_i,
  input  logic [31:0]            dw_busy_i,
  // DMA write engine, for fences
  output logic                   wr_desc_valid_o,
  input  logic                   wr_desc_ready_i,
  output tessera_pkg::dma_desc_t wr_desc_o,
  output logic                   wr_valid_o,
  input  logic                   wr_ready_i,
  output logic [BusWidth-1:0]    wr_data_o,
  output logic                   wr_last_o,
  input  logic                   wr_status_valid_i,
  output logic                   wr_status_ready_o,
  input  logic [2:0]             wr_status_error_i,
  // Status and events
  output logic                   busy_o,
  output logic                   error_o,
  output logic [7:0]             error_code_o,
  output logic [31:0]            error_index_o,
  output logic                   event_fence_o,
  output logic                   event_error_o,
  output logic                   fence_done_o,   // pulse: a fence completed (retired)
  // Waiting on the units: the routed command's queue is full, or a FENCE waits for them;
  // blocked_index_o is that command's ring index (the engine's deadlock report)
  output logic                   blocked_o,
  output logic [31:0]            blocked_index_o
);

  typedef enum logic [2:0] {Run, FenceWait, FenceDesc, FenceData, FenceStatus, Stopped} state_e;
  state_e state_d, state_q, next_state;  // next_state: state_d, or Run on a soft reset

  logic [7:0]          check_error, decode_error, opcode;
  logic [NumUnits-1:0] unit;
  logic                is_barrier, take, route, fence_ok, stopping;
  logic                pending_d, pending_q;        // a routed command waits for its queue
  logic [NumUnits-1:0] pending_unit_d, pending_unit_q;
  logic [CmdBits-1:0]  pending_cmd_d, pending_cmd_q;
  logic [31:0]         pending_index_d, pending_index_q;
  logic [CmdBits-1:0]  fence_cmd_d, fence_cmd_q;
  logic [31:0]         fence_index_d, fence_index_q;
  logic [63:0]         fence_cycles_d, fence_cycles_q;
  logic [31:0]         fence_dw_busy_d, fence_dw_busy_q;
  logic [BeatIdxWidth-1:0] fence_beat_d, fence_beat_q;
  logic [7:0]          error_code_d, error_code_q;
  logic [31:0]         error_index_d, error_index_q;
  logic                event_fence_d, event_fence_q, event_error_d, event_error_q;

  tessera_cmd_check #(
    .NumRows         (NumRows),
    .NumCols         (NumCols),
    .ScratchpadLines (ScratchpadLines),
    .AccumulatorLines(AccumulatorLines),
    .QTableEntries   (QTableEntries),
    .BusWidth        (BusWidth)
  ) u_check (
    .cmd_i  (cmd_i),
    .error_o(check_error)
  );

  // Routing from the command-set table: a unit's queue, or the dispatcher itself.
  assign opcode       = cmd_i[tessera_isa_pkg::HdrOpcodeLsb +: 8];
  assign unit         = tessera_isa_pkg::unit_of_opcode(opcode);
  assign is_barrier   = tessera_isa_pkg::dispatch_runs_opcode(opcode);
  assign decode_error = check_error != tessera_isa_pkg::ErrNone ? check_error
                      : (!is_barrier && unit == '0)              ? tessera_isa_pkg::ErrBadOpcode
                                                                 : tessera_isa_pkg::ErrNone;

  // Take the next command when running and the routing register is free (or leaving now).
  logic pending_leaves;
  assign pending_leaves = pending_q && |(pending_unit_q & unit_ready_i);
  assign cmd_ready_o    = state_q == Run && !unit_error_i && (!pending_q || pending_leaves);
  assign take           = cmd_valid_i && cmd_ready_o;
  assign route          = take && decode_error == tessera_isa_pkg::ErrNone && !is_barrier;

  assign unit_valid_o = pending_q ? pending_unit_q : '0;
  assign unit_cmd_o   = pending_cmd_q;
  assign unit_index_o = pending_index_q;

  // ---- Fence: its completion record to DRAM_ADDR ----------------------------------------
  logic         fence_timestamp, fence_last_beat;
  logic [127:0] fence_record;  // {CYCLES, DEPTHWISE_BUSY, VALUE}; only VALUE without TIMESTAMP
  assign fence_timestamp = fence_cmd_q[tessera_isa_pkg::HdrModeLsb +
                                       tessera_isa_pkg::FenceModeTimestampBit];
  assign fence_record    = {fence_cycles_q, fence_dw_busy_q,
                            fence_cmd_q[tessera_isa_pkg::FenceValueLsb +: 32]};
  assign fence_last_beat = !fence_timestamp || fence_beat_q == BeatIdxWidth'(RecordBeats - 1);
  assign wr_desc_valid_o   = state_q == FenceDesc;
  assign wr_desc_o         = {fence_cmd_q[tessera_isa_pkg::FenceDramAddrLsb +: 64],
                              fence_timestamp ? 24'd16 : 24'd4, 16'd1, 64'd16};  // dma_desc_t
  assign wr_valid_o        = state_q == FenceData;
  assign wr_data_o         = BusWidth'(fence_record >> (32'(fence_beat_q) * BusWidth));
  assign wr_last_o         = fence_last_beat;
  assign wr_status_ready_o = state_q == FenceStatus;
  assign fence_ok          = state_q == FenceStatus && wr_status_valid_i &&
                             wr_status_error_i == tessera_pkg::DmaOk;

  always_comb begin
    state_d = state_q;
    unique case (state_q)
      Run: begin
        if (take && decode_error != tessera_isa_pkg::ErrNone) state_d = Stopped;
        else if (take && is_barrier) state_d = FenceWait;
      end
      FenceWait:   if (!pending_q && units_idle_i) state_d = FenceDesc;
      FenceDesc:   if (wr_desc_ready_i) state_d = FenceData;
      FenceData:   if (wr_ready_i && fence_last_beat) state_d = FenceStatus;
      FenceStatus: if (wr_status_valid_i) state_d = fence_ok ? Run : Stopped;
      Stopped:     state_d = Stopped;
      default:     state_d = Stopped;
    endcase
    if (unit_error_i && state_q != Stopped) state_d = Stopped;
  end
  assign stopping = state_q != Stopped && state_d == Stopped;
  assign next_state = clr_i ? Run : state_d;

  always_comb begin
    pending_d       = route || (pending_q && !pending_leaves);
    pending_unit_d  = route ? unit : pending_unit_q;
    pending_cmd_d   = route ? cmd_i : pending_cmd_q;
    pending_index_d = route ? cmd_index_i : pending_index_q;
    fence_cmd_d     = (take && is_barrier) ? cmd_i : fence_cmd_q;
    // The barrier is satisfied when the fence leaves FenceWait: that is the timestamp.
    fence_cycles_d  = (state_q == FenceWait) ? cycles_i : fence_cycles_q;
    fence_dw_busy_d = (state_q == FenceWait) ? dw_busy_i : fence_dw_busy_q;
    fence_beat_d    = state_q != FenceData ? '0
                    : wr_ready_i ? fence_beat_q + 1'b1 : fence_beat_q;
    fence_index_d   = (take && is_barrier) ? cmd_index_i : fence_index_q;
    event_fence_d   = fence_ok && fence_cmd_q[tessera_isa_pkg::HdrModeLsb +
                                              tessera_isa_pkg::FenceModeInterruptBit];
    event_error_d   = stopping;
    // The first failure is the one reported: a unit's, or else the command's, or else the
    // fence's.
    error_code_d  = error_code_q;
    error_index_d = error_index_q;
    if (stopping) begin
      if (unit_error_i) begin
        error_code_d  = unit_error_code_i;
        error_index_d = unit_error_index_i;
      end else if (state_q == FenceStatus) begin
        error_code_d  = tessera_pkg::isa_error_of_dma(wr_status_error_i);
        error_index_d = fence_index_q;
      end else begin
        error_code_d  = decode_error;
        error_index_d = cmd_index_i;
      end
    end
    if (clr_i) begin
      pending_d     = 1'b0;
      event_fence_d = 1'b0;
      event_error_d = 1'b0;
      error_code_d  = tessera_isa_pkg::ErrNone;
      error_index_d = '0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q       <= Run;
      pending_q     <= 1'b0;
      event_fence_q <= 1'b0;
      event_error_q <= 1'b0;
      error_code_q  <= tessera_isa_pkg::ErrNone;
      error_index_q <= '0;
    end else begin
      state_q       <= next_state;
      pending_q     <= pending_d;
      event_fence_q <= event_fence_d;
      event_error_q <= event_error_d;
      error_code_q  <= error_code_d;
      error_index_q <= error_index_d;
    end
  end

  // Reset-free: written with the command they hold before they are read.
  always_ff @(posedge clk_i) begin
    pending_unit_q  <= pending_unit_d;
    pending_cmd_q   <= pending_cmd_d;
    pending_index_q <= pending_index_d;
    fence_cmd_q     <= fence_cmd_d;
    fence_cycles_q  <= fence_cycles_d;
    fence_dw_busy_q <= fence_dw_busy_d;
    fence_beat_q    <= fence_beat_d;
    fence_index_q   <= fence_index_d;
  end

  assign busy_o        = state_q != Run || pending_q || cmd_valid_i || !units_idle_i;
  assign error_o       = state_q == Stopped;
  assign error_code_o  = error_code_q;
  assign error_index_o = error_index_q;
  assign event_fence_o = event_fence_q;
  assign event_error_o = event_error_q;
  assign fence_done_o  = fence_ok;
  assign blocked_o       = state_q != Stopped &&
                           ((pending_q && !pending_leaves) ||
                            (state_q == FenceWait && !pending_q && !units_idle_i));
  assign blocked_index_o = pending_q ? pending_index_q : fence_index_q;

  `TESSERA_ASSERT(OneUnitPerCommand_A, $onehot0(unit_valid_o), clk_i, rst_ni)
  `TESSERA_ASSERT(RoutedToAUnit_A, route |-> $onehot(unit), clk_i, rst_ni)

endmodule
