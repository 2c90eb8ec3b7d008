// SPDX-License-Identifier: Apache-2.0
// tessera_perf_events: what the engine's performance counters count (docs/registers.md).
//
// Function:   turns the engine's events into the increments of tessera_perf_counters, in
//             tessera_reg_pkg's Counter* order: cycles while enabled, the fetcher's and each
//             unit's busy cycles, MACs, DMA bytes read (every R beat is a full bus word) and
//             written (the W beats' strobes), cycles units waited for tokens (summed over the
//             units) or on the bus (per DMA engine with a transfer that moved no beat),
//             commands retired (each unit's done and each completed fence), and the cycles
//             the depthwise unit (inside the compute unit) held a command.
// Latency:    an event shows in its counter the next cycle. Throughput: every event every
//             cycle.
module tessera_perf_events #(
  parameter int BusWidth = tessera_pkg::DefaultBusWidth,
  localparam int NumUnits    = tessera_isa_pkg::NumUnits,
  localparam int NumCounters = tessera_reg_pkg::NumCounters,
  localparam int BusBytes    = BusWidth / 8
) (
  input  logic                      clk_i,
  input  logic                      rst_ni,
  input  logic                      clr_i,          // PERF_CTRL.CLEAR
  // Events
  input  logic                      enable_i,
  input  logic                      fetch_busy_i,
  input  logic [NumUnits-1:0]       unit_idle_i,
  input  logic                      dw_busy_i,      // the depthwise unit holds a command
  input  logic [NumUnits-1:0]       unit_done_i,
  input  logic [NumUnits-1:0]       unit_stall_i,
  input  logic [31:0]               macs_i,         // MACs of the COMPUTE started this cycle
  input  logic                      fence_done_i,
  input  logic                      rd_idle_i,      // DMA read engine without a transfer
  input  logic                      wr_idle_i,      // DMA write engine without a transfer
  input  logic                      axi_r_fire_i,
  input  logic                      axi_w_fire_i,
  input  logic [BusBytes-1:0]       axi_w_strb_i,
  input  logic                      axi_b_fire_i,
  // Counters
  output logic [NumCounters*64-1:0] counters_o
);

  localparam int IncWidth = 32;

  logic [NumCounters*IncWidth-1:0] inc;
  logic [31:0]                     wr_bytes, stalls, retired;

  always_comb begin
    wr_bytes = '0;
    for (int b = 0; b < BusBytes; b++) wr_bytes = wr_bytes + 32'(axi_w_fire_i && axi_w_strb_i[b]);
    stalls  = '0;
    retired = 32'(fence_done_i);
    for (int u = 0; u < NumUnits; u++) begin
      stalls  = stalls + 32'(unit_stall_i[u]);
      retired = retired + 32'(unit_done_i[u]);
    end
  end

  always_comb begin
    inc = '0;
    inc[IncWidth*tessera_reg_pkg::CounterCycles +: IncWidth]          = 32'(enable_i);
    inc[IncWidth*tessera_reg_pkg::CounterFetchBusy +: IncWidth]       = 32'(fetch_busy_i);
    inc[IncWidth*tessera_reg_pkg::CounterLoadBusy +: IncWidth]        =
        32'(!unit_idle_i[tessera_isa_pkg::UnitLoad]);
    inc[IncWidth*tessera_reg_pkg::CounterComputeBusy +: IncWidth]     =
        32'(!unit_idle_i[tessera_isa_pkg::UnitCompute]);
    inc[IncWidth*tessera_reg_pkg::CounterStoreBusy +: IncWidth]       =
        32'(!unit_idle_i[tessera_isa_pkg::UnitStore]);
    inc[IncWidth*tessera_reg_pkg::CounterMacs +: IncWidth]            = macs_i;
    inc[IncWidth*tessera_reg_pkg::CounterDmaReadBytes +: IncWidth]    =
        axi_r_fire_i ? 32'(BusBytes) : '0;
    inc[IncWidth*tessera_reg_pkg::CounterDmaWriteBytes +: IncWidth]   = wr_bytes;
    inc[IncWidth*tessera_reg_pkg::CounterStallDependency +: IncWidth] = stalls;
    inc[IncWidth*tessera_reg_pkg::CounterStallMemory +: IncWidth]     =
        32'(!rd_idle_i && !axi_r_fire_i) + 32'(!wr_idle_i && !axi_w_fire_i && !axi_b_fire_i);
    inc[IncWidth*tessera_reg_pkg::CounterCommandsRetired +: IncWidth] = retired;
    inc[IncWidth*tessera_reg_pkg::CounterDepthwiseBusy +: IncWidth]   = 32'(dw_busy_i);
  end

  tessera_perf_counters #(
    .NumCounters(NumCounters),
    .IncWidth   (IncWidth)
  ) u_counters (
    .clk_i,
    .rst_ni,
    .clr_i,
    .inc_i     (inc),
    .counters_o
  );

endmodule
