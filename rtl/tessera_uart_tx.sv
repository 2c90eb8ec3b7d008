// SPDX-License-Identifier: Apache-2.0
// tessera_uart_tx: asynchronous serial transmitter, 8 data bits, no parity, 1 stop bit (8N1).
//
// Function:   sends each byte handed over on the byte_* handshake as a start bit (0), its
//             eight bits least significant first, and a stop bit (1); tx_o idles high.
// Latency:    the start bit begins on tx_o the cycle after the handshake (tx_o is a flop).
// Throughput: one byte per 10 * ClocksPerBit cycles, back to back: byte_ready_o rises in
//             the last cycle of a stop bit so that the next start bit follows without a gap.
// Stalls:     byte_ready_o is low while a byte is being sent; byte_o must be held stable
//             while byte_valid_o && !byte_ready_o. byte_ready_o comes from registers only.
module tessera_uart_tx #(
  parameter int ClocksPerBit = 12  // clock frequency / baud rate, >= 1
) (
  input  logic       clk_i,
  input  logic       rst_ni,
  // Bytes to send
  input  logic       byte_valid_i,
  output logic       byte_ready_o,
  input  logic [7:0] byte_i,
  // Serial line (idle high)
  output logic       tx_o
);

  localparam int TimerWidth = $clog2(ClocksPerBit + 1);
  localparam logic [TimerWidth-1:0] FullBit = TimerWidth'(ClocksPerBit - 1);

  // frame_q holds the bits still to send, the next one in bit 0; bits_q counts them.
  logic [8:0]            frame_d, frame_q;  // 8 data bits + stop bit (the start bit is on tx)
  logic [3:0]            bits_d, bits_q;
  logic [TimerWidth-1:0] timer_d, timer_q;
  logic                  tx_d, tx_q;
  logic                  last_cycle;  // the final cycle of the current bit

  assign last_cycle   = (timer_q == '0);
  assign byte_ready_o = (bits_q == '0) && last_cycle;

  always_comb begin
    frame_d = frame_q;
    bits_d  = bits_q;
    timer_d = timer_q;
    tx_d    = tx_q;
    if (!last_cycle) begin
      timer_d = timer_q - 1'b1;
    end else if (bits_q != '0) begin
      tx_d    = frame_q[0];
      frame_d = {1'b1, frame_q[8:1]};
      bits_d  = bits_q - 1'b1;
      timer_d = FullBit;
    end else if (byte_valid_i) begin
      tx_d    = 1'b0;  // start bit
      frame_d = {1'b1, byte_i};
      bits_d  = 4'd9;
      timer_d = FullBit;
    end else begin
      tx_d = 1'b1;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      frame_q <= '1;
      bits_q  <= '0;
      timer_q <= '0;
      tx_q    <= 1'b1;
    end else begin
      frame_q <= frame_d;
      bits_q  <= bits_d;
      timer_q <= timer_d;
      tx_q    <= tx_d;
    end
  end

  assign tx_o = tx_q;

  if (ClocksPerBit < 1) begin : g_bad_rate
    $error("tessera_uart_tx: ClocksPerBit must be >= 1");
  end

endmodule
