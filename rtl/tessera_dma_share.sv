// SPDX-License-Identifier: Apache-2.0
// tessera_dma_share: two clients take turns on one DMA engine.
//
// Function:   whoever's descriptor the engine accepts owns it until that transfer's end:
//             for the read engine the stream beat with last, for the write engine the
//             status. An engine that takes a second descriptor while the first is still
//             running (tessera_dma_reader does) may take it from the owner only, and only
//             while the other client is not asking: so the owner's turns run back to back,
//             each ends with its own end beat, and the other client waits for at most the
//             two transfers in the engine. A free engine goes to the only client asking, or
//             to client 0 unless it had the previous turn (so neither starves).
//             Descriptors, handshakes and write data go between the engine and the owner
//             only (read data and status payloads reach both clients as wires; only the
//             owner sees valid).
// Latency:    none (combinational routing); the owner register changes at the turns' ends.
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

  // Turns the engine holds (0, 1 or 2), all the owner's.
  logic [1:0] turns_d, turns_q;
  logic       owned, owner_d, owner_q, last_winner_d, last_winner_q, pick, give, take, ends;

  // Who gets a free engine: the only one asking, or the one that did not go last. A busy
  // engine gets a second descriptor from its owner only, and only while the other waits
  // for nothing.
  assign owned = turns_q != 2'd0;
  assign pick  = owned ? owner_q
                       : desc_valid_i[1] && (!desc_valid_i[0] || last_winner_q == 1'b0);
  assign give  = !owned || (turns_q == 2'd1 && !desc_valid_i[!owner_q]);

  always_comb begin
    desc_ready_o       = '0;
    eng_desc_valid_o   = give && desc_valid_i[pick];
    eng_desc_o         = desc_i[pick*DescWidth +: DescWidth];
    desc_ready_o[pick] = give && eng_desc_ready_i;
  end
  assign take = eng_desc_valid_o && eng_desc_ready_i;
  assign ends = owned && eng_fwd_valid_i && eng_fwd_ready_o && eng_fwd_end_i;

  assign fwd_valid_o      = owned ? (2'b01 << owner_q) & {2{eng_fwd_valid_i}} : 2'b00;
  assign eng_fwd_ready_o  = owned && fwd_ready_i[owner_q];
  assign eng_back_valid_o = owned && back_valid_i[owner_q];
  assign eng_back_o       = back_i[owner_q*BackWidth +: BackWidth];
  assign back_ready_o     = owned ? (2'b01 << owner_q) & {2{eng_back_ready_i}} : 2'b00;

  always_comb begin
    turns_d       = turns_q + 2'(take) - 2'(ends);
    owner_d       = take ? pick : owner_q;
    last_winner_d = take ? pick : last_winner_q;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      turns_q       <= 2'd0;
      owner_q       <= 1'b0;
      last_winner_q <= 1'b1;
    end else begin
      turns_q       <= turns_d;
      owner_q       <= owner_d;
      last_winner_q <= last_winner_d;
    end
  end

  `TESSERA_ASSERT(NoBeatWithoutOwner_A, eng_fwd_valid_i |-> owned, clk_i, rst_ni)
  `TESSERA_ASSERT(AtMostTwoTurns_A, !(take && turns_q == 2'd2), clk_i, rst_ni)

endmodule
