// SPDX-License-Identifier: Apache-2.0
// tessera_uart_rx: asynchronous serial receiver, 8 data bits, no parity, 1 stop bit (8N1).
//
// Function:   samples rx_i (asynchronous: synchronised here by two flops) and delivers each
//             received byte, least significant bit first on the line, as a one-cycle pulse
//             on byte_valid_o with byte_o. A start bit is a falling edge that is still low
//             half a bit later (a shorter glitch is ignored); each bit is sampled in its
//             middle. A byte whose stop bit reads 0 is delivered on byte_valid_o too, with
//             frame_error_o, so that the user can count it as damaged; the receiver then
//             waits for the line to return high (idle) before looking for the next start bit,
//             so a held-low line (a break) yields one error, not a stream of zero bytes.
// Latency:    byte_valid_o is high in the cycle that samples the middle of the stop bit,
//             two cycles (the synchroniser) after that point of the line reached rx_i.
// Throughput: one byte per 10 bit times; back-to-back bytes (no idle time between a stop
//             bit and the next start bit) are received.
// Stalls:     none: the byte is a pulse, and the user must take it in that cycle.
// Tolerance:  sampling in the middle of each bit tolerates a baud-rate mismatch of about
//             +-4 % over a 10-bit frame; ClocksPerBit >= 4 keeps the sampling error below
//             one eighth of a bit.
module tessera_uart_rx #(
  parameter int ClocksPerBit = 12  // clock frequency / baud rate, >= 4
) (
  input  logic       clk_i,
  input  logic       rst_ni,
  // Serial line (idle high)
  input  logic       rx_i,
  // Received bytes
  output logic       byte_valid_o,
  output logic [7:0] byte_o,
  output logic       frame_error_o
);

  localparam int TimerWidth = $clog2(ClocksPerBit + 1);
  localparam logic [TimerWidth-1:0] FullBit = TimerWidth'(ClocksPerBit - 1);
  localparam logic [TimerWidth-1:0] HalfBit = TimerWidth'(ClocksPerBit / 2 - 1);

  typedef enum logic [1:0] {
    Idle,       // line high, waiting for a start bit
    StartBit,   // confirming the start bit at its middle
    DataBits,   // sampling 8 data bits, then the stop bit
    WaitIdle    // after a framing error: wait for the line to go high
  } state_e;

  logic [1:0]            rx_sync_q;  // two-flop synchroniser; rx_sync_q[1] is the safe copy
  state_e                state_d, state_q;
  logic [TimerWidth-1:0] timer_d, timer_q;
  logic [3:0]            bit_d, bit_q;  // 0..7 data bits, 8 the stop bit
  logic [7:0]            shift_d, shift_q;
  logic                  line;

  assign line = rx_sync_q[1];

  always_comb begin
    state_d       = state_q;
    timer_d       = timer_q;
    bit_d         = bit_q;
    shift_d       = shift_q;
    byte_valid_o  = 1'b0;
    frame_error_o = 1'b0;

    unique case (state_q)
      Idle: begin
        if (!line) begin
          state_d = StartBit;
          timer_d = HalfBit;
        end
      end
      StartBit: begin
        if (timer_q != '0) begin
          timer_d = timer_q - 1'b1;
        end else if (line) begin
          state_d = Idle;  // a glitch, not a start bit
        end else begin
          state_d = DataBits;
          timer_d = FullBit;
          bit_d   = '0;
        end
      end
      DataBits: begin
        if (timer_q != '0) begin
          timer_d = timer_q - 1'b1;
        end else if (bit_q != 4'd8) begin
          shift_d = {line, shift_q[7:1]};
          bit_d   = bit_q + 1'b1;
          timer_d = FullBit;
        end else begin
          byte_valid_o  = 1'b1;
          frame_error_o = !line;
          state_d       = line ? Idle : WaitIdle;
        end
      end
      WaitIdle: begin
        if (line) state_d = Idle;
      end
      default: state_d = Idle;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rx_sync_q <= 2'b11;
      state_q   <= Idle;
      timer_q   <= '0;
      bit_q     <= '0;
      shift_q   <= '0;
    end else begin
      rx_sync_q <= {rx_sync_q[0], rx_i};
      state_q   <= state_d;
      timer_q   <= timer_d;
      bit_q     <= bit_d;
      shift_q   <= shift_d;
    end
  end

  assign byte_o = shift_q;

  if (ClocksPerBit < 4) begin : g_bad_rate
    $error("tessera_uart_rx: ClocksPerBit must be >= 4");
  end

endmodule
