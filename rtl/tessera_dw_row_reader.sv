// SPDX-License-Identifier: Apache-2.0
// tessera_dw_row_reader: one input row of a depthwise command, read ahead of its stream.
//
// Function:   for each command taken (cmd_valid_i with cmd_read_i), the lines of its row in
//             stream order, line b*VECTORS + x at LINE + b*ROW_STRIDE + x*STRIDE for the
//             ROWS channel blocks b and the VECTORS pixels x, read from a scratchpad port
//             into a FIFO that the stream takes from (out_*); at most Depth lines asked for
//             and not yet taken. A command without cmd_read_i is popped at once.
// Latency:    a line is in the FIFO the cycle after its request (the scratchpad's answer);
//             out_valid_o the cycle after that.
// Throughput: a line per cycle while the port is not held by a lower-numbered port of the
//             same bank and the stream takes them; Depth lines keep it flowing across a few
//             cycles of such a wait.
`include "tessera_assert.svh"

module tessera_dw_row_reader #(
  parameter int LineBytes = tessera_pkg::DefaultNumRows,
  parameter int SpadLines = tessera_pkg::DefaultScratchpadLines,
  parameter int Depth     = 4,
  localparam int SpadAddrWidth = tessera_pkg::index_width(SpadLines),
  localparam int LineWidth     = 8 * LineBytes
) (
  input  logic                     clk_i,
  input  logic                     rst_ni,
  // The command at the head of this reader's queue (cmd_pop_o takes it)
  input  logic                     cmd_valid_i,
  output logic                     cmd_pop_o,
  input  logic                     cmd_read_i,        // 0: nothing to read
  input  logic [SpadAddrWidth-1:0] cmd_line_i,
  input  logic [SpadAddrWidth-1:0] cmd_stride_i,      // scratchpad-wide (the checker's range)
  input  logic [SpadAddrWidth-1:0] cmd_row_stride_i,
  input  logic [15:0]              cmd_rows_i,        // channel blocks, >= 1
  input  logic [15:0]              cmd_vectors_i,     // pixels per block, >= 1
  // Scratchpad reads (responses one cycle after the request, never stalled)
  output logic                     req_valid_o,
  input  logic                     req_ready_i,
  output logic [SpadAddrWidth-1:0] req_addr_o,
  input  logic                     rsp_valid_i,
  input  logic [LineWidth-1:0]     rsp_data_i,
  // The lines, in stream order
  output logic                     out_valid_o,
  input  logic                     out_ready_i,
  output logic [LineWidth-1:0]     out_data_o
);

  localparam int CreditWidth = $clog2(Depth + 1);

  logic                     first_q, x_end, b_end, issue, take;
  logic [15:0]              x_q, b_q;
  logic [SpadAddrWidth-1:0] addr_q, row_q, addr, row;  // this line; this block's first
  logic [CreditWidth-1:0]   credit_q;  // lines asked for and not yet taken
  assign req_valid_o = cmd_valid_i && cmd_read_i && credit_q < CreditWidth'(Depth);
  assign req_addr_o  = addr;
  assign issue       = req_valid_o && req_ready_i;
  assign addr        = first_q ? cmd_line_i : addr_q;
  assign row         = first_q ? cmd_line_i : row_q;
  assign x_end       = x_q == cmd_vectors_i - 16'd1;
  assign b_end       = b_q == cmd_rows_i - 16'd1;
  assign cmd_pop_o   = cmd_valid_i && (!cmd_read_i || (issue && x_end && b_end));
  assign take        = out_valid_o && out_ready_i;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      first_q  <= 1'b1;
      x_q      <= '0;
      b_q      <= '0;
      credit_q <= '0;
    end else begin
      if (issue) begin
        first_q <= cmd_pop_o;
        x_q     <= x_end ? '0 : x_q + 16'd1;
        b_q     <= cmd_pop_o ? '0 : b_q + 16'(x_end);
      end
      credit_q <= credit_q + CreditWidth'(issue) - CreditWidth'(take);
    end
  end
  // Reset-free: a command's first request sets them.
  always_ff @(posedge clk_i) begin
    if (issue) begin
      row_q  <= x_end ? row + cmd_row_stride_i : row;
      addr_q <= x_end ? row + cmd_row_stride_i : addr + cmd_stride_i;
    end
  end

  logic fifo_wr_ready;
  tessera_fifo #(
    .Width(LineWidth),
    .Depth(Depth)
  ) u_lines (
    .clk_i,
    .rst_ni,
    .clr_i     (1'b0),
    .wr_valid_i(rsp_valid_i),
    .wr_ready_o(fifo_wr_ready),  // never full: the credit counts every line asked for
    .wr_data_i (rsp_data_i),
    .rd_valid_o(out_valid_o),
    .rd_ready_i(out_ready_i),
    .rd_data_o (out_data_o)
  );

  `TESSERA_ASSERT(DwRowLinesWithinCredit_A, credit_q <= CreditWidth'(Depth), clk_i, rst_ni)
  `TESSERA_ASSERT(DwRowFifoNeverFull_A, rsp_valid_i |-> fifo_wr_ready, clk_i, rst_ni)

endmodule
