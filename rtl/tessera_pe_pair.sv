// SPDX-License-Identifier: Apache-2.0
// tessera_pe_pair: two horizontally adjacent processing elements on one multiplier.
//
// Function:   behaves at its ports exactly as two tessera_pe side by side - PE (r, c),
//             "lo", and PE (r, c+1), "hi" - but forms both products with one multiply, the
//             int8 packing of Xilinx's white paper WP486: the two weights the activation
//             meets are packed as  w_hi * 2^18 + w_lo  (27 bits: a DSP48E2's A port), and
//                 P = act * (w_hi * 2^18 + w_lo) = (act * w_hi) * 2^18 + act * w_lo.
//             act * w_lo lies in [-16256, 16384], inside a signed 18-bit field, so it is
//             P's low 18 bits sign-extended, and act * w_hi = (P >>> 18) + P[17] (the low
//             field's borrow). Both products are exact for every int8 pair.
//             The activation meets hi one cycle after lo in the systolic schedule; here
//             both products are formed when it meets lo, and hi's waits a cycle in a
//             register, so every partial sum leaves on the same cycle as with two PEs.
//             Hence hi's weight is read one cycle earlier than a lone PE would read it.
//             That is safe under tessera_core's interlock when NumRows >= 2: a tile's
//             first vector is accepted after its last weight row, and rows arrive one per
//             cycle at most, so every weight a vector meets was written at least two
//             cycles before (tessera_array checks NumRows).
// Latency:    as two tessera_pe: one cycle per PE on the activation path (act_o leaves two
//             cycles after act_i) and on each partial-sum path; ProductRegister adds one
//             cycle to both products, as in tessera_pe.
// Throughput: two MACs per cycle on one multiplier; never stalls.
module tessera_pe_pair #(
  parameter int ProductRegister = 0  // 1: register the products (see tessera_pe)
) (
  input  logic                              clk_i,
  // Activation from the left (entering lo), with its weight bank; leaving hi to the right
  input  logic [tessera_pkg::DataWidth-1:0] act_i,
  input  logic                              act_bank_i,
  output logic [tessera_pkg::DataWidth-1:0] act_o,
  output logic                              act_bank_o,
  // Partial sums from above and below, per column
  input  logic [tessera_pkg::AccWidth-1:0]  psum_lo_i,
  output logic [tessera_pkg::AccWidth-1:0]  psum_lo_o,
  input  logic [tessera_pkg::AccWidth-1:0]  psum_hi_i,
  output logic [tessera_pkg::AccWidth-1:0]  psum_hi_o,
  // Weight writes, per column (each column's weight bus, as for tessera_pe)
  input  logic                              wgt_lo_write_i,
  input  logic                              wgt_lo_bank_i,
  input  logic [tessera_pkg::DataWidth-1:0] wgt_lo_data_i,
  input  logic                              wgt_hi_write_i,
  input  logic                              wgt_hi_bank_i,
  input  logic [tessera_pkg::DataWidth-1:0] wgt_hi_data_i
);

  localparam int DataWidth   = tessera_pkg::DataWidth;
  localparam int AccWidth    = tessera_pkg::AccWidth;
  localparam int Shift       = 18;                         // lo's field width
  localparam int PackedWidth = Shift + DataWidth + 1;      // 27: w_hi * 2^18 + w_lo
  localparam int ProdWidth   = PackedWidth + DataWidth;    // 35
  localparam int HiWidth     = ProdWidth - Shift;          // 17

  logic [DataWidth:0]    act_q, act_qq;  // {bank, activation}: after lo, after hi
  logic [DataWidth-1:0]  wgt_lo0_q, wgt_lo1_q, wgt_hi0_q, wgt_hi1_q, wgt_lo, wgt_hi;
  logic signed [PackedWidth-1:0] packed_wgt;
  logic signed [DataWidth-1:0]   act_signed;
  logic signed [ProdWidth-1:0]   product;
  logic [Shift-1:0]              lo_field;
  logic [HiWidth-1:0]            hi_field;
  logic [AccWidth-1:0]           lo_product, hi_product;

  assign wgt_lo = act_bank_i ? wgt_lo1_q : wgt_lo0_q;
  assign wgt_hi = act_bank_i ? wgt_hi1_q : wgt_hi0_q;
  // {w_hi, 18 zeros} plus w_lo sign-extended, in 27 bits.
  assign packed_wgt = $signed({wgt_hi[DataWidth-1], wgt_hi, {Shift{1'b0}}}) +
                      $signed({{(PackedWidth-DataWidth){wgt_lo[DataWidth-1]}}, wgt_lo});
  assign act_signed = $signed(act_i);
  assign product    = packed_wgt * act_signed;
  assign lo_field   = product[Shift-1:0];
  assign hi_field   = product[ProdWidth-1:Shift] + {{(HiWidth-1){1'b0}}, product[Shift-1]};
  assign lo_product = {{(AccWidth-Shift){lo_field[Shift-1]}}, lo_field};
  assign hi_product = {{(AccWidth-HiWidth){hi_field[HiWidth-1]}}, hi_field};

  // lo's product is added after ProductRegister cycles, hi's one cycle later (its PE's
  // turn in the schedule).
  logic [AccWidth-1:0] lo_addend, hi_addend;
  logic [AccWidth-1:0] hi_product_q;
  if (ProductRegister != 0) begin : g_product_q
    logic [AccWidth-1:0] lo_product_q, hi_product_qq;
    always_ff @(posedge clk_i) begin
      lo_product_q  <= lo_product;
      hi_product_q  <= hi_product;
      hi_product_qq <= hi_product_q;
    end
    assign lo_addend = lo_product_q;
    assign hi_addend = hi_product_qq;
  end else begin : g_product
    always_ff @(posedge clk_i) hi_product_q <= hi_product;
    assign lo_addend = lo_product;
    assign hi_addend = hi_product_q;
  end

  logic [AccWidth-1:0] psum_lo_d, psum_lo_q, psum_hi_d, psum_hi_q;
  assign psum_lo_d = psum_lo_i + lo_addend;
  assign psum_hi_d = psum_hi_i + hi_addend;

  // The datapath has no reset: every value is written before the core marks it valid.
  always_ff @(posedge clk_i) begin
    act_q     <= {act_bank_i, act_i};
    act_qq    <= act_q;
    psum_lo_q <= psum_lo_d;
    psum_hi_q <= psum_hi_d;
    if (wgt_lo_write_i && !wgt_lo_bank_i) wgt_lo0_q <= wgt_lo_data_i;
    if (wgt_lo_write_i &&  wgt_lo_bank_i) wgt_lo1_q <= wgt_lo_data_i;
    if (wgt_hi_write_i && !wgt_hi_bank_i) wgt_hi0_q <= wgt_hi_data_i;
    if (wgt_hi_write_i &&  wgt_hi_bank_i) wgt_hi1_q <= wgt_hi_data_i;
  end

  assign {act_bank_o, act_o} = act_qq;
  assign psum_lo_o           = psum_lo_q;
  assign psum_hi_o           = psum_hi_q;

endmodule
