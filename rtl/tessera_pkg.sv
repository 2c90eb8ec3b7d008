// tessera_pkg: parameters and types shared by every Tessera block.
//
// Operands are signed int8 (activations and weights); partial sums and accumulators are
// signed int32. The defaults describe the reference 16x16 build; every block takes its
// shape as parameters so that smaller test and FPGA configurations reuse the same RTL.
package tessera_pkg;

  // Operand and accumulator widths. The datapath is int8 x int8 -> int32 by design;
  // these names exist so that widths are never written as bare numbers.
  localparam int DataWidth = 8;
  localparam int AccWidth  = 32;

  // Default systolic array shape: NumRows is the reduction (K) depth of one weight tile,
  // NumCols the number of output channels (N) produced per cycle.
  localparam int DefaultNumRows = 16;
  localparam int DefaultNumCols = 16;

  // Width of an index that can name any of n items; at least one bit so that a
  // single-row array still has a legal declaration.
  function automatic int index_width(input int n);
    index_width = (n > 1) ? $clog2(n) : 1;
  endfunction

endpackage
