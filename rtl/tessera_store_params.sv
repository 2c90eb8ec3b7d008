// SPDX-License-Identifier: Apache-2.0
// tessera_store_params: a STORE's quantization parameters, fetched from the table.
//
// Function:   start_i takes a new command's first entry, mode and entry count (the *_i
//             inputs are sampled then). While fetch_i, it reads that many consecutive
//             quantization-table entries, one per cycle, into per-lane registers: entry l
//             into lane l per channel, the one entry into every lane otherwise (the entry
//             layout is tessera_isa_pkg's Qt* fields). done_o marks the cycle the last
//             entry arrives; bad_shift_o says, with it, whether any entry's shift lies
//             outside [QtShiftMin, QtShiftMax] (the post-processing takes 6 bits), in which
//             case the STORE must write nothing.
// Latency:    entries_i + 1 cycles from the first cycle of fetch_i to done_o.
// Throughput: one entry per cycle. The table read port never stalls.
module tessera_store_params #(
  parameter int NumCols       = tessera_pkg::DefaultNumCols,
  parameter int QTableEntries = tessera_pkg::DefaultQTableEntries,
  localparam int QtAddrWidth  = tessera_pkg::index_width(QTableEntries),
  localparam int LaneIdxWidth = tessera_pkg::index_width(NumCols),
  localparam int EntryBits    = tessera_isa_pkg::QtEntryBits
) (
  input  logic                   clk_i,
  input  logic                   rst_ni,
  // Control: start_i with a new command (its fields below), fetch_i while they are wanted
  input  logic                   start_i,
  input  logic [QtAddrWidth-1:0] first_entry_i,
  input  logic                   per_channel_i,
  input  logic [LaneIdxWidth:0]  entries_i,       // 1, or the lanes stored per channel
  input  logic                   fetch_i,
  output logic                   done_o,
  output logic                   bad_shift_o,
  // Quantization table read port (data one cycle after the request)
  output logic                   qt_rd_en_o,
  output logic [QtAddrWidth-1:0] qt_rd_addr_o,
  input  logic [EntryBits-1:0]   qt_rd_data_i,
  // Per-lane parameters for the post-processing
  output logic [NumCols*32-1:0]  bias_o,
  output logic [NumCols*32-1:0]  mult_o,
  output logic [NumCols*6-1:0]   shift_o
);

  logic [QtAddrWidth-1:0]  first_d, first_q;
  logic                    per_channel_d, per_channel_q;
  logic [LaneIdxWidth:0]   entries_d, entries_q;
  logic [LaneIdxWidth:0]   issued_d, issued_q;  // entries requested so far
  logic                    rsp_q;               // a table response arrives this cycle
  logic [LaneIdxWidth-1:0] lane_d, lane_q;      // ... for this lane
  logic                    bad_d, bad_q;        // an earlier entry's shift was out of range
  logic [NumCols*32-1:0]   bias_d, bias_q, mult_d, mult_q;
  logic [NumCols*6-1:0]    shift_d, shift_q;

  // The entry's fields (tessera_isa_pkg's layout).
  logic [31:0] entry_bias, entry_mult, entry_shift;
  logic        entry_shift_ok;
  assign entry_bias     = qt_rd_data_i[tessera_isa_pkg::QtBiasLsb +: 32];
  assign entry_mult     = qt_rd_data_i[tessera_isa_pkg::QtMultiplierLsb +: 32];
  assign entry_shift    = qt_rd_data_i[tessera_isa_pkg::QtShiftLsb +: 32];
  assign entry_shift_ok = $signed(entry_shift) >= 32'(tessera_isa_pkg::QtShiftMin) &&
                          $signed(entry_shift) <= 32'(tessera_isa_pkg::QtShiftMax);

  assign qt_rd_en_o   = fetch_i && issued_q != entries_q;
  assign qt_rd_addr_o = first_q + QtAddrWidth'(issued_q);
  assign done_o       = rsp_q && (LaneIdxWidth+1)'(lane_q) == entries_q - 1'b1;
  assign bad_shift_o  = bad_q || !entry_shift_ok;

  always_comb begin
    first_d       = first_q;
    per_channel_d = per_channel_q;
    entries_d     = entries_q;
    issued_d      = issued_q;
    lane_d   = lane_q;
    bad_d    = bad_q;
    bias_d   = bias_q;
    mult_d   = mult_q;
    shift_d  = shift_q;
    if (qt_rd_en_o) begin
      issued_d = issued_q + 1'b1;
      lane_d   = LaneIdxWidth'(issued_q);
    end
    // Per tensor, the one entry goes to every lane.
    if (rsp_q) begin
      for (int l = 0; l < NumCols; l++) begin
        if (!per_channel_q || LaneIdxWidth'(l) == lane_q) begin
          bias_d[32*l +: 32] = entry_bias;
          mult_d[32*l +: 32] = entry_mult;
          shift_d[6*l +: 6]  = entry_shift[5:0];
        end
      end
      if (!entry_shift_ok) bad_d = 1'b1;
    end
    if (start_i) begin
      first_d       = first_entry_i;
      per_channel_d = per_channel_i;
      entries_d     = entries_i;
      issued_d      = '0;
      bad_d         = 1'b0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) rsp_q <= 1'b0;
    else         rsp_q <= qt_rd_en_o;
  end

  // Reset-free: start_i sets them before fetch_i reads them.
  always_ff @(posedge clk_i) begin
    first_q       <= first_d;
    per_channel_q <= per_channel_d;
    entries_q     <= entries_d;
    issued_q <= issued_d;
    lane_q   <= lane_d;
    bad_q    <= bad_d;
    bias_q   <= bias_d;
    mult_q   <= mult_d;
    shift_q  <= shift_d;
  end

  assign bias_o  = bias_q;
  assign mult_o  = mult_q;
  assign shift_o = shift_q;

  // Unused: the shift bits beyond the 6 the post-processing takes (a shift outside the range
  // stops the command instead) and the entry's reserved bytes.
  logic unused_bits;
  assign unused_bits = ^{entry_shift[31:6], qt_rd_data_i};

endmodule
