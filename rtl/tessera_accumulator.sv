// SPDX-License-Identifier: Apache-2.0
// tessera_accumulator: the banked int32 accumulator buffer.
//
// Function:   Lines lines of Lanes int32 values, split into NumBanks banks of contiguous
//             lines (bank = line / (Lines / NumBanks)), each bank a tessera_ram.
//   acc  ports (AccPorts of them: the array's results and the load unit's bias lines on
//        port 0, the depthwise unit's results on port 1): one operation per cycle each on a
//        line: with acc_add_i the incoming vector is added lane by lane (int32, wrapping) to
//        the stored one, otherwise it overwrites it (the first K tile of a GEMM, or a bias
//        load). They never stall. Two ports never address the same bank in one cycle (the
//        compute unit starts a command only on banks the other path does not write;
//        AccPortsOnDistinctBanks_A).
//   rd   port: reads a line for the store path; request/response as in tessera_scratchpad.
// Hazards:    an acc operation reads its line in the cycle it is accepted and writes the sum
//             in the next. The write lands in the same cycle as the next operation's read,
//             so a register per port forwards it: every read (acc or rd, on any port) sees
//             every acc operation accepted before it, whatever the address sequence. An
//             overwrite reads nothing (each bank has a read and a write port), so a rd
//             request is refused (rd_req_ready_o low) only in a cycle when an accumulating
//             operation reads the same bank.
// Latency:    acc: the sum is written at the end of the cycle after the handshake.
//             rd: data one cycle after the handshake. Throughput: one acc operation per port
//             and cycle (on banks of their own) plus one read per cycle to a bank that no
//             accumulating operation reads.
`include "tessera_assert.svh"

module tessera_accumulator #(
  parameter int Lanes      = tessera_pkg::DefaultNumCols,
  parameter int Lines      = 1024,  // 64 KiB with 16 int32 lanes
  parameter int NumBanks   = tessera_pkg::AccumulatorBanks,
  parameter int AccPorts   = 2,
  localparam int AddrWidth = tessera_pkg::index_width(Lines),
  localparam int LineWidth = tessera_pkg::AccWidth * Lanes
) (
  input  logic                          clk_i,
  input  logic                          rst_ni,
  // Accumulate / overwrite ports (port p's fields at [p*W +: W])
  input  logic [AccPorts-1:0]           acc_valid_i,
  input  logic [AccPorts*AddrWidth-1:0] acc_addr_i,
  input  logic [AccPorts*LineWidth-1:0] acc_data_i,
  input  logic [AccPorts-1:0]           acc_add_i,
  // Read port: request and response
  input  logic                          rd_req_valid_i,
  output logic                          rd_req_ready_o,
  input  logic [AddrWidth-1:0]          rd_req_addr_i,
  output logic                          rd_rsp_valid_o,
  output logic [LineWidth-1:0]          rd_rsp_data_o
);

  localparam int AccWidth     = tessera_pkg::AccWidth;
  localparam int LinesPerBank = Lines / NumBanks;
  localparam int BankWidth    = tessera_pkg::index_width(NumBanks);
  localparam int RowWidth     = tessera_pkg::index_width(LinesPerBank);
  localparam int PortWidth    = tessera_pkg::index_width(AccPorts);

  localparam int RowBits      = $clog2(LinesPerBank);  // LinesPerBank is a power of two

  // Bank and row of a line address: plain bit fields (banks are contiguous regions).
  function automatic logic [BankWidth-1:0] bank_of(input logic [AddrWidth-1:0] addr);
    bank_of = BankWidth'(addr >> RowBits);
  endfunction
  function automatic logic [RowWidth-1:0] row_of(input logic [AddrWidth-1:0] addr);
    row_of = RowWidth'(addr & AddrWidth'(LinesPerBank - 1));
  endfunction

  // Per port p: stage 1 holds the operation accepted last cycle; it computes and writes its
  // sum now (flat vectors, port p's field at [p*W +: W]).
  logic [AccPorts-1:0]           s1_valid_q, s1_add_q, s1_fwd_q;
  logic [AccPorts*PortWidth-1:0] s1_fwd_port_q;  // whose sum it takes when forwarded
  logic [AccPorts*AddrWidth-1:0] s1_addr_q;
  logic [AccPorts*BankWidth-1:0] s1_bank_q, acc_bank;
  logic [AccPorts*LineWidth-1:0] s1_data_q, s1_old, s1_sum;
  // The sums written last cycle, kept one more cycle for forwarding.
  logic [AccPorts*LineWidth-1:0] fwd_data_q;
  // The read port's response, and whether (and whose) forwarded sum it must take.
  logic                 rsp_valid_q, rsp_fwd_q;
  logic [PortWidth-1:0] rsp_fwd_port_q;
  logic [BankWidth-1:0] rsp_bank_q;

  logic                          rd_fire;
  logic [BankWidth-1:0]          rd_bank;
  logic [NumBanks*LineWidth-1:0] bank_rd_data;

  always_comb begin
    for (int p = 0; p < AccPorts; p++)
      acc_bank[p*BankWidth +: BankWidth] = bank_of(acc_addr_i[p*AddrWidth +: AddrWidth]);
  end
  assign rd_bank = bank_of(rd_req_addr_i);
  always_comb begin
    rd_req_ready_o = 1'b1;
    for (int p = 0; p < AccPorts; p++)
      if (acc_valid_i[p] && acc_add_i[p] && acc_bank[p*BankWidth +: BankWidth] == rd_bank)
        rd_req_ready_o = 1'b0;
  end
  assign rd_fire = rd_req_valid_i && rd_req_ready_o;

  // Which port's stage 1 writes `addr` now (its sum must be forwarded to a read of it).
  logic [AccPorts-1:0]           acc_fwd;
  logic [AccPorts*PortWidth-1:0] acc_fwd_port;
  logic                          rd_fwd;
  logic [PortWidth-1:0]          rd_fwd_port;
  always_comb begin
    acc_fwd      = '0;
    acc_fwd_port = '0;
    rd_fwd       = 1'b0;
    rd_fwd_port  = '0;
    for (int q = 0; q < AccPorts; q++) begin
      for (int p = 0; p < AccPorts; p++) begin
        if (s1_valid_q[q] && s1_addr_q[q*AddrWidth +: AddrWidth] ==
                             acc_addr_i[p*AddrWidth +: AddrWidth]) begin
          acc_fwd[p] = 1'b1;
          acc_fwd_port[p*PortWidth +: PortWidth] = PortWidth'(q);
        end
      end
      if (s1_valid_q[q] && s1_addr_q[q*AddrWidth +: AddrWidth] == rd_req_addr_i) begin
        rd_fwd      = 1'b1;
        rd_fwd_port = PortWidth'(q);
      end
    end
  end

  // Stage 1: old value (forwarded if an operation of the cycle before wrote this very line),
  // sum.
  always_comb begin
    for (int p = 0; p < AccPorts; p++) begin
      s1_old[p*LineWidth +: LineWidth] =
          s1_fwd_q[p] ? fwd_data_q[32'(s1_fwd_port_q[p*PortWidth +: PortWidth])*LineWidth +:
                                   LineWidth]
                      : bank_rd_data[32'(s1_bank_q[p*BankWidth +: BankWidth])*LineWidth +:
                                     LineWidth];
      for (int l = 0; l < Lanes; l++) begin
        s1_sum[p*LineWidth + l*AccWidth +: AccWidth] =
            s1_data_q[p*LineWidth + l*AccWidth +: AccWidth] +
            (s1_add_q[p] ? s1_old[p*LineWidth + l*AccWidth +: AccWidth] : '0);
      end
    end
  end

  for (genvar b = 0; b < NumBanks; b++) begin : g_bank
    // An accumulating operation has priority on the bank's read port (rd_req_ready_o says
    // so); at most one acc port uses the bank (AccPortsOnDistinctBanks_A).
    logic                 acc_here, wr_here;
    logic [AddrWidth-1:0] acc_addr_here, wr_addr_here;
    logic [LineWidth-1:0] wr_data_here;
    always_comb begin
      acc_here      = 1'b0;
      acc_addr_here = '0;
      wr_here       = 1'b0;
      wr_addr_here  = '0;
      wr_data_here  = '0;
      for (int p = 0; p < AccPorts; p++) begin
        if (acc_valid_i[p] && acc_add_i[p] && acc_bank[p*BankWidth +: BankWidth] == BankWidth'(b))
        begin
          acc_here      = 1'b1;
          acc_addr_here = acc_addr_i[p*AddrWidth +: AddrWidth];
        end
        if (s1_valid_q[p] && s1_bank_q[p*BankWidth +: BankWidth] == BankWidth'(b)) begin
          wr_here      = 1'b1;
          wr_addr_here = s1_addr_q[p*AddrWidth +: AddrWidth];
          wr_data_here = s1_sum[p*LineWidth +: LineWidth];
        end
      end
    end

    tessera_ram #(
      .Width    (LineWidth),
      .Depth    (LinesPerBank),
      .ByteWidth(LineWidth)
    ) u_ram (
      .clk_i,
      .wr_en_i  (wr_here),
      .wr_addr_i(row_of(wr_addr_here)),
      .wr_data_i(wr_data_here),
      .wr_strb_i(1'b1),
      .rd_en_i  (acc_here || (rd_fire && rd_bank == BankWidth'(b))),
      .rd_addr_i(acc_here ? row_of(acc_addr_here) : row_of(rd_req_addr_i)),
      .rd_data_o(bank_rd_data[b*LineWidth +: LineWidth])
    );
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      s1_valid_q  <= '0;
      rsp_valid_q <= 1'b0;
    end else begin
      s1_valid_q  <= acc_valid_i;
      rsp_valid_q <= rd_fire;
    end
  end

  // A read issued now sees the memory before this cycle's writes: forward those writes.
  always_ff @(posedge clk_i) begin
    s1_addr_q      <= acc_addr_i;
    s1_bank_q      <= acc_bank;
    s1_data_q      <= acc_data_i;
    s1_add_q       <= acc_add_i;
    s1_fwd_q       <= acc_fwd;
    s1_fwd_port_q  <= acc_fwd_port;
    rsp_bank_q     <= rd_bank;
    rsp_fwd_q      <= rd_fwd;
    rsp_fwd_port_q <= rd_fwd_port;
    fwd_data_q     <= s1_sum;
  end

  assign rd_rsp_valid_o = rsp_valid_q;
  assign rd_rsp_data_o  = rsp_fwd_q ? fwd_data_q[32'(rsp_fwd_port_q)*LineWidth +: LineWidth]
                                    : bank_rd_data[32'(rsp_bank_q)*LineWidth +: LineWidth];

  if (Lines % NumBanks != 0 || LinesPerBank < 2 || (LinesPerBank & (LinesPerBank - 1)) != 0)
  begin : g_bad_banks
    $error("tessera_accumulator: Lines / NumBanks must be a power of two");
  end
  if (AccPorts < 1) begin : g_bad_ports
    $error("tessera_accumulator: AccPorts must be at least 1");
  end

  for (genvar p = 0; p < AccPorts; p++) begin : g_checks
    `TESSERA_ASSERT(AccAddrInRange_A, acc_valid_i[p] |->
                    32'(acc_addr_i[p*AddrWidth +: AddrWidth]) < 32'(Lines), clk_i, rst_ni)
    for (genvar q = p + 1; q < AccPorts; q++) begin : g_pair
      `TESSERA_ASSERT(AccPortsOnDistinctBanks_A, !(acc_valid_i[p] && acc_valid_i[q] &&
                      acc_bank[p*BankWidth +: BankWidth] == acc_bank[q*BankWidth +: BankWidth]),
                      clk_i, rst_ni)
    end
  end
  `TESSERA_ASSERT(ReadAddrInRange_A, rd_req_valid_i |-> 32'(rd_req_addr_i) < 32'(Lines),
                  clk_i, rst_ni)

endmodule
