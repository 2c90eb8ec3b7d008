// SPDX-License-Identifier: Apache-2.0
// tessera_bus_watchdog: a DMA engine's bus timeout (BUS_TIMEOUT, docs/isa.md).
//
// Function:   counts the cycles in a row that waiting_i is high - the engine waits on the
//             bus and no handshake happens (the engine decides what waiting means for its
//             channels; a cycle without waiting_i starts the count again). In the
//             TimeoutCycles-th such cycle timeout_o pulses and dead_o rises; dead_o stays
//             high until rst_ni: the engine then abandons its bursts and refuses every
//             transfer, so a bus that never answers cannot keep it busy.
// Latency:    timeout_o in the TimeoutCycles-th consecutive waiting cycle; dead_o the cycle
//             after. Throughput: -.
module tessera_bus_watchdog #(
  parameter int TimeoutCycles = tessera_isa_pkg::BusTimeoutCycles
) (
  input  logic clk_i,
  input  logic rst_ni,
  input  logic waiting_i,
  output logic timeout_o,
  output logic dead_o
);

  localparam int WatchWidth = $clog2(TimeoutCycles + 1);

  logic [WatchWidth-1:0] count_d, count_q;
  logic                  dead_d, dead_q;

  assign timeout_o = !dead_q && waiting_i && count_q == WatchWidth'(TimeoutCycles - 1);

  always_comb begin
    count_d = waiting_i ? count_q + 1'b1 : '0;
    if (timeout_o || dead_q) count_d = '0;
    dead_d = dead_q || timeout_o;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      count_q <= '0;
      dead_q  <= 1'b0;
    end else begin
      count_q <= count_d;
      dead_q  <= dead_d;
    end
  end

  assign dead_o = dead_q;

  if (TimeoutCycles < 2) begin : g_bad_timeout
    $error("tessera_bus_watchdog: TimeoutCycles must be at least 2");
  end

endmodule
