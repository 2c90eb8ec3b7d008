// tessera_axi: tessera_top with the port names and interface attributes Vivado's block
// designer expects (it takes a plain-Verilog top as a module reference, and infers
// s_axi_ctrl, m_axi_mem, the clock, the reset and the interrupt from them).
//
// Function:   wiring only: no logic, no vendor primitive. The boards' block designs
//             (constraints/<board>/build.tcl) instantiate it.
// Latency:    none (ports renamed).
// Throughput: that of tessera_top.
module tessera_axi #(
  parameter NUM_ROWS          = 16,
  parameter NUM_COLS          = 16,
  parameter BUS_WIDTH         = 128,
  parameter SCRATCHPAD_BYTES  = 262144,
  parameter ACCUMULATOR_BYTES = 65536,
  parameter QTABLE_ENTRIES    = 1024,
  parameter ID_WIDTH          = 4,
  parameter PACKED_PAIRS      = 0   // 1: two MACs per DSP48E2 (tessera_top's PackedPairs)
) (
  (* X_INTERFACE_INFO = "xilinx.com:signal:clock:1.0 aclk CLK" *)
  (* X_INTERFACE_PARAMETER = "ASSOCIATED_BUSIF s_axi_ctrl:m_axi_mem, ASSOCIATED_RESET aresetn" *)
  input  wire                     aclk,
  (* X_INTERFACE_INFO = "xilinx.com:signal:reset:1.0 aresetn RST" *)
  (* X_INTERFACE_PARAMETER = "POLARITY ACTIVE_LOW" *)
  input  wire                     aresetn,
  (* X_INTERFACE_INFO = "xilinx.com:signal:interrupt:1.0 irq INTERRUPT" *)
  (* X_INTERFACE_PARAMETER = "SENSITIVITY LEVEL_HIGH" *)
  output wire                     irq,

  // Registers: AXI4-Lite slave, 4 KiB
  input  wire [11:0]              s_axi_ctrl_awaddr,
  input  wire [2:0]               s_axi_ctrl_awprot,
  input  wire                     s_axi_ctrl_awvalid,
  output wire                     s_axi_ctrl_awready,
  input  wire [31:0]              s_axi_ctrl_wdata,
  input  wire [3:0]               s_axi_ctrl_wstrb,
  input  wire                     s_axi_ctrl_wvalid,
  output wire                     s_axi_ctrl_wready,
  output wire [1:0]               s_axi_ctrl_bresp,
  output wire                     s_axi_ctrl_bvalid,
  input  wire                     s_axi_ctrl_bready,
  input  wire [11:0]              s_axi_ctrl_araddr,
  input  wire [2:0]               s_axi_ctrl_arprot,
  input  wire                     s_axi_ctrl_arvalid,
  output wire                     s_axi_ctrl_arready,
  output wire [31:0]              s_axi_ctrl_rdata,
  output wire [1:0]               s_axi_ctrl_rresp,
  output wire                     s_axi_ctrl_rvalid,
  input  wire                     s_axi_ctrl_rready,

  // Host memory: AXI4 master, 64-bit addresses
  output wire [ID_WIDTH-1:0]      m_axi_mem_awid,
  output wire [63:0]              m_axi_mem_awaddr,
  output wire [7:0]               m_axi_mem_awlen,
  output wire [2:0]               m_axi_mem_awsize,
  output wire [1:0]               m_axi_mem_awburst,
  output wire [3:0]               m_axi_mem_awcache,
  output wire [2:0]               m_axi_mem_awprot,
  output wire                     m_axi_mem_awvalid,
  input  wire                     m_axi_mem_awready,
  output wire [BUS_WIDTH-1:0]     m_axi_mem_wdata,
  output wire [BUS_WIDTH/8-1:0]   m_axi_mem_wstrb,
  output wire                     m_axi_mem_wlast,
  output wire                     m_axi_mem_wvalid,
  input  wire                     m_axi_mem_wready,
  input  wire [ID_WIDTH-1:0]      m_axi_mem_bid,
  input  wire [1:0]               m_axi_mem_bresp,
  input  wire                     m_axi_mem_bvalid,
  output wire                     m_axi_mem_bready,
  output wire [ID_WIDTH-1:0]      m_axi_mem_arid,
  output wire [63:0]              m_axi_mem_araddr,
  output wire [7:0]               m_axi_mem_arlen,
  output wire [2:0]               m_axi_mem_arsize,
  output wire [1:0]               m_axi_mem_arburst,
  output wire [3:0]               m_axi_mem_arcache,
  output wire [2:0]               m_axi_mem_arprot,
  output wire                     m_axi_mem_arvalid,
  input  wire                     m_axi_mem_arready,
  input  wire [ID_WIDTH-1:0]      m_axi_mem_rid,
  input  wire [BUS_WIDTH-1:0]     m_axi_mem_rdata,
  input  wire [1:0]               m_axi_mem_rresp,
  input  wire                     m_axi_mem_rlast,
  input  wire                     m_axi_mem_rvalid,
  output wire                     m_axi_mem_rready
);

  tessera_top #(
    .NumRows         (NUM_ROWS),
    .NumCols         (NUM_COLS),
    .BusWidth        (BUS_WIDTH),
    .ScratchpadBytes (SCRATCHPAD_BYTES),
    .AccumulatorBytes(ACCUMULATOR_BYTES),
    .QTableEntries   (QTABLE_ENTRIES),
    .IdWidth         (ID_WIDTH),
    .PackedPairs     (PACKED_PAIRS)
  ) u_tessera (
    .clk_i           (aclk),
    .rst_ni          (aresetn),
    .s_axil_awvalid_i(s_axi_ctrl_awvalid),
    .s_axil_awready_o(s_axi_ctrl_awready),
    .s_axil_awaddr_i (s_axi_ctrl_awaddr),
    .s_axil_awprot_i (s_axi_ctrl_awprot),
    .s_axil_wvalid_i (s_axi_ctrl_wvalid),
    .s_axil_wready_o (s_axi_ctrl_wready),
    .s_axil_wdata_i  (s_axi_ctrl_wdata),
    .s_axil_wstrb_i  (s_axi_ctrl_wstrb),
    .s_axil_bvalid_o (s_axi_ctrl_bvalid),
    .s_axil_bready_i (s_axi_ctrl_bready),
    .s_axil_bresp_o  (s_axi_ctrl_bresp),
    .s_axil_arvalid_i(s_axi_ctrl_arvalid),
    .s_axil_arready_o(s_axi_ctrl_arready),
    .s_axil_araddr_i (s_axi_ctrl_araddr),
    .s_axil_arprot_i (s_axi_ctrl_arprot),
    .s_axil_rvalid_o (s_axi_ctrl_rvalid),
    .s_axil_rready_i (s_axi_ctrl_rready),
    .s_axil_rdata_o  (s_axi_ctrl_rdata),
    .s_axil_rresp_o  (s_axi_ctrl_rresp),
    .m_axi_awvalid_o (m_axi_mem_awvalid),
    .m_axi_awready_i (m_axi_mem_awready),
    .m_axi_awid_o    (m_axi_mem_awid),
    .m_axi_awaddr_o  (m_axi_mem_awaddr),
    .m_axi_awlen_o   (m_axi_mem_awlen),
    .m_axi_awsize_o  (m_axi_mem_awsize),
    .m_axi_awburst_o (m_axi_mem_awburst),
    .m_axi_awcache_o (m_axi_mem_awcache),
    .m_axi_awprot_o  (m_axi_mem_awprot),
    .m_axi_wvalid_o  (m_axi_mem_wvalid),
    .m_axi_wready_i  (m_axi_mem_wready),
    .m_axi_wdata_o   (m_axi_mem_wdata),
    .m_axi_wstrb_o   (m_axi_mem_wstrb),
    .m_axi_wlast_o   (m_axi_mem_wlast),
    .m_axi_bvalid_i  (m_axi_mem_bvalid),
    .m_axi_bready_o  (m_axi_mem_bready),
    .m_axi_bid_i     (m_axi_mem_bid),
    .m_axi_bresp_i   (m_axi_mem_bresp),
    .m_axi_arvalid_o (m_axi_mem_arvalid),
    .m_axi_arready_i (m_axi_mem_arready),
    .m_axi_arid_o    (m_axi_mem_arid),
    .m_axi_araddr_o  (m_axi_mem_araddr),
    .m_axi_arlen_o   (m_axi_mem_arlen),
    .m_axi_arsize_o  (m_axi_mem_arsize),
    .m_axi_arburst_o (m_axi_mem_arburst),
    .m_axi_arcache_o (m_axi_mem_arcache),
    .m_axi_arprot_o  (m_axi_mem_arprot),
    .m_axi_rvalid_i  (m_axi_mem_rvalid),
    .m_axi_rready_o  (m_axi_mem_rready),
    .m_axi_rid_i     (m_axi_mem_rid),
    .m_axi_rdata_i   (m_axi_mem_rdata),
    .m_axi_rresp_i   (m_axi_mem_rresp),
    .m_axi_rlast_i   (m_axi_mem_rlast),
    .irq_o           (irq)
  );

endmodule
