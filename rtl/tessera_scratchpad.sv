// SPDX-License-Identifier: Apache-2.0
// tessera_scratchpad: the banked int8 scratchpad for activations and weights.
//
// Function:   Lines lines of LineBytes bytes, split into NumBanks banks of contiguous lines
//             (bank = line / (Lines / NumBanks)), each bank its own tessera_ram. One write
//             port (the DMA) with byte strobes and NumReadPorts read ports (the compute
//             side: activations, weights). Software places the regions that are used at the
//             same time (e.g. the ping and pong halves of a double buffer) in different
//             banks; then no port ever waits.
// Conflicts:  the write port never conflicts with reads (each bank has separate write and
//             read ports); a read of a line written in the same cycle returns the old data.
//             Two read ports addressing the same bank in one cycle are served in port order:
//             the lower-numbered port wins, the other sees rd_req_ready_o low and retries.
// Latency:    rd_rsp_valid_o rises exactly one cycle after a rd_req handshake, with the data;
//             responses cannot be stalled, so a requester only asks when it can take the
//             answer. Throughput: per cycle one write plus one read per bank.
`include "tessera_assert.svh"

module tessera_scratchpad #(
  parameter int LineBytes    = tessera_pkg::DefaultNumRows,
  parameter int Lines        = 16384,  // 256 KiB with 16-byte lines
  parameter int NumBanks     = 4,
  parameter int NumReadPorts = 2,
  localparam int AddrWidth   = tessera_pkg::index_width(Lines),
  localparam int LineWidth   = 8 * LineBytes
) (
  input  logic                                  clk_i,
  input  logic                                  rst_ni,
  // Write port
  input  logic                                  wr_valid_i,
  output logic                                  wr_ready_o,
  input  logic [AddrWidth-1:0]                  wr_addr_i,
  input  logic [LineWidth-1:0]                  wr_data_i,
  input  logic [LineBytes-1:0]                  wr_strb_i,
  // Read ports: requests
  input  logic [NumReadPorts-1:0]               rd_req_valid_i,
  output logic [NumReadPorts-1:0]               rd_req_ready_o,
  input  logic [NumReadPorts*AddrWidth-1:0]     rd_req_addr_i,
  // Read ports: responses
  output logic [NumReadPorts-1:0]               rd_rsp_valid_o,
  output logic [NumReadPorts*LineWidth-1:0]     rd_rsp_data_o
);

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

  // Per-port and per-bank signals are flat vectors (Yosys keeps no unpacked wire arrays):
  // port p's field is [p*W +: W], bank b's likewise.
  logic [BankWidth-1:0]              wr_bank, port_bank;
  logic [NumReadPorts*BankWidth-1:0] rd_bank, rsp_bank_q;
  logic [NumReadPorts-1:0]           rd_fire, rsp_valid_q;
  logic [NumBanks-1:0]               bank_rd_en;
  logic [NumBanks*RowWidth-1:0]      bank_rd_row;
  logic [NumBanks*LineWidth-1:0]     bank_rd_data;

  assign wr_ready_o = 1'b1;  // every bank has its own write port
  assign wr_bank    = bank_of(wr_addr_i);

  // Read arbitration: port p gets its bank unless a lower-numbered port asks for it.
  always_comb begin
    bank_rd_en     = '0;
    bank_rd_row    = '0;
    rd_bank        = '0;
    rd_req_ready_o = '0;
    port_bank      = '0;
    for (int p = 0; p < NumReadPorts; p++) begin
      port_bank = bank_of(rd_req_addr_i[p*AddrWidth +: AddrWidth]);
      rd_bank[p*BankWidth +: BankWidth] = port_bank;
      if (!bank_rd_en[port_bank]) begin
        rd_req_ready_o[p] = 1'b1;
        if (rd_req_valid_i[p]) begin
          bank_rd_en[port_bank] = 1'b1;
          bank_rd_row[port_bank*RowWidth +: RowWidth] =
              row_of(rd_req_addr_i[p*AddrWidth +: AddrWidth]);
        end
      end
    end
  end
  assign rd_fire = rd_req_valid_i & rd_req_ready_o;

  for (genvar b = 0; b < NumBanks; b++) begin : g_bank
    tessera_ram #(
      .Width(LineWidth),
      .Depth(LinesPerBank)
    ) u_ram (
      .clk_i,
      .wr_en_i  (wr_valid_i && wr_bank == BankWidth'(b)),
      .wr_addr_i(row_of(wr_addr_i)),
      .wr_data_i,
      .wr_strb_i,
      .rd_en_i  (bank_rd_en[b]),
      .rd_addr_i(bank_rd_row[b*RowWidth +: RowWidth]),
      .rd_data_o(bank_rd_data[b*LineWidth +: LineWidth])
    );
  end

  // Responses: remember which bank each port read and route that bank's data back.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) rsp_valid_q <= '0;
    else         rsp_valid_q <= rd_fire;
  end
  always_ff @(posedge clk_i) begin
    rsp_bank_q <= rd_bank;
  end
  for (genvar p = 0; p < NumReadPorts; p++) begin : g_rsp
    assign rd_rsp_data_o[p*LineWidth +: LineWidth] =
        bank_rd_data[rsp_bank_q[p*BankWidth +: BankWidth]*LineWidth +: LineWidth];
  end
  assign rd_rsp_valid_o = rsp_valid_q;

  // Bank and row are bit fields only when LinesPerBank is a power of two; anything else
  // would synthesize a divider on every port.
  if (Lines % NumBanks != 0 || LinesPerBank < 2 || (LinesPerBank & (LinesPerBank - 1)) != 0)
  begin : g_bad_banks
    $error("tessera_scratchpad: Lines / NumBanks must be a power of two");
  end

  `TESSERA_ASSERT(WriteAddrInRange_A, wr_valid_i |-> 32'(wr_addr_i) < 32'(Lines),
                  clk_i, rst_ni)
  for (genvar p = 0; p < NumReadPorts; p++) begin : g_rd_checks
    `TESSERA_ASSERT(ReadAddrInRange_A,
                    rd_req_valid_i[p] |->
                        32'(rd_req_addr_i[p*AddrWidth +: AddrWidth]) < 32'(Lines),
                    clk_i, rst_ni)
  end

endmodule
