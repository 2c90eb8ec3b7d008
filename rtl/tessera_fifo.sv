// SPDX-License-Identifier: Apache-2.0
// tessera_fifo: synchronous first-word-fall-through FIFO of any depth >= 2.
//
// Function:   stores up to Depth words; the oldest word is presented on rd_data_o whenever
//             rd_valid_o is high and leaves on a rd_valid_o && rd_ready_i handshake.
// Latency:    a word written in cycle t is readable in cycle t+1.
// Throughput: one write and one read per cycle, also when full (a read frees the slot the
//             same cycle's write takes) and when empty (the write is seen next cycle).
// Clear:      clr_i empties the FIFO at the next clock edge (a handshake in that cycle is
//             dropped).
// Stalls:     either side; wr_ready_o and rd_valid_o come from registers only. rd_data_o is
//             stable while rd_valid_o && !rd_ready_i. The storage has no reset so that it
//             maps to distributed or block RAM.
`include "tessera_assert.svh"

module tessera_fifo #(
  parameter int Width = 8,
  parameter int Depth = 4
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             clr_i,
  // Write side
  input  logic             wr_valid_i,
  output logic             wr_ready_o,
  input  logic [Width-1:0] wr_data_i,
  // Read side
  output logic             rd_valid_o,
  input  logic             rd_ready_i,
  output logic [Width-1:0] rd_data_o
);

  localparam int PtrWidth   = tessera_pkg::index_width(Depth);
  localparam int CountWidth = $clog2(Depth + 1);
  localparam logic [PtrWidth-1:0]   LastSlot = PtrWidth'(Depth - 1);
  localparam logic [CountWidth-1:0] Full     = CountWidth'(Depth);

  logic [Width-1:0]      mem_q [Depth];
  logic [PtrWidth-1:0]   wr_ptr_d, wr_ptr_q, rd_ptr_d, rd_ptr_q;
  logic [CountWidth-1:0] count_d, count_q;
  logic                  wr_fire, rd_fire;

  assign wr_ready_o = (count_q != Full);
  assign rd_valid_o = (count_q != '0);
  assign rd_data_o  = mem_q[rd_ptr_q];
  assign wr_fire    = wr_valid_i && wr_ready_o;
  assign rd_fire    = rd_valid_o && rd_ready_i;

  always_comb begin
    wr_ptr_d = wr_ptr_q;
    rd_ptr_d = rd_ptr_q;
    count_d  = count_q;
    if (wr_fire) wr_ptr_d = (wr_ptr_q == LastSlot) ? '0 : wr_ptr_q + 1'b1;
    if (rd_fire) rd_ptr_d = (rd_ptr_q == LastSlot) ? '0 : rd_ptr_q + 1'b1;
    if (wr_fire && !rd_fire) count_d = count_q + 1'b1;
    if (rd_fire && !wr_fire) count_d = count_q - 1'b1;
    if (clr_i) begin
      wr_ptr_d = '0;
      rd_ptr_d = '0;
      count_d  = '0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wr_ptr_q <= '0;
      rd_ptr_q <= '0;
      count_q  <= '0;
    end else begin
      wr_ptr_q <= wr_ptr_d;
      rd_ptr_q <= rd_ptr_d;
      count_q  <= count_d;
    end
  end

  always_ff @(posedge clk_i) begin
    if (wr_fire) mem_q[wr_ptr_q] <= wr_data_i;
  end

  if (Depth < 2) begin : g_bad_depth
    $error("tessera_fifo: Depth must be >= 2");
  end

  `TESSERA_ASSERT(CountInRange_A, count_q <= Full, clk_i, rst_ni)
  `TESSERA_ASSERT(ReadDataStable_A,
                  (rd_valid_o && !rd_ready_i && !clr_i) |=> $stable(rd_data_o), clk_i, rst_ni)

endmodule
