// SPDX-License-Identifier: Apache-2.0
// tessera_ram: generic simple dual-port RAM (one write port, one read port, one clock).
//
// Function:   Depth words of Width bits. A write stores the bytes selected by wr_strb_i
//             (ByteWidth bits each); a read returns the whole word. A read of the word
//             being written in the same cycle returns the old contents.
// Latency:    read data is valid in rd_data_o the cycle after rd_en_i (and holds until the
//             next read). Throughput: one read and one write per cycle; never stalls.
// Inference:  written as a plain behavioural memory with no reset so that Yosys maps it to
//             block RAM (RAMB36/RAMB18 with synth_xilinx, SB_RAM40_4K with synth_ice40).
module tessera_ram #(
  parameter int Width     = 32,
  parameter int Depth     = 1024,
  parameter int ByteWidth = 8
) (
  input  logic                                       clk_i,
  // Write port
  input  logic                                       wr_en_i,
  input  logic [tessera_pkg::index_width(Depth)-1:0] wr_addr_i,
  input  logic [Width-1:0]                           wr_data_i,
  input  logic [Width/ByteWidth-1:0]                 wr_strb_i,
  // Read port
  input  logic                                       rd_en_i,
  input  logic [tessera_pkg::index_width(Depth)-1:0] rd_addr_i,
  output logic [Width-1:0]                           rd_data_o
);

  localparam int NumBytes = Width / ByteWidth;

  logic [Width-1:0] mem_q [Depth];
  logic [Width-1:0] rd_data_q;

  always_ff @(posedge clk_i) begin
    if (wr_en_i) begin
      for (int b = 0; b < NumBytes; b++) begin
        if (wr_strb_i[b]) begin
          mem_q[wr_addr_i][b*ByteWidth +: ByteWidth] <= wr_data_i[b*ByteWidth +: ByteWidth];
        end
      end
    end
  end

  always_ff @(posedge clk_i) begin
    if (rd_en_i) rd_data_q <= mem_q[rd_addr_i];
  end

  assign rd_data_o = rd_data_q;

  if (Width % ByteWidth != 0) begin : g_bad_width
    $error("tessera_ram: Width must be a multiple of ByteWidth");
  end
  if (Depth < 2) begin : g_bad_depth
    $error("tessera_ram: Depth must be >= 2");
  end

endmodule
