// SPDX-License-Identifier: Apache-2.0
// tessera_pkg: parameters and types shared by every Tessera block.
//
// Operands are signed int8 (activations and weights); partial sums and accumulators are
// signed int32. The Default* values describe the default engine; every block takes its
// shape as parameters so that smaller test and FPGA configurations reuse the same RTL.
package tessera_pkg;

  // Operand and accumulator widths. The datapath is int8 x int8 -> int32 by design;
  // these names exist so that widths are never written as bare numbers.
  localparam int DataWidth = 8;
  localparam int AccWidth  = 32;

  // ---- The default engine: the one size knob --------------------------------------------
  // Every block's default parameters derive from these; the build (CMake, via
  // scripts/engine_config.py), the board wrapper (generated) and the driver's default build
  // read them from here. A program learns the shape of the engine it talks to from the
  // CONFIG registers, never from these. NumRows is the reduction (K) depth of one weight
  // tile, NumCols the number of output channels (N) produced per cycle.
  localparam int DefaultNumRows          = 16;
  localparam int DefaultNumCols          = 16;
  localparam int DefaultBusWidth         = 128;       // AXI4 data bits: 64, 128, 256 or 512
  localparam int DefaultScratchpadBytes  = 262144;    // int8 lines of NumRows bytes
  localparam int DefaultAccumulatorBytes = 65536;     // int32 lines of NumCols lanes
  localparam int DefaultQTableEntries    = 1024;      // output channels of parameters at once
  localparam int DefaultScratchpadLines  = DefaultScratchpadBytes / DefaultNumRows;
  localparam int DefaultAccumulatorLines = DefaultAccumulatorBytes / (4 * DefaultNumCols);
  // The accumulator's banks (contiguous halves): the array and the depthwise unit write at
  // once only into different ones; a STORE reads one while compute writes the other.
  localparam int AccumulatorBanks        = 2;

  // ---- DMA ------------------------------------------------------------------------------
  localparam int DmaAddrWidth   = 64;  // AXI addresses
  localparam int DmaLenWidth    = 24;  // bytes per row of a descriptor: 1 .. 2^24-1
  localparam int DmaRowsWidth   = 16;  // rows of a descriptor: 1 .. 2^16-1
  localparam int AxiLenWidth    = 8;   // AXI4 burst length field (beats - 1)
  localparam int AxiMaxBeats    = 256; // AXI4 INCR burst limit
  localparam int AxiBoundary    = 4096;// bursts never cross a 4 KiB boundary

  // A DMA descriptor: a 2D block of `rows` rows of `row_bytes` bytes, row r at
  // addr + r * stride. Field order is the flat layout {addr, row_bytes, rows, stride}.
  typedef struct packed {
    logic [DmaAddrWidth-1:0] addr;
    logic [DmaLenWidth-1:0]  row_bytes;
    logic [DmaRowsWidth-1:0] rows;
    logic [DmaAddrWidth-1:0] stride;
  } dma_desc_t;
  localparam int DmaDescWidth = 2 * DmaAddrWidth + DmaLenWidth + DmaRowsWidth;

  // DMA completion codes (the low bits of the engine's error code register).
  localparam logic [2:0] DmaOk         = 3'd0;
  localparam logic [2:0] DmaErrWindow  = 3'd1;  // a row lies outside the address window
  localparam logic [2:0] DmaErrSlave   = 3'd2;  // SLVERR response
  localparam logic [2:0] DmaErrDecode  = 3'd3;  // DECERR response
  localparam logic [2:0] DmaErrDesc    = 3'd4;  // zero rows or zero bytes per row
  localparam logic [2:0] DmaErrTimeout = 3'd5;  // the bus stopped answering (BUS_TIMEOUT)

  // AXI4 response codes.
  localparam logic [1:0] AxiRespOkay   = 2'b00;
  localparam logic [1:0] AxiRespSlvErr = 2'b10;
  localparam logic [1:0] AxiRespDecErr = 2'b11;

  // The DMA completion code for a failing AXI response.
  function automatic logic [2:0] dma_error_of_resp(input logic [1:0] resp);
    dma_error_of_resp = (resp == AxiRespDecErr) ? DmaErrDecode : DmaErrSlave;
  endfunction

  // The engine error code (tessera_isa_pkg::Err*, docs/isa.md) for a DMA completion code.
  function automatic logic [7:0] isa_error_of_dma(input logic [2:0] code);
    unique case (code)
      DmaOk:        isa_error_of_dma = tessera_isa_pkg::ErrNone;
      DmaErrWindow: isa_error_of_dma = tessera_isa_pkg::ErrDmaWindow;
      DmaErrSlave:  isa_error_of_dma = tessera_isa_pkg::ErrAxiSlverr;
      DmaErrDecode: isa_error_of_dma = tessera_isa_pkg::ErrAxiDecerr;
      DmaErrTimeout: isa_error_of_dma = tessera_isa_pkg::ErrBusTimeout;
      // DmaErrDesc: a zero-sized descriptor, which the command checker never lets through.
      default:      isa_error_of_dma = tessera_isa_pkg::ErrBadDimension;
    endcase
  endfunction

  // The outputs per channel block of a DEPTHWISE COMPUTE of `vectors` (>= DW_KERNEL)
  // pixels and DW_PAD's columns: (VECTORS + LEFT + RIGHT - DW_KERNEL) / stride + 1
  // (docs/isa.md "Depthwise"; isa::dw_outputs in the driver).
  function automatic logic [15:0] dw_outputs(input logic [15:0] vectors, input logic [7:0] pad,
                                             input logic stride_2);
    dw_outputs = ((vectors + 16'(pad[tessera_isa_pkg::DwPadLeftBit]) +
                   16'(pad[tessera_isa_pkg::DwPadRightBit]) -
                   16'(tessera_isa_pkg::DwKernel)) >> stride_2) + 16'd1;
  endfunction

  // Bits of the depthwise unit's command (tessera_depthwise's CmdWidth, packed by
  // tessera_compute_unit) for scratchpad and accumulator line addresses of these widths:
  // {ACT_LINE, DW_PAD (3 bits), DW_ZERO_POINT, DW_PAIR, the second row's first line,
  // ACT_STRIDE, ACT_ROW_STRIDE, ACT_ROWS, VECTORS, WGT_LINE, ACC_LINE, DW_BLOCK_PITCH,
  // DW_STRIDE_2, DW_OUTPUT, ACCUMULATE}.
  function automatic int dw_cmd_bits(input int spad_addr_width, input int acc_addr_width);
    dw_cmd_bits = 5 * spad_addr_width + 3 + 8 + 1 + 16 + 16 + acc_addr_width + 16 + 3;
  endfunction

  // Width of an index that can name any of n items; at least one bit so that a
  // single-row array still has a legal declaration.
  function automatic int index_width(input int n);
    index_width = (n > 1) ? $clog2(n) : 1;
  endfunction

endpackage
