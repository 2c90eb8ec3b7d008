// SPDX-License-Identifier: Apache-2.0
// tessera_depthwise: the depthwise unit, beside the array (COMPUTE DEPTHWISE, docs/isa.md).
//
// Function:   a command is one input row of a padded image: ACT_ROWS channel blocks of
//             VECTORS pixels, read by a reader of its own (tessera_dw_row_reader, line
//             b*VECTORS + x at ACT_LINE + b*ACT_ROW_STRIDE + x*ACT_STRIDE) on a scratchpad
//             port of its own, and streamed (block b's pixels x = 0 .. VECTORS-1, then block
//             b+1's), beside whatever the array does meanwhile. A line buffer holds the two rows
//             before it, line b*VECTORS + x of each; with them each incoming line completes
//             a column of a 3x3 window per lane. Where the window ends on a pixel
//             x = 2 + ox*stride of an output row (DW_OUTPUT), the unit sums its nine
//             products per lane, weight line WGT_LINE + b*DW_TAPS + ky*3 + kx times pixel
//             (ky, x - 2 + kx), and writes the int32 lanes to accumulator line
//             ACC_LINE + b*DW_BLOCK_PITCH + ox (added with ACCUMULATE). Every line then
//             enters the line buffer, the row before moving up.
// Padding:    DW_PAD makes the image's edges of DW_ZERO_POINT bytes: LEFT a column before
//             each block's pixel 0 (the window starts on it, so outputs end on x' = x + 1),
//             RIGHT a column after its last pixel (one cycle of its own, no line taken, the
//             line buffer not written), TOP the line buffer's rows read as padding (the
//             image's first row). Other padding (more than a pixel, rows below the image) is
//             in the scratchpad, filled by the planner.
// Pairs:      with DW_PAIR (stride 2) a command is two rows: with each line of the first
//             comes line b*VECTORS + x of the second, which a second tessera_dw_row_reader
//             fetches on another scratchpad port into a FIFO ahead of the stream.
//             The window column is then {the newer row held, the first row, the second
//             row}, and both rows enter the line buffer: one command and VECTORS cycles per
//             block for each stride-2 output row instead of two.
// Weights:    a reader fetches each block's DW_TAPS weight lines on a scratchpad port of its
//             own into one of three slots, up to two blocks ahead of the block being
//             streamed.
// Latency:    a line's result reaches the accumulator 3 cycles after the line is taken
//             (line buffer read, window sum, the accumulator write); done_o pulses with the
//             last line's write; a line is in the reader's FIFO two cycles after its request.
//             Throughput: one line per cycle (two rows' lines with
//             DW_PAIR) and a cycle per block for a RIGHT padding column, as long as each
//             block has VECTORS >= DW_TAPS pixels (the reader's nine reads) and the ports
//             are not held by other readers of their banks; narrower blocks wait for their
//             weights.
// Line buffer: DW_LINE_BUFFER_LINES words of two lines (tessera_ram, block RAM); read when
//             a line is taken, written a cycle later. A command's line b*VECTORS + x is read
//             at least VECTORS >= 3 cycles after the command before wrote it, so a read
//             never meets its own write (the command checker requires VECTORS >= 3).
`include "tessera_assert.svh"

module tessera_depthwise #(
  parameter int LineBytes = tessera_pkg::DefaultNumRows,
  parameter int NumCols   = tessera_pkg::DefaultNumCols,
  parameter int Lanes     = LineBytes < NumCols ? LineBytes : NumCols,  // lanes past: 0
  parameter int SpadLines = tessera_pkg::DefaultScratchpadLines,
  parameter int AccLines  = tessera_pkg::DefaultAccumulatorLines,
  parameter int CmdDepth  = 2,
  localparam int SpadAddrWidth = tessera_pkg::index_width(SpadLines),
  localparam int AccAddrWidth  = tessera_pkg::index_width(AccLines),
  localparam int LineWidth     = 8 * LineBytes,
  localparam int AccLineWidth  = tessera_pkg::AccWidth * NumCols,
  // The fields of tessera_pkg::dw_cmd_bits (the strides scratchpad-wide)
  localparam int CmdWidth      = tessera_pkg::dw_cmd_bits(SpadAddrWidth, AccAddrWidth)
) (
  input  logic                     clk_i,
  input  logic                     rst_ni,
  // Commands, in the order their lines arrive
  input  logic                     cmd_valid_i,
  output logic                     cmd_ready_o,
  input  logic [CmdWidth-1:0]      cmd_i,
  // Scratchpad reads of the rows (responses one cycle after the request, never stalled)
  output logic                     line_req_valid_o,
  input  logic                     line_req_ready_i,
  output logic [SpadAddrWidth-1:0] line_req_addr_o,
  input  logic                     line_rsp_valid_i,
  input  logic [LineWidth-1:0]     line_rsp_data_i,
  // Scratchpad reads of the weights (responses one cycle after the request, never stalled)
  output logic                     wgt_req_valid_o,
  input  logic                     wgt_req_ready_i,
  output logic [SpadAddrWidth-1:0] wgt_req_addr_o,
  input  logic                     wgt_rsp_valid_i,
  input  logic [LineWidth-1:0]     wgt_rsp_data_i,
  // Scratchpad reads of the pairs' second rows (the same timing)
  output logic                     pair_req_valid_o,
  input  logic                     pair_req_ready_i,
  output logic [SpadAddrWidth-1:0] pair_req_addr_o,
  input  logic                     pair_rsp_valid_i,
  input  logic [LineWidth-1:0]     pair_rsp_data_i,
  // Results (the accumulator never stalls)
  output logic                     acc_valid_o,
  output logic [AccAddrWidth-1:0]  acc_addr_o,
  output logic [AccLineWidth-1:0]  acc_data_o,
  output logic                     acc_add_o,
  output logic                     done_o,   // a command's last line has been handled
  output logic                     idle_o
);

  localparam int Taps       = tessera_isa_pkg::DwKernel * tessera_isa_pkg::DwKernel;
  localparam int Kernel     = tessera_isa_pkg::DwKernel;
  localparam int LbLines    = tessera_isa_pkg::DwLineBufferLines;
  localparam int LbAddrWidth = tessera_pkg::index_width(LbLines);
  localparam int TapWidth   = tessera_pkg::index_width(Taps);
  localparam int SlotWidth  = Taps * LineWidth;  // one block's weight lines
  localparam int ColWidth   = Kernel * LineWidth; // a window column: rows 0 (oldest) .. 2
  // Weight slots: the block streaming, the next one's (full), and the one after it filling,
  // so the reader has two blocks' time for its nine reads.
  localparam int Slots      = 3;
  localparam logic [1:0] LastSlot = 2'(Slots - 1);
  // The command's fields, from the least significant bit.
  localparam int PitchLsb     = 3;
  localparam int AccLsb       = PitchLsb + 16;
  localparam int WgtLsb       = AccLsb + AccAddrWidth;
  localparam int VectorsLsb   = WgtLsb + SpadAddrWidth;
  localparam int RowsLsb      = VectorsLsb + 16;
  localparam int RowStrideLsb = RowsLsb + 16;
  localparam int StrideLsb    = RowStrideLsb + SpadAddrWidth;
  localparam int PairLineLsb  = StrideLsb + SpadAddrWidth;
  localparam int PairBit      = PairLineLsb + SpadAddrWidth;
  localparam int ZeroPointLsb = PairBit + 1;
  localparam int PadLsb       = ZeroPointLsb + 8;
  localparam int ActLineLsb   = PadLsb + 3;
  // Lines fetched ahead of the stream: a request's answer comes the next cycle, so four keep
  // one line a cycle flowing across a few cycles of a lower port's turn on the same bank.
  localparam int ReadAhead    = 4;

  // ---------------------------------------------------------------------------------------
  // Four copies of each command: one for the weight reader (it runs a block ahead), one
  // for each row reader (a few lines ahead) and one for the stream.
  // ---------------------------------------------------------------------------------------
  // Copy 0 the stream's, 1 the pair reader's, 2 the weight reader's, 3 the row reader's.
  localparam int Copies = 4;
  logic [Copies-1:0]          copy_ready, copy_valid, copy_pop;
  logic [Copies*CmdWidth-1:0] copy_cmd;
  logic wq_valid, wq_pop, sq_valid, sq_pop, pq_valid, pq_pop, lq_valid, lq_pop;
  logic [CmdWidth-1:0] wq_cmd, sq_cmd, pq_cmd, lq_cmd;
  assign cmd_ready_o = &copy_ready;
  assign copy_pop    = {lq_pop, wq_pop, pq_pop, sq_pop};
  assign {lq_valid, wq_valid, pq_valid, sq_valid} = copy_valid;
  assign {lq_cmd, wq_cmd, pq_cmd, sq_cmd}         = copy_cmd;

  for (genvar q = 0; q < Copies; q++) begin : g_copy
    tessera_fifo #(
      .Width(CmdWidth),
      .Depth(CmdDepth)
    ) u_cmdq (
      .clk_i,
      .rst_ni,
      .clr_i     (1'b0),
      .wr_valid_i(cmd_valid_i && cmd_ready_o),
      .wr_ready_o(copy_ready[q]),
      .wr_data_i (cmd_i),
      .rd_valid_o(copy_valid[q]),
      .rd_ready_i(copy_pop[q]),
      .rd_data_o (copy_cmd[q*CmdWidth +: CmdWidth])
    );
  end

  // ---------------------------------------------------------------------------------------
  // Weight reader: ACT_ROWS x DW_TAPS consecutive lines from WGT_LINE, a block per slot
  // ---------------------------------------------------------------------------------------
  logic [15:0]              wq_rows;
  logic [SpadAddrWidth-1:0] wq_wgt_line;
  assign wq_rows     = wq_cmd[RowsLsb +: 16];
  assign wq_wgt_line = wq_cmd[WgtLsb +: SpadAddrWidth];

  logic [Slots-1:0]         slot_full_d, slot_full_q;
  logic [1:0]               rd_slot_d, rd_slot_q;      // the slot the reader fills
  logic [TapWidth-1:0]      rd_tap_d, rd_tap_q;
  logic [15:0]              rd_block_d, rd_block_q;    // of the reader's command
  logic [SpadAddrWidth-1:0] rd_offset_d, rd_offset_q;  // lines read of the command
  logic                     rd_issue, rd_last_tap;
  logic [1:0]               rsp_slot_q;                // travel with the response
  logic                     rsp_last_q;
  logic [TapWidth-1:0]      rsp_tap_q;
  logic [Slots*SlotWidth-1:0] slots_q;
  logic                     free_valid;                // the stream is done with a slot
  logic [1:0]               free_slot;

  assign wgt_req_valid_o = wq_valid && !slot_full_q[rd_slot_q];
  assign wgt_req_addr_o  = wq_wgt_line + rd_offset_q;
  assign rd_issue        = wgt_req_valid_o && wgt_req_ready_i;
  assign rd_last_tap     = rd_tap_q == TapWidth'(Taps - 1);
  assign wq_pop          = rd_issue && rd_last_tap && rd_block_q == wq_rows - 16'd1;

  always_comb begin
    rd_slot_d   = rd_slot_q;
    rd_tap_d    = rd_tap_q;
    rd_block_d  = rd_block_q;
    rd_offset_d = rd_offset_q;
    if (rd_issue) begin
      rd_tap_d    = rd_last_tap ? '0 : rd_tap_q + 1'b1;
      if (rd_last_tap) rd_slot_d = rd_slot_q == LastSlot ? '0 : rd_slot_q + 2'd1;
      rd_block_d  = wq_pop ? '0 : rd_block_q + 16'(rd_last_tap);
      rd_offset_d = wq_pop ? '0 : rd_offset_q + 1'b1;
    end
    // A slot is full with its last tap's response and free once its block has streamed
    // (never the same slot: the reader only fills a free one).
    slot_full_d = slot_full_q;
    if (wgt_rsp_valid_i && rsp_last_q) slot_full_d[rsp_slot_q] = 1'b1;
    if (free_valid) slot_full_d[free_slot] = 1'b0;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      slot_full_q <= '0;
      rd_slot_q   <= '0;
      rd_tap_q    <= '0;
      rd_block_q  <= '0;
      rd_offset_q <= '0;
    end else begin
      slot_full_q <= slot_full_d;
      rd_slot_q   <= rd_slot_d;
      rd_tap_q    <= rd_tap_d;
      rd_block_q  <= rd_block_d;
      rd_offset_q <= rd_offset_d;
    end
  end
  // Reset-free: the response tags are set with each request; a slot is read only when full.
  always_ff @(posedge clk_i) begin
    rsp_slot_q <= rd_slot_q;
    rsp_tap_q  <= rd_tap_q;
    rsp_last_q <= rd_issue && rd_last_tap;
    // Each line of each slot its own enable (no shifter over all the slots).
    for (int s = 0; s < Slots; s++) begin
      for (int t = 0; t < Taps; t++) begin
        if (wgt_rsp_valid_i && rsp_slot_q == 2'(s) && rsp_tap_q == TapWidth'(t)) begin
          slots_q[(s*Taps + t)*LineWidth +: LineWidth] <= wgt_rsp_data_i;
        end
      end
    end
  end

  // ---------------------------------------------------------------------------------------
  // Row readers: every command's row (ACT_LINE) on the line port, a DW_PAIR command's
  // second row (PAIR_LINE) on the pair port, each in stream order into its FIFO
  // ---------------------------------------------------------------------------------------
  logic                 line_valid, line_take, pf_valid, pr_take;
  logic [LineWidth-1:0] line_data, pf_line;

  tessera_dw_row_reader #(
    .LineBytes(LineBytes),
    .SpadLines(SpadLines),
    .Depth    (ReadAhead)
  ) u_row_reader (
    .clk_i,
    .rst_ni,
    .cmd_valid_i     (lq_valid),
    .cmd_pop_o       (lq_pop),
    .cmd_read_i      (1'b1),
    .cmd_line_i      (lq_cmd[ActLineLsb +: SpadAddrWidth]),
    .cmd_stride_i    (lq_cmd[StrideLsb +: SpadAddrWidth]),
    .cmd_row_stride_i(lq_cmd[RowStrideLsb +: SpadAddrWidth]),
    .cmd_rows_i      (lq_cmd[RowsLsb +: 16]),
    .cmd_vectors_i   (lq_cmd[VectorsLsb +: 16]),
    .req_valid_o     (line_req_valid_o),
    .req_ready_i     (line_req_ready_i),
    .req_addr_o      (line_req_addr_o),
    .rsp_valid_i     (line_rsp_valid_i),
    .rsp_data_i      (line_rsp_data_i),
    .out_valid_o     (line_valid),
    .out_ready_i     (line_take),
    .out_data_o      (line_data)
  );

  tessera_dw_row_reader #(
    .LineBytes(LineBytes),
    .SpadLines(SpadLines),
    .Depth    (ReadAhead)
  ) u_pair_reader (
    .clk_i,
    .rst_ni,
    .cmd_valid_i     (pq_valid),
    .cmd_pop_o       (pq_pop),
    .cmd_read_i      (pq_cmd[PairBit]),
    .cmd_line_i      (pq_cmd[PairLineLsb +: SpadAddrWidth]),
    .cmd_stride_i    (pq_cmd[StrideLsb +: SpadAddrWidth]),
    .cmd_row_stride_i(pq_cmd[RowStrideLsb +: SpadAddrWidth]),
    .cmd_rows_i      (pq_cmd[RowsLsb +: 16]),
    .cmd_vectors_i   (pq_cmd[VectorsLsb +: 16]),
    .req_valid_o     (pair_req_valid_o),
    .req_ready_i     (pair_req_ready_i),
    .req_addr_o      (pair_req_addr_o),
    .rsp_valid_i     (pair_rsp_valid_i),
    .rsp_data_i      (pair_rsp_data_i),
    .out_valid_o     (pf_valid),
    .out_ready_i     (pr_take),
    .out_data_o      (pf_line)
  );

  // ---------------------------------------------------------------------------------------
  // Stream, stage 0: take a line once its block's weights (and with DW_PAIR its second-row
  // line) are in; read the line buffer
  // ---------------------------------------------------------------------------------------
  logic [15:0]             sq_rows, sq_vectors, sq_pitch;
  logic [AccAddrWidth-1:0] sq_acc_line;
  logic                    sq_stride2, sq_output, sq_accumulate, sq_pair;
  logic                    sq_pad_left, sq_pad_right, sq_pad_top;
  logic [7:0]              sq_zero_point;
  assign sq_rows       = sq_cmd[RowsLsb +: 16];
  assign sq_vectors    = sq_cmd[VectorsLsb +: 16];
  assign sq_acc_line   = sq_cmd[AccLsb +: AccAddrWidth];
  assign sq_pair       = sq_cmd[PairBit];
  assign sq_zero_point = sq_cmd[ZeroPointLsb +: 8];
  assign sq_pad_left   = sq_cmd[PadLsb + tessera_isa_pkg::DwPadLeftBit];
  assign sq_pad_right  = sq_cmd[PadLsb + tessera_isa_pkg::DwPadRightBit];
  assign sq_pad_top    = sq_cmd[PadLsb + tessera_isa_pkg::DwPadTopBit];
  assign {sq_pitch, sq_stride2, sq_output, sq_accumulate} = sq_cmd[AccLsb-1:0];

  logic                    st_first_q;
  logic [1:0]              st_slot_q;
  logic [15:0]             st_x_q, st_b_q;
  logic [LbAddrWidth-1:0]  st_lb_q, st_lb;
  logic [AccAddrWidth-1:0] st_base_q, st_base, st_ox_q;  // st_ox_q: 0 at each block's start
  logic                    take, pad_column, step, x_end, b_end, emit;
  logic [15:0]             st_x_padded;  // x' = x + DW_PAD bit 0
  // A step is a line taken, or the DW_PAD column after a block's last pixel (x = VECTORS:
  // no line; its block's weights are still in their slot).
  assign pad_column   = sq_pad_right && st_x_q == sq_vectors;
  assign take         = line_valid && sq_valid && slot_full_q[st_slot_q] &&
                        (!sq_pair || pf_valid) && !pad_column;
  assign line_take    = take;
  assign step         = take || (sq_valid && pad_column);
  assign pr_take      = take && sq_pair;
  assign x_end        = st_x_q == sq_vectors - 16'd1 + 16'(sq_pad_right);
  assign b_end        = st_b_q == sq_rows - 16'd1;
  assign sq_pop       = step && x_end && b_end;
  assign st_lb        = st_first_q ? '0 : st_lb_q;
  assign st_base      = st_first_q ? sq_acc_line : st_base_q;
  assign st_x_padded  = st_x_q + 16'(sq_pad_left);
  // The window ends on an output pixel: x' >= 2, and at stride 2 x' even.
  assign emit = sq_output && st_x_padded >= 16'(Kernel - 1) && !(sq_stride2 && st_x_padded[0]);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      st_first_q <= 1'b1;
      st_slot_q  <= '0;
      st_x_q     <= '0;
      st_b_q     <= '0;
      st_ox_q    <= '0;
    end else if (step) begin
      st_first_q <= sq_pop;
      if (x_end) st_slot_q <= st_slot_q == LastSlot ? '0 : st_slot_q + 2'd1;
      st_x_q     <= x_end ? '0 : st_x_q + 16'd1;
      st_b_q     <= sq_pop ? '0 : st_b_q + 16'(x_end);
      st_ox_q    <= x_end ? '0 : st_ox_q + AccAddrWidth'(emit);
    end
  end
  // Reset-free: the first line of each command sets them.
  always_ff @(posedge clk_i) begin
    if (take) st_lb_q <= st_lb + 1'b1;
    if (step) st_base_q <= x_end ? st_base + AccAddrWidth'(sq_pitch) : st_base;
  end

  // ---------------------------------------------------------------------------------------
  // Stage 1: the line buffer's two rows and the line make a window column
  // ---------------------------------------------------------------------------------------
  logic                    s1_valid_q, s1_emit_q, s1_last_q, s1_block_end_q, s1_add_q;
  logic                    s1_pair_q, s1_pad_column_q, s1_pad_first_q, s1_pad_top_q;
  logic [7:0]              s1_zero_point_q;
  logic [LineWidth-1:0]    zero_line;   // a line of padding
  logic [2*LineWidth-1:0]  lb_rows;     // the line buffer's rows, or padding
  logic [1:0]              s1_slot_q;
  logic [LineWidth-1:0]    s1_line_q, s1_pair_line_q;  // the first row's line, the second's
  logic [LbAddrWidth-1:0]  s1_lb_q;
  logic [AccAddrWidth-1:0] s1_acc_q;
  logic [2*LineWidth-1:0]  lb_rd_data;  // {older row, newer row}
  logic [ColWidth-1:0]     column;      // {row 2 (this), row 1, row 0}
  logic [Kernel*ColWidth-1:0] window_q; // column kx at [kx*ColWidth +: ColWidth]

  tessera_ram #(
    .Width(2 * LineWidth),
    .Depth(LbLines)
  ) u_line_buffer (
    .clk_i,
    .wr_en_i  (s1_valid_q && !s1_pad_column_q),
    .wr_addr_i(s1_lb_q),
    .wr_data_i(s1_pair_q ? {s1_line_q, s1_pair_line_q} : {lb_rows[LineWidth-1:0], s1_line_q}),
    .wr_strb_i('1),
    .rd_en_i  (take),
    .rd_addr_i(st_lb),
    .rd_data_o(lb_rd_data)
  );
  assign zero_line = {LineBytes{s1_zero_point_q}};
  assign lb_rows   = s1_pad_top_q ? {zero_line, zero_line} : lb_rd_data;
  always_comb begin
    if (s1_pad_column_q) column = {Kernel{zero_line}};
    else if (s1_pair_q)  column = {s1_pair_line_q, s1_line_q, lb_rows[LineWidth-1:0]};
    else                 column = {s1_line_q, lb_rows[LineWidth-1:0],
                                   lb_rows[2*LineWidth-1 -: LineWidth]};
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) s1_valid_q <= 1'b0;
    else         s1_valid_q <= step;
  end
  always_ff @(posedge clk_i) begin
    if (step) begin
      s1_pad_column_q <= pad_column;
      s1_pad_first_q  <= sq_pad_left && st_x_q == '0;
      s1_pad_top_q    <= sq_pad_top;
      s1_zero_point_q <= sq_zero_point;
      s1_emit_q      <= emit;
      s1_slot_q      <= st_slot_q;
      s1_last_q      <= sq_pop;
      s1_block_end_q <= x_end;
      s1_add_q       <= sq_accumulate;
      s1_line_q      <= line_data;
      s1_pair_q      <= sq_pair;
      s1_pair_line_q <= pf_line;
      s1_lb_q        <= st_lb;
      s1_acc_q       <= st_base + st_ox_q;
    end
    // A block's pixel 0 after a DW_PAD column: the window's older columns are padding.
    if (s1_valid_q) begin
      window_q <= s1_pad_first_q ? {column, {(Kernel-1){{Kernel{zero_line}}}}}
                                 : {column, window_q[Kernel*ColWidth-1 -: (Kernel-1)*ColWidth]};
    end
  end

  // ---------------------------------------------------------------------------------------
  // Stage 2: nine products per lane, summed (window_q now ends on stage 1's line)
  // ---------------------------------------------------------------------------------------
  logic                    s2_valid_q, s2_emit_q, s2_last_q, s2_block_end_q, s2_add_q;
  logic [1:0]              s2_slot_q;
  logic [AccAddrWidth-1:0] s2_acc_q;
  logic [SlotWidth-1:0]    weights;
  logic [AccLineWidth-1:0] sums;
  always_comb begin
    weights = slots_q[0 +: SlotWidth];
    for (int s = 1; s < Slots; s++) begin
      if (s2_slot_q == 2'(s)) weights = slots_q[s*SlotWidth +: SlotWidth];
    end
  end
  // Nine int8 x int8 products fit 19 bits signed (9 x 2^14 < 2^18): the sum is 20 bits,
  // sign-extended into the accumulator lane.
  localparam int SumWidth = 20;
  logic [SumWidth-1:0] lane_sum;
  logic signed [15:0]  product;  // int8 x int8, both operands widened to 16 bits signed
  always_comb begin
    sums     = '0;
    lane_sum = '0;
    product  = '0;
    for (int l = 0; l < Lanes; l++) begin
      lane_sum = '0;
      for (int kx = 0; kx < Kernel; kx++) begin
        for (int ky = 0; ky < Kernel; ky++) begin
          product  = $signed(window_q[kx*ColWidth + ky*LineWidth + l*8 +: 8]) *
                     $signed(weights[(ky*Kernel + kx)*LineWidth + l*8 +: 8]);
          lane_sum = lane_sum + {{(SumWidth-16){product[15]}}, product};
        end
      end
      sums[l*32 +: 32] = {{(32-SumWidth){lane_sum[SumWidth-1]}}, lane_sum};
    end
  end
  assign free_valid = s2_valid_q && s2_block_end_q;
  assign free_slot  = s2_slot_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) s2_valid_q <= 1'b0;
    else         s2_valid_q <= s1_valid_q;
  end
  always_ff @(posedge clk_i) begin
    s2_emit_q      <= s1_emit_q;
    s2_slot_q      <= s1_slot_q;
    s2_last_q      <= s1_last_q;
    s2_block_end_q <= s1_block_end_q;
    s2_add_q       <= s1_add_q;
    s2_acc_q       <= s1_acc_q;
  end

  // ---------------------------------------------------------------------------------------
  // Stage 3: the accumulator write
  // ---------------------------------------------------------------------------------------
  logic                    s3_write_q, s3_done_q, s3_add_q;
  logic [AccAddrWidth-1:0] s3_acc_q;
  logic [AccLineWidth-1:0] s3_sums_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      s3_write_q <= 1'b0;
      s3_done_q  <= 1'b0;
    end else begin
      s3_write_q <= s2_valid_q && s2_emit_q;
      s3_done_q  <= s2_valid_q && s2_last_q;
    end
  end
  always_ff @(posedge clk_i) begin
    s3_add_q  <= s2_add_q;
    s3_acc_q  <= s2_acc_q;
    s3_sums_q <= sums;
  end
  assign acc_valid_o = s3_write_q;
  assign acc_addr_o  = s3_acc_q;
  assign acc_data_o  = s3_sums_q;
  assign acc_add_o   = s3_add_q;
  assign done_o      = s3_done_q;
  assign idle_o      = !wq_valid && !sq_valid && !pq_valid && !lq_valid && !line_valid &&
                       !pf_valid && !s1_valid_q && !s2_valid_q && !s3_write_q && !s3_done_q;

  // Unused: the readers' copies past their fields, the stream's weight line and pair
  // fields, and the pitch bits above an accumulator address (the checker has proven every
  // line in range).
  logic unused_bits;
  assign unused_bits = ^{wq_cmd, pq_cmd, lq_cmd, sq_cmd[WgtLsb +: SpadAddrWidth],
                         sq_cmd[PairBit-1:RowStrideLsb], sq_cmd[CmdWidth-1:ActLineLsb],
                         sq_pitch};

  if (Lanes > LineBytes || Lanes > NumCols) begin : g_bad_lanes
    $error("tessera_depthwise: Lanes must fit a line and an accumulator line");
  end

  `TESSERA_ASSERT(DwLineHasCommand_A, line_valid |-> sq_valid, clk_i, rst_ni)
  `TESSERA_ASSERT(DwWeightsIntoFreeSlot_A, wgt_rsp_valid_i |-> !slot_full_q[rsp_slot_q],
                  clk_i, rst_ni)
  `TESSERA_ASSERT(DwPairLineForEachPairTake_A, pr_take |-> pf_valid, clk_i, rst_ni)
  `TESSERA_ASSERT(DwPadColumnHasWeights_A, sq_valid && pad_column |-> slot_full_q[st_slot_q],
                  clk_i, rst_ni)
  `TESSERA_ASSERT(DwBlockWithinLineBuffer_A, take |-> 32'(st_lb) < 32'(LbLines), clk_i, rst_ni)

endmodule
