// SPDX-License-Identifier: Apache-2.0
// tessera_dma_share: two clients take turns on one DMA engine, a descriptor at a time.
//
// Function:   the engine takes one descriptor at a time, so whoever's descriptor it accepts
//             owns it until that transfer's end: for the read engine the stream beat with
//             last, for the write engine the status. Client 0 wins when both ask in the
//             same cycle, unless it had the previous turn (so neither starves). Descriptors,
//             handshakes and write data go between the engine and the owner only (read data
//             and status payloads reach both clients as wires; only the owner sees valid); a
//             client's descriptor is accepted only when the engine is free.
// Latency:    none (combinational routing); the owner register changes at the turn's ends.
// Throughput: that of the engine.
`include "tessera_assert.svh"

module tessera_dma_share #(
  parameter int DescWidth = tessera_pkg::DmaDescWidth,  // tessera_pkg::dma_desc_t
  parameter int BackWidth = 1     // client -> engine payload per beat (write data)
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  // Clients
  input  logic [1:0]           desc_valid_i,
  output logic [1:0]           desc_ready_o,
  input  logic [2*DescWidth-1:0] desc_i,
  output logic [1:0]           fwd_valid_o,    // engine beat to the owner
  input  logic [1:0]           fwd_ready_i,
  input  logic [1:0]           back_valid_i,   // owner beat to the engine
  output logic [1:0]           back_ready_o,
  input  logic [2*BackWidth-1:0] back_i,
  // Engine
  output logic                 eng_desc_valid_o,
  input  logic                 eng_desc_ready_i,
  output logic [DescWidth-1:0] eng_desc_o,
  input  logic                 eng_fwd_valid_i,
  output logic                 eng_fwd_ready_o,
  input  logic                 eng_fwd_end_i,  // this beat ends the turn (last beat / status)
  output logic                 eng_back_valid_o,
  input  logic                 eng_back_ready_i,
  output logic [BackWidth-1:0] eng_back_o
);

  logic owned_d, owned_q, owner_d, owner_q, last_winner_d, last_winner_q, pick;

  // Who gets a free engine: the only one asking, or the one that did not go last.
  assign pick = desc_valid_i[1] && (!desc_valid_i[0] || last_winner_q == 1'b0);

  always_comb begin
    desc_ready_o     = '0;
    eng_desc_valid_o = 1'b0;
    eng_desc_o       = desc_i[0 +: DescWidth];
    if (!owned_q) begin
      eng_desc_valid_o = |desc_valid_i;
      eng_desc_o       = desc_i[pick*DescWidth +: DescWidth];
      desc_ready_o[pick] = eng_desc_ready_i;
    end
  end

  assign fwd_valid_o      = owned_q ? (2'b01 << owner_q) & {2{eng_fwd_valid_i}} : 2'b00;
  assign eng_fwd_ready_o  = owned_q && fwd_ready_i[owner_q];
  assign eng_back_valid_o = owned_q && back_valid_i[owner_q];
  assign eng_back_o       = back_i[owner_q*BackWidth +: BackWidth];
  assign back_ready_o     = owned_q ? (2'b01 << owner_q) & {2{eng_back_ready_i}} : 2'b00;

  always_comb begin
    owned_d       = owned_q;
    owner_d       = owner_q;
    last_winner_d = last_winner_q;
    if (!owned_q && eng_desc_valid_o && eng_desc_ready_i) begin
      owned_d       = 1'b1;
      owner_d       = pick;
      last_winner_d = pick;
    end
    if (owned_q && eng_fwd_valid_i && eng_fwd_ready_o && eng_fwd_end_i) owned_d = 1'b0;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      owned_q       <= 1'b0;
      owner_q       <= 1'b0;
      last_winner_q <= 1'b1;
    end else begin
      owned_q       <= owned_d;
      owner_q       <= owner_d;
      last_winner_q <= last_winner_d;
    end
  end

  `TESSERA_ASSERT(NoBeatWithoutOwner_A, eng_fwd_valid_i |-> owned_q, clk_i, rst_ni)

endmodule
