// SPDX-License-Identifier: Apache-2.0
// tessera_store_reader: a STORE's accumulator reads, against credits, into a skid FIFO.
//
// Function:   while run_i, reads accumulator lines in the STORE's order: rows_i rows, row m
//             the lines first_line_i + p*panel_pitch_i + m of panels p = 0 .. last_panel_i
//             (one panel: consecutive lines), or with pool_i the four lines of each 2x2
//             window, window after window: rows_i rows of pool_width_i windows, window (y, x)
//             at first_line_i + 2y*pitch_i + 2x, its lines at + {0, 1, pitch_i, pitch_i + 1}.
//             The accumulator's responses cannot be stalled, so a read is issued only
//             against a free slot of the skid FIFO (credits); lines leave it on line_*.
//             start_i takes a new command's geometry (the *_i inputs are sampled then).
// Latency:    a line is on line_* two cycles after its request is accepted.
// Throughput: one line per cycle. Stalls: the accumulator may refuse a request (the compute
//             unit has priority on a bank); line_* may stall.
`include "tessera_assert.svh"

module tessera_store_reader #(
  parameter int NumCols      = tessera_pkg::DefaultNumCols,
  parameter int AccLines     = tessera_pkg::DefaultAccumulatorLines,
  parameter int SkidDepth    = 4,
  localparam int AccAddrWidth = tessera_pkg::index_width(AccLines),
  localparam int PanelWidth   = tessera_pkg::index_width(tessera_isa_pkg::MaxExtraPanels + 1),
  localparam int LineWidth    = tessera_pkg::AccWidth * NumCols
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,
  // A new STORE's geometry (sampled with start_i); run_i while its lines are wanted
  input  logic                    start_i,
  input  logic [AccAddrWidth-1:0] first_line_i,
  input  logic [15:0]             rows_i,
  input  logic                    pool_i,
  input  logic [15:0]             pool_width_i,
  input  logic [AccAddrWidth-1:0] pitch_i,  // checked: a pooled store's lines are in range
  input  logic [PanelWidth-1:0]   last_panel_i,   // panels - 1 (0 when pooled)
  input  logic [AccAddrWidth-1:0] panel_pitch_i,  // checked: every panel's lines are in range
  input  logic                    run_i,
  // Accumulator read port
  output logic                    acc_req_valid_o,
  input  logic                    acc_req_ready_i,
  output logic [AccAddrWidth-1:0] acc_req_addr_o,
  input  logic                    acc_rsp_valid_i,
  input  logic [LineWidth-1:0]    acc_rsp_data_i,
  // Lines, in order
  output logic                    line_valid_o,
  input  logic                    line_ready_i,
  output logic [LineWidth-1:0]    line_data_o
);

  localparam int CreditWidth = $clog2(SkidDepth + 1);

  logic [AccAddrWidth-1:0] first_d, first_q, pitch_d, pitch_q;
  logic [15:0]             rows_d, rows_q, width_d, width_q;
  logic                    pool_d, pool_q;
  logic [15:0]             count_d, count_q;         // rows (unpooled) requested so far
  logic [PanelWidth-1:0]   last_panel_d, last_panel_q, panel_d, panel_q;  // unpooled: panel next
  logic [AccAddrWidth-1:0] panel_pitch_d, panel_pitch_q;
  logic [AccAddrWidth-1:0] line_d, line_q;           // unpooled: the line to read next
  logic [1:0]              quad_d, quad_q;           // pooled: line of the window to read next
  logic [15:0]             pool_x_d, pool_x_q, pool_y_d, pool_y_q;
  logic [AccAddrWidth-1:0] window_d, window_q;       // pooled: top-left line of the window
  logic [AccAddrWidth-1:0] window_row_d, window_row_q;  // ... of the first window of its row
  logic                    done_d, done_q;           // every read issued
  logic [CreditWidth-1:0]  credits_d, credits_q;     // reads issued, not yet left the FIFO
  logic [AccAddrWidth-1:0] quad_offset;
  logic                    last_read, issue, skid_ready, line_fire;

  always_comb begin
    unique case (quad_q)
      2'd0:    quad_offset = '0;
      2'd1:    quad_offset = AccAddrWidth'(1);
      2'd2:    quad_offset = pitch_q;
      default: quad_offset = pitch_q + AccAddrWidth'(1);
    endcase
  end

  assign last_read = pool_q ? quad_q == 2'd3 && pool_x_q == width_q - 16'd1 &&
                              pool_y_q == rows_q - 16'd1
                            : count_q == rows_q - 16'd1 && panel_q == last_panel_q;
  assign acc_req_valid_o = run_i && !done_q && credits_q != CreditWidth'(SkidDepth);
  assign acc_req_addr_o  = pool_q ? window_q + quad_offset : line_q;
  assign issue           = acc_req_valid_o && acc_req_ready_i;
  assign line_fire       = line_valid_o && line_ready_i;

  always_comb begin
    first_d      = first_q;
    pitch_d      = pitch_q;
    rows_d       = rows_q;
    width_d      = width_q;
    pool_d       = pool_q;
    count_d      = count_q;
    last_panel_d = last_panel_q;
    panel_d      = panel_q;
    panel_pitch_d = panel_pitch_q;
    line_d       = line_q;
    quad_d       = quad_q;
    pool_x_d     = pool_x_q;
    pool_y_d     = pool_y_q;
    window_d     = window_q;
    window_row_d = window_row_q;
    done_d       = done_q;
    credits_d    = credits_q + CreditWidth'(issue) - CreditWidth'(line_fire);
    if (issue) begin
      quad_d  = quad_q + 2'd1;
      if (panel_q == last_panel_q) begin  // next row: its first panel's line
        count_d = count_q + 16'd1;
        panel_d = '0;
        line_d  = first_q + AccAddrWidth'(count_q) + AccAddrWidth'(1);
      end else begin
        panel_d = panel_q + 1'b1;
        line_d  = line_q + panel_pitch_q;
      end
      if (last_read) done_d = 1'b1;
      if (quad_q == 2'd3) begin  // next window: two lines right, or two rows down
        if (pool_x_q == width_q - 16'd1) begin
          pool_x_d     = '0;
          pool_y_d     = pool_y_q + 16'd1;
          window_row_d = window_row_q + (pitch_q << 1);
          window_d     = window_row_q + (pitch_q << 1);
        end else begin
          pool_x_d = pool_x_q + 16'd1;
          window_d = window_q + AccAddrWidth'(2);
        end
      end
    end
    if (start_i) begin
      first_d      = first_line_i;
      pitch_d      = pitch_i;
      rows_d       = rows_i;
      width_d      = pool_width_i;
      pool_d       = pool_i;
      count_d      = '0;
      last_panel_d = last_panel_i;
      panel_d      = '0;
      panel_pitch_d = panel_pitch_i;
      line_d       = first_line_i;
      quad_d       = '0;
      pool_x_d     = '0;
      pool_y_d     = '0;
      window_d     = first_line_i;
      window_row_d = first_line_i;
      done_d       = 1'b0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) credits_q <= '0;
    else         credits_q <= credits_d;
  end

  // Reset-free: start_i sets them before run_i reads them.
  always_ff @(posedge clk_i) begin
    first_q      <= first_d;
    pitch_q      <= pitch_d;
    rows_q       <= rows_d;
    width_q      <= width_d;
    pool_q       <= pool_d;
    count_q      <= count_d;
    last_panel_q <= last_panel_d;
    panel_q      <= panel_d;
    panel_pitch_q <= panel_pitch_d;
    line_q       <= line_d;
    quad_q       <= quad_d;
    pool_x_q     <= pool_x_d;
    pool_y_q     <= pool_y_d;
    window_q     <= window_d;
    window_row_q <= window_row_d;
    done_q       <= done_d;
  end

  tessera_fifo #(
    .Width(LineWidth),
    .Depth(SkidDepth)
  ) u_skid (
    .clk_i,
    .rst_ni,
    .clr_i     (1'b0),
    .wr_valid_i(acc_rsp_valid_i),
    .wr_ready_o(skid_ready),
    .wr_data_i (acc_rsp_data_i),
    .rd_valid_o(line_valid_o),
    .rd_ready_i(line_ready_i),
    .rd_data_o (line_data_o)
  );

  `TESSERA_ASSERT(SkidNeverOverflows_A, acc_rsp_valid_i |-> skid_ready, clk_i, rst_ni)

endmodule
