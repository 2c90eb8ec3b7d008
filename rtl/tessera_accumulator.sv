// SPDX-License-Identifier: Apache-2.0
// tessera_accumulator: the banked int32 accumulator buffer.
//
// Function:   Lines lines of Lanes int32 values, split into NumBanks banks of contiguous
//             lines (bank = line / (Lines / NumBanks)), each bank a tessera_ram.
//   acc  port: one operation per cycle on a line: with acc_add_i the incoming vector is added
//        lane by lane (int32, wrapping) to the stored one, otherwise it overwrites it (the
//        first K tile of a GEMM, or a bias load). It never stalls: acc_ready_o is always 1.
//   rd   port: reads a line for the store path; request/response as in tessera_scratchpad.
// Hazards:    an acc operation reads its line in the cycle it is accepted and writes the sum
//             in the next. The write lands in the same cycle as the next operation's read,
//             so one register forwards it: every read (acc or rd) sees every acc operation
//             accepted before it, whatever the address sequence. A rd request is refused
//             (rd_req_ready_o low) in a cycle when an acc operation reads the same bank.
// Latency:    acc: the sum is written at the end of the cycle after the handshake.
//             rd: data one cycle after the handshake. Throughput: one acc operation per cycle
//             plus one read per cycle to another bank.
`include "tessera_assert.svh"

module tessera_accumulator #(
  parameter int Lanes      = tessera_pkg::DefaultNumCols,
  parameter int Lines      = 1024,  // 64 KiB with 16 int32 lanes
  parameter int NumBanks   = 2,
  localparam int AddrWidth = tessera_pkg::index_width(Lines),
  localparam int LineWidth = tessera_pkg::AccWidth * Lanes
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  // Accumulate / overwrite port
  input  logic                 acc_valid_i,
  output logic                 acc_ready_o,
  input  logic [AddrWidth-1:0] acc_addr_i,
  input  logic [LineWidth-1:0] acc_data_i,
  input  logic                 acc_add_i,
  // Read port: request and response
  input  logic                 rd_req_valid_i,
  output logic                 rd_req_ready_o,
  input  logic [AddrWidth-1:0] rd_req_addr_i,
  output logic                 rd_rsp_valid_o,
  output logic [LineWidth-1:0] rd_rsp_data_o
);

  localparam int AccWidth     = tessera_pkg::AccWidth;
  localparam int LinesPerBank = Lines / NumBanks;
  localparam int BankWidth    = tessera_pkg::index_width(NumBanks);
  localparam int RowWidth     = tessera_pkg::index_width(LinesPerBank);

  localparam int RowBits      = $clog2(LinesPerBank);  // LinesPerBank is a power of two

  // Bank and row of a line address: plain bit fields (banks are contiguous regions).
  function automatic logic [BankWidth-1:0] bank_of(input logic [AddrWidth-1:0] addr);
    bank_of = BankWidth'(addr >> RowBits);
  endfunction
  function automatic logic [RowWidth-1:0] row_of(input logic [AddrWidth-1:0] addr);
    row_of = RowWidth'(addr & AddrWidth'(LinesPerBank - 1));
  endfunction

  // Stage 1 holds the operation accepted last cycle; it computes and writes its sum now.
  logic                 s1_valid_q, s1_add_q, s1_fwd_q;
  logic [AddrWidth-1:0] s1_addr_q;
  logic [LineWidth-1:0] s1_data_q, s1_old, s1_sum;
  // The read port's response, and whether it must take the forwarded sum.
  logic                 rsp_valid_q, rsp_fwd_q;
  logic [BankWidth-1:0] rsp_bank_q, s1_bank_q;
  // The sum written this cycle, kept one more cycle for forwarding.
  logic [LineWidth-1:0] fwd_data_q;

  logic                 acc_fire, rd_fire;
  logic [BankWidth-1:0] acc_bank, rd_bank;
  logic [NumBanks*LineWidth-1:0] bank_rd_data;

  assign acc_ready_o    = 1'b1;
  assign acc_fire       = acc_valid_i;
  assign acc_bank       = bank_of(acc_addr_i);
  assign rd_bank        = bank_of(rd_req_addr_i);
  assign rd_req_ready_o = !(acc_valid_i && acc_bank == rd_bank);
  assign rd_fire        = rd_req_valid_i && rd_req_ready_o;

  // Stage 1: old value (forwarded if the previous operation wrote this very line), sum.
  assign s1_old = s1_fwd_q ? fwd_data_q : bank_rd_data[s1_bank_q*LineWidth +: LineWidth];
  always_comb begin
    for (int l = 0; l < Lanes; l++) begin
      s1_sum[l*AccWidth +: AccWidth] = s1_data_q[l*AccWidth +: AccWidth] +
          (s1_add_q ? s1_old[l*AccWidth +: AccWidth] : '0);
    end
  end

  for (genvar b = 0; b < NumBanks; b++) begin : g_bank
    // The acc port has priority on the bank's read port (rd_req_ready_o says so).
    logic acc_here, rd_here;
    assign acc_here = acc_fire && acc_bank == BankWidth'(b);
    assign rd_here  = rd_fire && rd_bank == BankWidth'(b);

    tessera_ram #(
      .Width    (LineWidth),
      .Depth    (LinesPerBank),
      .ByteWidth(LineWidth)
    ) u_ram (
      .clk_i,
      .wr_en_i  (s1_valid_q && s1_bank_q == BankWidth'(b)),
      .wr_addr_i(row_of(s1_addr_q)),
      .wr_data_i(s1_sum),
      .wr_strb_i(1'b1),
      .rd_en_i  (acc_here || rd_here),
      .rd_addr_i(acc_here ? row_of(acc_addr_i) : row_of(rd_req_addr_i)),
      .rd_data_o(bank_rd_data[b*LineWidth +: LineWidth])
    );
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      s1_valid_q  <= 1'b0;
      rsp_valid_q <= 1'b0;
    end else begin
      s1_valid_q  <= acc_fire;
      rsp_valid_q <= rd_fire;
    end
  end

  // A read issued now sees the memory before this cycle's write: forward that write.
  always_ff @(posedge clk_i) begin
    s1_addr_q  <= acc_addr_i;
    s1_bank_q  <= acc_bank;
    s1_data_q  <= acc_data_i;
    s1_add_q   <= acc_add_i;
    s1_fwd_q   <= s1_valid_q && s1_addr_q == acc_addr_i;
    rsp_bank_q <= rd_bank;
    rsp_fwd_q  <= s1_valid_q && s1_addr_q == rd_req_addr_i;
    fwd_data_q <= s1_sum;
  end

  assign rd_rsp_valid_o = rsp_valid_q;
  assign rd_rsp_data_o  = rsp_fwd_q ? fwd_data_q
                                    : bank_rd_data[rsp_bank_q*LineWidth +: LineWidth];

  if (Lines % NumBanks != 0 || LinesPerBank < 2 || (LinesPerBank & (LinesPerBank - 1)) != 0)
  begin : g_bad_banks
    $error("tessera_accumulator: Lines / NumBanks must be a power of two");
  end

  `TESSERA_ASSERT(AccAddrInRange_A, acc_valid_i |-> 32'(acc_addr_i) < 32'(Lines),
                  clk_i, rst_ni)
  `TESSERA_ASSERT(ReadAddrInRange_A, rd_req_valid_i |-> 32'(rd_req_addr_i) < 32'(Lines),
                  clk_i, rst_ni)

endmodule
