// SPDX-License-Identifier: Apache-2.0
// tessera_icebreaker: the iCEBreaker board build - a tessera_core behind a serial link.
//
// Function:   the whole engine (tessera_top) needs tens of thousands of LUTs, far beyond any
//             iCE40 (docs/synthesis.md), so this board carries the systolic core itself, a
//             NumRows x NumCols array with its product register, driven over the board's
//             FTDI serial port by tessera_core_link (protocol: docs/boards.md). The host
//             side is `tessera coretest --serial /dev/ttyUSB1`, which checks every result
//             against the reference model.
// Clocking:   the 12 MHz oscillator directly (no PLL): 1 Mbaud is 12 clocks a bit, exactly
//             a rate the FT2232H makes (3 MHz / 3). The core has a wide timing margin here.
// Reset:      at configuration (iCE40 flops start at 0: a 4-bit counter holds the reset for
//             15 cycles), while the user button is held, and on a serial break.
// LEDs:       green (LEDG_N) lights while work is in progress, red (LEDR_N) when a byte was
//             lost (the host's next identify reports and clears it).
module tessera_icebreaker #(
  parameter int NumRows         = 4,
  parameter int NumCols         = 2,
  parameter int ProductRegister = 0,
  parameter int ClocksPerBit    = 12
) (
  input  logic clk_12mhz_i,
  input  logic button_ni,      // BTN_N, low while pressed
  input  logic uart_rx_i,      // from the FT2232H's channel B
  output logic uart_tx_o,
  output logic led_red_no,
  output logic led_green_no
);

  logic [3:0] por_count_q = 4'd0;  // initial value: the iCE40's configuration state
  logic [1:0] button_sync_q = 2'b00;
  logic       rst_nq = 1'b0;
  logic       busy, error;

  always_ff @(posedge clk_12mhz_i) begin
    if (por_count_q != 4'hf) por_count_q <= por_count_q + 1'b1;
    button_sync_q <= {button_sync_q[0], button_ni};
    rst_nq        <= (por_count_q == 4'hf) && button_sync_q[1];
  end

  tessera_core_link #(
    .NumRows        (NumRows),
    .NumCols        (NumCols),
    .ProductRegister(ProductRegister),
    .ClocksPerBit   (ClocksPerBit)
  ) u_link (
    .clk_i  (clk_12mhz_i),
    .rst_ni (rst_nq),
    .rx_i   (uart_rx_i),
    .tx_o   (uart_tx_o),
    .busy_o (busy),
    .error_o(error)
  );

  assign led_green_no = !busy;
  assign led_red_no   = !error;

endmodule
