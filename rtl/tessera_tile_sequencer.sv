// SPDX-License-Identifier: Apache-2.0
// tessera_tile_sequencer: a COMPUTE of several K tiles as single-tile COMPUTEs.
//
// Function:   takes a checked COMPUTE; one with EXTRA_TILES = E leaves as E + 1 commands of
//             one tile each, tile t with ACT_LINE + t*ACT_TILE_STRIDE, WGT_LINE +
//             t*NumRows, ACCUMULATE set after the first tile, and K_VALID = NumRows but on
//             the last tile (docs/isa.md); the other fields are the command's. The command is
//             taken with its first tile and held for the others, so that once taken it runs
//             to the end whatever its source does (a soft reset drains the units); busy_o
//             while tiles are left. done_o pulses when the last of a command's tiles reports
//             done (tile_done_i, in order), so the unit behind it keeps the
//             one-command-one-done contract of a unit. Up to InFlight commands may be
//             between acceptance and done_o.
// Latency:    combinational: cmd_i to tile_cmd_o (the first tile), the last tile's
//             tile_done_i to done_o.
// Throughput: one tile command per cycle.
`include "tessera_assert.svh"

module tessera_tile_sequencer #(
  parameter int NumRows   = tessera_pkg::DefaultNumRows,
  parameter int InFlight  = 8,
  localparam int CmdBits  = tessera_isa_pkg::CommandBits
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  // Commands in
  input  logic               cmd_valid_i,
  output logic               cmd_ready_o,
  input  logic [CmdBits-1:0] cmd_i,
  output logic               done_o,
  output logic               busy_o,
  // Single-tile commands out, and their completions
  output logic               tile_valid_o,
  input  logic               tile_ready_i,
  output logic [CmdBits-1:0] tile_cmd_o,
  input  logic               tile_done_i
);

  localparam int TileWidth = tessera_isa_pkg::ComputeExtraTilesWidth;

  // The command whose tiles go out: cmd_i for its first, then the held copy.
  logic                 hold_d, hold_q;
  logic [CmdBits-1:0]   held_q, cmd;
  logic [TileWidth-1:0] tile_d, tile_q;  // the tile to issue next (0 when not holding)
  logic [TileWidth-1:0] extra;
  logic                 last_tile, tile_fire, room, take;
  assign cmd       = hold_q ? held_q : cmd_i;
  assign extra     = cmd[tessera_isa_pkg::ComputeExtraTilesLsb +: TileWidth];
  assign last_tile = tile_q == extra;

  // Per command in flight, its tile count less one; done_o after that many + 1 tile dones.
  logic                 pend_valid, pend_ready;
  logic [TileWidth-1:0] pend_extra;
  logic [TileWidth-1:0] dones_d, dones_q;  // tile dones of the oldest command so far

  assign tile_valid_o = hold_q || (cmd_valid_i && room);
  assign tile_fire    = tile_valid_o && tile_ready_i;
  assign take         = !hold_q && tile_fire;  // the command is taken with its first tile
  assign cmd_ready_o  = !hold_q && tile_ready_i && room;
  assign busy_o       = hold_q;

  // The tile's command: the fields that step, and no EXTRA_TILES / ACT_TILE_STRIDE left.
  logic [31:0] act_line, tile_stride, wgt_line;
  logic [15:0] k_valid;
  logic        accumulate;
  assign act_line    = cmd[tessera_isa_pkg::ComputeActLineLsb +: 32];
  assign tile_stride = cmd[tessera_isa_pkg::ComputeActTileStrideLsb +: 32];
  assign wgt_line    = cmd[tessera_isa_pkg::ComputeWgtLineLsb +: 32];
  assign k_valid     = cmd[tessera_isa_pkg::ComputeKValidLsb +: 16];
  assign accumulate  = cmd[tessera_isa_pkg::HdrModeLsb + tessera_isa_pkg::ComputeModeAccumulateBit];

  always_comb begin
    tile_cmd_o = cmd;
    tile_cmd_o[tessera_isa_pkg::ComputeActLineLsb +: 32] =
        act_line + 32'(tile_q) * tile_stride;
    tile_cmd_o[tessera_isa_pkg::ComputeWgtLineLsb +: 32] =
        wgt_line + 32'(tile_q) * 32'(NumRows);
    tile_cmd_o[tessera_isa_pkg::ComputeKValidLsb +: 16] = last_tile ? k_valid : 16'(NumRows);
    tile_cmd_o[tessera_isa_pkg::HdrModeLsb + tessera_isa_pkg::ComputeModeAccumulateBit] =
        accumulate || tile_q != '0;
    tile_cmd_o[tessera_isa_pkg::ComputeExtraTilesLsb +: TileWidth] = '0;
    tile_cmd_o[tessera_isa_pkg::ComputeActTileStrideLsb +: 32]      = '0;
  end

  always_comb begin
    tile_d = tile_q;
    hold_d = hold_q;
    if (tile_fire) begin
      tile_d = last_tile ? '0 : tile_q + 1'b1;
      hold_d = !last_tile;
    end
    dones_d = dones_q;
    if (tile_done_i) dones_d = pend_ready ? '0 : dones_q + 1'b1;
  end
  assign pend_ready = tile_done_i && dones_q == pend_extra;  // the command's last tile

  tessera_fifo #(
    .Width(TileWidth),
    .Depth(InFlight)
  ) u_pending (
    .clk_i,
    .rst_ni,
    .clr_i     (1'b0),
    .wr_valid_i(take),
    .wr_ready_o(room),
    .wr_data_i (extra),
    .rd_valid_o(pend_valid),
    .rd_ready_i(pend_ready),
    .rd_data_o (pend_extra)
  );

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      hold_q  <= 1'b0;
      tile_q  <= '0;
      dones_q <= '0;
    end else begin
      hold_q  <= hold_d;
      tile_q  <= tile_d;
      dones_q <= dones_d;
    end
  end

  // Reset-free: written when a command of several tiles is taken, read only while held.
  always_ff @(posedge clk_i) begin
    if (take) held_q <= cmd_i;
  end

  assign done_o = pend_ready;

  `TESSERA_ASSERT(DoneOnlyForACommandInFlight_A, tile_done_i |-> pend_valid, clk_i, rst_ni)
  `TESSERA_ASSERT(HeldOnlyWithTilesLeft_A, hold_q |-> tile_q != '0, clk_i, rst_ni)

endmodule
