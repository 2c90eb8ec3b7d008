// tessera_dispatch: checks fetched commands and hands them to the units (docs/isa.md).
//
// Function:   takes commands in ring order. Each is checked (tessera_cmd_check); a failing
//             one stops the engine: error_o, its code and its ring index, event_error_o,
//             and nothing after it is dispatched until clr_i (soft reset). LOAD, COMPUTE
//             and STORE go to their unit's queue (unit_valid_o[0..2], in that order). FENCE
//             is a barrier: it waits until every unit queue is empty and every unit idle
//             (units_idle_i), writes its 32-bit value to its address through the DMA write
//             engine, and on success pulses event_fence_o if it asked for the interrupt.
//             A unit that fails at run time (unit_error_i, with the failing command's index)
//             stops the engine the same way; so does a failed fence write.
// Latency:    a command reaches its unit queue the cycle after it arrives (registered).
// Throughput: one command per cycle while the queues take them.
`include "tessera_assert.svh"

module tessera_dispatch #(
  parameter int NumRows          = tessera_pkg::DefaultNumRows,
  parameter int NumCols          = tessera_pkg::DefaultNumCols,
  parameter int ScratchpadLines  = 16384,
  parameter int AccumulatorLines = 1024,
  parameter int QTableEntries    = 1024,
  parameter int BusWidth         = 128,
  localparam int CmdBits   = tessera_isa_pkg::CommandBits,
  localparam int AddrWidth = tessera_pkg::DmaAddrWidth
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic                 clr_i,
  // Fetched commands
  input  logic                 cmd_valid_i,
  output logic                 cmd_ready_o,
  input  logic [CmdBits-1:0]   cmd_i,
  input  logic [31:0]          cmd_index_i,
  // Unit queues: 0 load, 1 compute, 2 store
  output logic [2:0]           unit_valid_o,
  input  logic [2:0]           unit_ready_i,
  output logic [CmdBits-1:0]   unit_cmd_o,
  output logic [31:0]          unit_index_o,
  input  logic                 units_idle_i,    // every unit queue empty, every unit idle
  // Run-time failures reported by the units
  input  logic                 unit_error_i,
  input  logic [7:0]           unit_error_code_i,
  input  logic [31:0]          unit_error_index_i,
  // DMA write engine, for fences
  output logic                 wr_desc_valid_o,
  input  logic                 wr_desc_ready_i,
  output logic [AddrWidth-1:0] wr_desc_addr_o,
  output logic [23:0]          wr_desc_row_bytes_o,
  output logic [15:0]          wr_desc_rows_o,
  output logic [AddrWidth-1:0] wr_desc_stride_o,
  output logic                 wr_valid_o,
  input  logic                 wr_ready_i,
  output logic [BusWidth-1:0]  wr_data_o,
  output logic                 wr_last_o,
  input  logic                 wr_status_valid_i,
  output logic                 wr_status_ready_o,
  input  logic [2:0]           wr_status_error_i,
  // Status and events
  output logic                 busy_o,
  output logic                 error_o,
  output logic [7:0]           error_code_o,
  output logic [31:0]          error_index_o,
  output logic                 event_fence_o,
  output logic                 event_error_o,
  output logic                 fence_done_o    // pulse: a fence completed (retired)
);

  typedef enum logic [2:0] {Run, FenceWait, FenceDesc, FenceData, FenceStatus, Stopped} state_e;
  state_e state_d, state_q;

  logic [7:0]  check_error, opcode;
  logic [1:0]  unit;
  logic        is_fence, take, route;
  logic        pending_q;                 // a routed command waits for its queue
  logic [2:0]  pending_unit_q;
  logic [CmdBits-1:0] pending_cmd_q;
  logic [31:0] pending_index_q;
  logic [7:0]  error_code_q;
  logic [31:0] error_index_q;
  logic        event_fence_q, event_error_q;

  tessera_cmd_check #(
    .NumRows         (NumRows),
    .NumCols         (NumCols),
    .ScratchpadLines (ScratchpadLines),
    .AccumulatorLines(AccumulatorLines),
    .QTableEntries   (QTableEntries)
  ) u_check (
    .cmd_i  (cmd_i),
    .error_o(check_error)
  );

  assign opcode   = cmd_i[tessera_isa_pkg::HdrOpcodeLsb +: 8];
  assign is_fence = opcode == tessera_isa_pkg::OpFence;
  always_comb begin
    unique case (opcode)
      tessera_isa_pkg::OpLoad:    unit = 2'd0;
      tessera_isa_pkg::OpCompute: unit = 2'd1;
      default:                    unit = 2'd2;
    endcase
  end

  // Take the next command when running and the routing register is free (or leaving now).
  logic pending_leaves;
  assign pending_leaves = pending_q && |(pending_unit_q & unit_ready_i);
  assign cmd_ready_o    = state_q == Run && !unit_error_i && (!pending_q || pending_leaves);
  assign take           = cmd_valid_i && cmd_ready_o;
  assign route          = take && check_error == tessera_isa_pkg::ErrNone && !is_fence;

  assign unit_valid_o = pending_q ? pending_unit_q : 3'b000;
  assign unit_cmd_o   = pending_cmd_q;
  assign unit_index_o = pending_index_q;

  // ---- Fence: the command held in the routing register's place --------------------------
  logic [CmdBits-1:0] fence_cmd_q;
  logic [31:0]        fence_index_q;
  assign wr_desc_valid_o     = state_q == FenceDesc;
  assign wr_desc_addr_o      = fence_cmd_q[tessera_isa_pkg::FenceDramAddrLsb +: 64];
  assign wr_desc_row_bytes_o = 24'd4;
  assign wr_desc_rows_o      = 16'd1;
  assign wr_desc_stride_o    = 64'd4;
  assign wr_valid_o          = state_q == FenceData;
  assign wr_data_o           = BusWidth'(fence_cmd_q[tessera_isa_pkg::FenceValueLsb +: 32]);
  assign wr_last_o           = 1'b1;
  assign wr_status_ready_o   = state_q == FenceStatus;

  always_comb begin
    state_d = state_q;
    unique case (state_q)
      Run: begin
        if (take && check_error != tessera_isa_pkg::ErrNone) state_d = Stopped;
        else if (take && is_fence) state_d = FenceWait;
      end
      FenceWait:   if (!pending_q && units_idle_i) state_d = FenceDesc;
      FenceDesc:   if (wr_desc_ready_i) state_d = FenceData;
      FenceData:   if (wr_ready_i) state_d = FenceStatus;
      FenceStatus: if (wr_status_valid_i) begin
                     state_d = wr_status_error_i == tessera_pkg::DmaOk ? Run : Stopped;
                   end
      Stopped:     state_d = Stopped;
      default:     state_d = Stopped;
    endcase
    if (unit_error_i && state_q != Stopped) state_d = Stopped;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q       <= Run;
      pending_q     <= 1'b0;
      event_fence_q <= 1'b0;
      event_error_q <= 1'b0;
      error_code_q  <= tessera_isa_pkg::ErrNone;
      error_index_q <= '0;
    end else if (clr_i) begin
      state_q       <= Run;
      pending_q     <= 1'b0;
      event_fence_q <= 1'b0;
      event_error_q <= 1'b0;
      error_code_q  <= tessera_isa_pkg::ErrNone;
      error_index_q <= '0;
    end else begin
      state_q       <= state_d;
      event_fence_q <= state_q == FenceStatus && wr_status_valid_i &&
                       wr_status_error_i == tessera_pkg::DmaOk &&
                       fence_cmd_q[tessera_isa_pkg::HdrModeLsb + tessera_isa_pkg::FenceModeInterruptBit];
      event_error_q <= state_q != Stopped && state_d == Stopped;
      if (pending_leaves) pending_q <= 1'b0;
      if (route) pending_q <= 1'b1;
      // The first failure is the one reported: a unit's, or else the command checker's, or
      // else the fence's.
      if (state_q != Stopped && state_d == Stopped) begin
        if (unit_error_i) begin
          error_code_q  <= unit_error_code_i;
          error_index_q <= unit_error_index_i;
        end else if (state_q == FenceStatus) begin
          error_code_q  <= tessera_pkg::isa_error_of_dma(wr_status_error_i);
          error_index_q <= fence_index_q;
        end else begin
          error_code_q  <= check_error;
          error_index_q <= cmd_index_i;
        end
      end
    end
  end

  always_ff @(posedge clk_i) begin
    if (route) begin
      pending_unit_q  <= 3'b001 << unit;
      pending_cmd_q   <= cmd_i;
      pending_index_q <= cmd_index_i;
    end
    if (take && is_fence) begin
      fence_cmd_q   <= cmd_i;
      fence_index_q <= cmd_index_i;
    end
  end

  assign busy_o        = state_q != Run || pending_q || cmd_valid_i || !units_idle_i;
  assign error_o       = state_q == Stopped;
  assign error_code_o  = error_code_q;
  assign error_index_o = error_index_q;
  assign event_fence_o = event_fence_q;
  assign event_error_o = event_error_q;
  assign fence_done_o  = state_q == FenceStatus && wr_status_valid_i &&
                         wr_status_error_i == tessera_pkg::DmaOk;

  `TESSERA_ASSERT(OneUnitAtATime_A, $onehot0(unit_valid_o), clk_i, rst_ni)

endmodule
