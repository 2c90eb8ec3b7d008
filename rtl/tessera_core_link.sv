// SPDX-License-Identifier: Apache-2.0
// tessera_core_link: a tessera_core driven over an 8N1 serial line (the iCE40 board build).
//
// Function:   a host sends frames, each an opcode byte and its payload; the link feeds the
//             core's weight and activation streams and sends each result vector back. The
//             protocol (docs/boards.md, driver/include/tessera/core_link.hpp):
//               'I'                        identify: reply 'I' 'T' 'L' version NumRows
//                                          NumCols flags status log2(RxBufferBytes)
//               'W' + NumRows*NumCols      a weight tile, row 0 first, a row's columns in
//                                          order (int8); no reply
//               'A' + NumRows              an activation vector (int8): reply 'R' + NumCols
//               'L' + NumRows              int32 little-endian; 'L' also ends the tile
//               any other byte             reply 'E' 0x01 <the byte>
//             flags bit 0: the core's ProductRegister. status (cleared by the reply that
//             reports it): bit 0 a byte arrived while the receive buffer was full and was
//             dropped, bit 1 a byte had a bad stop bit and was dropped.
//             Replies leave in the order of their requests: 'I' and errors wait until every
//             earlier result has been sent.
//             A break (the line held low for a whole frame) resets the link and the core
//             (not the status): a host starts with one, then 'I', so it never finds a
//             frame half-sent.
// Flow:       the line has no flow control. Bytes wait in a RxBufferBytes block-RAM queue;
//             a host keeps the bytes of its unanswered frames within that size (it learns
//             it from 'I'), and the status bits tell it if it did not.
// Latency:    a result starts on tx_o a few cycles (the core's NumRows + NumCols + the
//             queue) after its vector's last byte is received. Throughput: the line's, about
//             one vector per (1 + NumRows + 1 + 4*NumCols) byte times; the core is idle
//             almost always.
`include "tessera_assert.svh"

module tessera_core_link #(
  parameter int NumRows         = 4,
  parameter int NumCols         = 4,
  parameter int ProductRegister = 0,
  parameter int ClocksPerBit    = 12,   // clock frequency / baud rate, >= 4
  parameter int RxBufferBytes   = 512   // a power of two that holds a weight frame
) (
  input  logic clk_i,
  input  logic rst_ni,
  // Serial line to the host
  input  logic rx_i,
  output logic tx_o,
  // Status for LEDs
  output logic busy_o,   // a frame, a result or a queued byte is in progress
  output logic error_o   // a status bit is set (reported by the next 'I')
);

  localparam int DataWidth     = tessera_pkg::DataWidth;
  localparam int AccWidth      = tessera_pkg::AccWidth;
  localparam int ResultBytes   = 1 + NumCols * AccWidth / 8;
  localparam int IdentifyBytes = 9;
  localparam int ReplyBytes    = ResultBytes > IdentifyBytes ? ResultBytes : IdentifyBytes;
  localparam int ReplyWidth    = ReplyBytes * 8;
  localparam int PtrWidth      = tessera_pkg::index_width(RxBufferBytes);
  localparam int CountWidth    = $clog2(RxBufferBytes + 1);
  localparam int InFlightWidth = $clog2(NumRows + NumCols + 4);
  localparam int RowWidth      = NumCols * DataWidth;
  localparam int VecWidth      = NumRows * DataWidth;
  localparam logic [7:0] Version = 8'd1;

  // Opcodes and reply tags (ASCII, so that a terminal shows them).
  localparam logic [7:0] OpIdentify = 8'h49;  // 'I'
  localparam logic [7:0] OpWeights  = 8'h57;  // 'W'
  localparam logic [7:0] OpVector   = 8'h41;  // 'A'
  localparam logic [7:0] OpLast     = 8'h4c;  // 'L'
  localparam logic [7:0] TagResult  = 8'h52;  // 'R'
  localparam logic [7:0] TagError   = 8'h45;  // 'E'
  localparam logic [7:0] ErrOpcode  = 8'h01;

  // ---------------------------------------------------------------------------------------
  // Receiver; a break resets everything after it (the receiver itself waits for idle)
  // ---------------------------------------------------------------------------------------
  logic       rx_valid, rx_frame_error;
  logic [7:0] rx_byte;
  logic       break_q;   // one cycle after a break: the reset pulse
  logic       link_rst_n;

  tessera_uart_rx #(.ClocksPerBit(ClocksPerBit)) u_rx (
    .clk_i,
    .rst_ni,
    .rx_i,
    .byte_valid_o (rx_valid),
    .byte_o       (rx_byte),
    .frame_error_o(rx_frame_error)
  );

  // break_q is a flop, so the reset is glitch-free and released synchronously.
  assign link_rst_n = rst_ni && !break_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) break_q <= 1'b0;
    else         break_q <= rx_valid && rx_frame_error && (rx_byte == 8'h00);
  end

  // ---------------------------------------------------------------------------------------
  // Receive queue in block RAM; byte_q is the oldest byte once byte_valid_q is set
  // ---------------------------------------------------------------------------------------
  logic [PtrWidth-1:0]   wr_ptr_d, wr_ptr_q, rd_ptr_d, rd_ptr_q;
  logic [CountWidth-1:0] count_d, count_q;
  logic                  rx_store, rx_overrun, rx_damaged, rx_pop;
  logic                  byte_valid_d, byte_valid_q, byte_take;
  logic [7:0]            byte_q;

  assign rx_store   = rx_valid && !rx_frame_error && (count_q != CountWidth'(RxBufferBytes));
  assign rx_overrun = rx_valid && !rx_frame_error && (count_q == CountWidth'(RxBufferBytes));
  assign rx_damaged = rx_valid && rx_frame_error && (rx_byte != 8'h00);
  // A read refills byte_q when it is empty or being taken (its data arrives next cycle).
  assign rx_pop     = (count_q != '0) && (!byte_valid_q || byte_take);

  tessera_ram #(.Width(8), .Depth(RxBufferBytes)) u_rx_buffer (
    .clk_i,
    .wr_en_i  (rx_store),
    .wr_addr_i(wr_ptr_q),
    .wr_data_i(rx_byte),
    .wr_strb_i(1'b1),
    .rd_en_i  (rx_pop),
    .rd_addr_i(rd_ptr_q),
    .rd_data_o(byte_q)
  );

  always_comb begin
    wr_ptr_d     = rx_store ? wr_ptr_q + 1'b1 : wr_ptr_q;
    rd_ptr_d     = rx_pop ? rd_ptr_q + 1'b1 : rd_ptr_q;
    count_d      = count_q + CountWidth'(rx_store) - CountWidth'(rx_pop);
    byte_valid_d = rx_pop || (byte_valid_q && !byte_take);
  end

  always_ff @(posedge clk_i or negedge link_rst_n) begin
    if (!link_rst_n) begin
      wr_ptr_q     <= '0;
      rd_ptr_q     <= '0;
      count_q      <= '0;
      byte_valid_q <= 1'b0;
    end else begin
      wr_ptr_q     <= wr_ptr_d;
      rd_ptr_q     <= rd_ptr_d;
      count_q      <= count_d;
      byte_valid_q <= byte_valid_d;
    end
  end

  // ---------------------------------------------------------------------------------------
  // Frame decoder: bytes to weight rows and activation vectors, or a reply
  // ---------------------------------------------------------------------------------------
  typedef enum logic [2:0] {
    Opcode,     // next byte is an opcode
    Collect,    // collecting a weight row (collect_wgt_q) or an activation vector
    WgtIssue,   // handing the row to the core
    ActIssue,   // handing the vector to the core
    Reply       // waiting for earlier results to leave, then queueing reply_word
  } state_e;

  localparam int CollectWidth = RowWidth > VecWidth ? RowWidth : VecWidth;

  state_e                       state_d, state_q;
  logic [CollectWidth-1:0]      collect_d, collect_q;  // byte k at bits [8k+7:8k]
  logic                         collect_wgt_d, collect_wgt_q;
  logic [7:0]                   nbytes_d, nbytes_q;  // bytes collected of the row / vector
  logic [7:0]                   collect_last;        // index of the row's / vector's last byte
  logic [7:0]                   wgt_row_d, wgt_row_q;
  logic                         vec_last_d, vec_last_q;
  logic [IdentifyBytes*8-1:0]   reply_word_d, reply_word_q;
  logic [3:0]                   reply_len_d, reply_len_q;
  logic                         overrun_d, overrun_q, damaged_d, damaged_q;
  logic                         wgt_ready, act_ready;
  logic                         out_valid, out_ready, out_last;
  logic [NumCols*AccWidth-1:0]  out_data;
  logic [InFlightWidth-1:0]     in_flight_q;
  logic                         tx_idle, reply_load;
  logic                         act_fire, out_fire;

  assign collect_last = collect_wgt_q ? 8'(NumCols - 1) : 8'(NumRows - 1);
  assign reply_load = (state_q == Reply) && (in_flight_q == '0) && tx_idle;
  assign act_fire   = (state_q == ActIssue) && act_ready;
  assign out_fire   = out_valid && out_ready;

  always_comb begin
    state_d       = state_q;
    collect_d     = collect_q;
    collect_wgt_d = collect_wgt_q;
    nbytes_d      = nbytes_q;
    wgt_row_d     = wgt_row_q;
    vec_last_d    = vec_last_q;
    reply_word_d  = reply_word_q;
    reply_len_d   = reply_len_q;
    byte_take     = 1'b0;
    overrun_d     = overrun_q || rx_overrun;
    damaged_d     = damaged_q || rx_damaged;

    unique case (state_q)
      Opcode: begin
        if (byte_valid_q) begin
          byte_take = 1'b1;
          nbytes_d  = '0;
          wgt_row_d = '0;
          if (byte_q == OpWeights) begin
            state_d       = Collect;
            collect_wgt_d = 1'b1;
          end else if (byte_q == OpVector || byte_q == OpLast) begin
            state_d       = Collect;
            collect_wgt_d = 1'b0;
            vec_last_d    = (byte_q == OpLast);
          end else if (byte_q == OpIdentify) begin
            state_d      = Reply;
            reply_len_d  = 4'(IdentifyBytes);
            // status is filled in when the reply is queued (reply_load)
            reply_word_d = {8'(PtrWidth), 8'h00, 8'(ProductRegister != 0 ? 1 : 0),
                            8'(NumCols), 8'(NumRows), Version, 8'h4c, 8'h54, OpIdentify};
          end else begin
            state_d      = Reply;
            reply_len_d  = 4'd3;
            reply_word_d = {48'h0, byte_q, ErrOpcode, TagError};
          end
        end
      end
      Collect: begin
        if (byte_valid_q) begin
          byte_take = 1'b1;
          collect_d[nbytes_q*8 +: 8] = byte_q;
          nbytes_d  = nbytes_q + 1'b1;
          if (nbytes_q == collect_last) state_d = collect_wgt_q ? WgtIssue : ActIssue;
        end
      end
      WgtIssue: begin
        if (wgt_ready) begin
          nbytes_d  = '0;
          wgt_row_d = wgt_row_q + 1'b1;
          state_d   = (wgt_row_q == 8'(NumRows - 1)) ? Opcode : Collect;
        end
      end
      ActIssue: begin
        if (act_ready) state_d = Opcode;
      end
      Reply: begin
        if (reply_load) begin
          state_d = Opcode;
          if (reply_word_q[7:0] == OpIdentify) begin
            // Report the status and clear it (an event in this very cycle stays set).
            reply_word_d[7*8 +: 8] = {6'b0, damaged_q, overrun_q};
            overrun_d = rx_overrun;
            damaged_d = rx_damaged;
          end
        end
      end
      default: state_d = Opcode;
    endcase
  end

  always_ff @(posedge clk_i or negedge link_rst_n) begin
    if (!link_rst_n) begin
      state_q       <= Opcode;
      nbytes_q      <= '0;
      collect_wgt_q <= 1'b0;
      wgt_row_q     <= '0;
      vec_last_q    <= 1'b0;
      reply_word_q  <= '0;
      reply_len_q   <= '0;
    end else begin
      state_q       <= state_d;
      nbytes_q      <= nbytes_d;
      collect_wgt_q <= collect_wgt_d;
      wgt_row_q     <= wgt_row_d;
      vec_last_q    <= vec_last_d;
      reply_word_q  <= reply_word_d;
      reply_len_q   <= reply_len_d;
    end
  end

  // The status survives a break, so that a host that resets the link still learns that
  // bytes were lost before.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      overrun_q <= 1'b0;
      damaged_q <= 1'b0;
    end else begin
      overrun_q <= overrun_d;
      damaged_q <= damaged_d;
    end
  end

  // The collected bytes need no reset: they are read only once filled.
  always_ff @(posedge clk_i) collect_q <= collect_d;

  // ---------------------------------------------------------------------------------------
  // The core
  // ---------------------------------------------------------------------------------------
  tessera_core #(
    .NumRows        (NumRows),
    .NumCols        (NumCols),
    .ProductRegister(ProductRegister)
  ) u_core (
    .clk_i,
    .rst_ni     (link_rst_n),
    .wgt_valid_i(state_q == WgtIssue),
    .wgt_ready_o(wgt_ready),
    .wgt_data_i (collect_q[RowWidth-1:0]),
    .act_valid_i(state_q == ActIssue),
    .act_ready_o(act_ready),
    .act_data_i (collect_q[VecWidth-1:0]),
    .act_last_i (vec_last_q),
    .out_valid_o(out_valid),
    .out_ready_i(out_ready),
    .out_data_o (out_data),
    .out_last_o (out_last)
  );

  // Vectors handed to the core whose result has not yet been taken for sending.
  logic [InFlightWidth-1:0] in_flight_d;
  assign in_flight_d = in_flight_q + InFlightWidth'(act_fire) - InFlightWidth'(out_fire);

  always_ff @(posedge clk_i or negedge link_rst_n) begin
    if (!link_rst_n) in_flight_q <= '0;
    else             in_flight_q <= in_flight_d;
  end

  // ---------------------------------------------------------------------------------------
  // Transmitter: one reply at a time, least significant byte first
  // ---------------------------------------------------------------------------------------
  logic [ReplyWidth-1:0] tx_word_d, tx_word_q;
  logic [7:0]            tx_left_d, tx_left_q;  // bytes of tx_word_q still to send
  logic                  tx_byte_ready;

  assign tx_idle   = (tx_left_q == '0);
  assign out_ready = tx_idle;

  always_comb begin
    tx_word_d = tx_word_q;
    tx_left_d = tx_left_q;
    if (out_fire) begin
      tx_word_d = ReplyWidth'({out_data, TagResult});
      tx_left_d = 8'(ResultBytes);
    end else if (reply_load) begin
      tx_word_d = ReplyWidth'(reply_word_d);
      tx_left_d = 8'(reply_len_q);
    end else if (!tx_idle && tx_byte_ready) begin
      tx_word_d = tx_word_q >> 8;
      tx_left_d = tx_left_q - 1'b1;
    end
  end

  always_ff @(posedge clk_i or negedge link_rst_n) begin
    if (!link_rst_n) begin
      tx_word_q <= '0;
      tx_left_q <= '0;
    end else begin
      tx_word_q <= tx_word_d;
      tx_left_q <= tx_left_d;
    end
  end

  tessera_uart_tx #(.ClocksPerBit(ClocksPerBit)) u_tx (
    .clk_i,
    .rst_ni      (link_rst_n),
    .byte_valid_i(!tx_idle),
    .byte_ready_o(tx_byte_ready),
    .byte_i      (tx_word_q[7:0]),
    .tx_o
  );

  assign busy_o  = (state_q != Opcode) || (in_flight_q != '0) || !tx_idle || (count_q != '0);
  assign error_o = overrun_q || damaged_q;

  logic unused_out_last;
  assign unused_out_last = out_last;  // tiles end where the host says; nothing to check here

  // ---------------------------------------------------------------------------------------
  // Parameter checks and assertions
  // ---------------------------------------------------------------------------------------
  if (RxBufferBytes < 1 + NumRows * NumCols || (RxBufferBytes & (RxBufferBytes - 1)) != 0)
  begin : g_bad_buffer
    $error("tessera_core_link: RxBufferBytes must be a power of two that holds a weight frame");
  end
  if (NumRows > 255 || NumCols > 62) begin : g_bad_shape
    $error("tessera_core_link: NumRows must be <= 255 and NumCols <= 62 (one-byte lengths)");
  end

  `TESSERA_ASSERT(ReplyNeverOverlapsResult_A, !(out_fire && reply_load), clk_i, link_rst_n)
  `TESSERA_ASSERT(InFlightBounded_A, in_flight_q <= InFlightWidth'(NumRows + NumCols + 2),
                  clk_i, link_rst_n)

endmodule
