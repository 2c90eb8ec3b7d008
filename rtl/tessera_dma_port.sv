// SPDX-License-Identifier: Apache-2.0
// tessera_dma_port: the engine's one AXI4 master port, shared by its DMA clients.
//
// Function:   tessera_dma's read and write engines, each shared by two clients through a
//             tessera_dma_share (a turn per descriptor, a second one back to back for the
//             owner while the other client is not asking; client 0 wins a tie unless it went
//             last). Read clients get the engine's row-packed stream; write clients give
//             their beats and get the completion status. Descriptors are
//             tessera_pkg::dma_desc_t. Every transfer is checked against the address window
//             (window_base_i .. window_limit_i, inclusive) before it touches the bus.
// Latency / throughput: those of tessera_dma; the shares add no register.
module tessera_dma_port #(
  parameter int BusWidth       = tessera_pkg::DefaultBusWidth,
  parameter int IdWidth        = 4,
  parameter int MaxOutstanding = 32,
  localparam int AddrWidth  = tessera_pkg::DmaAddrWidth,
  localparam int BusBytes   = BusWidth / 8,
  localparam int CountWidth = $clog2(BusBytes) + 1,
  localparam int DescWidth  = tessera_pkg::DmaDescWidth
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,
  input  logic [AddrWidth-1:0]    window_base_i,
  input  logic [AddrWidth-1:0]    window_limit_i,
  output logic                    rd_idle_o,      // the read engine has no transfer
  output logic                    wr_idle_o,      // the write engine has no transfer
  // Read clients 0 and 1: descriptors; the stream (data, bytes, ends, error) goes to both,
  // valid only to the owner
  input  logic [1:0]              rd_desc_valid_i,
  output logic [1:0]              rd_desc_ready_o,
  input  logic [2*DescWidth-1:0]  rd_desc_i,      // {client 1, client 0} dma_desc_t
  output logic [1:0]              rd_valid_o,
  input  logic [1:0]              rd_ready_i,
  output logic [BusWidth-1:0]     rd_data_o,
  output logic [CountWidth-1:0]   rd_bytes_o,
  output logic                    rd_row_last_o,
  output logic                    rd_last_o,
  output logic [2:0]              rd_error_o,
  // Write clients 0 and 1: descriptors, beats in, status out (to the owner)
  input  logic [1:0]              wr_desc_valid_i,
  output logic [1:0]              wr_desc_ready_o,
  input  logic [2*DescWidth-1:0]  wr_desc_i,      // {client 1, client 0} dma_desc_t
  input  logic [1:0]              wr_valid_i,
  output logic [1:0]              wr_ready_o,
  input  logic [2*BusWidth-1:0]   wr_data_i,
  input  logic [1:0]              wr_last_i,
  output logic [1:0]              wr_status_valid_o,
  input  logic [1:0]              wr_status_ready_i,
  output logic [2:0]              wr_status_error_o,
  // AXI4 master
  output logic                    m_axi_awvalid_o,
  input  logic                    m_axi_awready_i,
  output logic [IdWidth-1:0]      m_axi_awid_o,
  output logic [AddrWidth-1:0]    m_axi_awaddr_o,
  output logic [7:0]              m_axi_awlen_o,
  output logic [2:0]              m_axi_awsize_o,
  output logic [1:0]              m_axi_awburst_o,
  output logic [3:0]              m_axi_awcache_o,
  output logic [2:0]              m_axi_awprot_o,
  output logic                    m_axi_wvalid_o,
  input  logic                    m_axi_wready_i,
  output logic [BusWidth-1:0]     m_axi_wdata_o,
  output logic [BusBytes-1:0]     m_axi_wstrb_o,
  output logic                    m_axi_wlast_o,
  input  logic                    m_axi_bvalid_i,
  output logic                    m_axi_bready_o,
  input  logic [IdWidth-1:0]      m_axi_bid_i,
  input  logic [1:0]              m_axi_bresp_i,
  output logic                    m_axi_arvalid_o,
  input  logic                    m_axi_arready_i,
  output logic [IdWidth-1:0]      m_axi_arid_o,
  output logic [AddrWidth-1:0]    m_axi_araddr_o,
  output logic [7:0]              m_axi_arlen_o,
  output logic [2:0]              m_axi_arsize_o,
  output logic [1:0]              m_axi_arburst_o,
  output logic [3:0]              m_axi_arcache_o,
  output logic [2:0]              m_axi_arprot_o,
  input  logic                    m_axi_rvalid_i,
  output logic                    m_axi_rready_o,
  input  logic [IdWidth-1:0]      m_axi_rid_i,
  input  logic [BusWidth-1:0]     m_axi_rdata_i,
  input  logic [1:0]              m_axi_rresp_i,
  input  logic                    m_axi_rlast_i
);

  // ---- Read engine share ----------------------------------------------------------------
  logic                   rd_desc_valid, rd_desc_ready, rd_valid, rd_ready;
  tessera_pkg::dma_desc_t rd_desc;
  logic [1:0]             unused_rd_back_ready;
  logic                   unused_rd_back_valid, unused_rd_back;  // the read engine takes no data

  tessera_dma_share #(
    .DescWidth(DescWidth),
    .BackWidth(1)
  ) u_rd_share (
    .clk_i,
    .rst_ni,
    .desc_valid_i    (rd_desc_valid_i),
    .desc_ready_o    (rd_desc_ready_o),
    .desc_i          (rd_desc_i),
    .fwd_valid_o     (rd_valid_o),
    .fwd_ready_i     (rd_ready_i),
    .back_valid_i    (2'b00),
    .back_ready_o    (unused_rd_back_ready),
    .back_i          (2'b00),
    .eng_desc_valid_o(rd_desc_valid),
    .eng_desc_ready_i(rd_desc_ready),
    .eng_desc_o      (rd_desc),
    .eng_fwd_valid_i (rd_valid),
    .eng_fwd_ready_o (rd_ready),
    .eng_fwd_end_i   (rd_last_o),
    .eng_back_valid_o(unused_rd_back_valid),
    .eng_back_ready_i(1'b0),
    .eng_back_o      (unused_rd_back)
  );

  // ---- Write engine share: each client's beat is {last, data} ----------------------------
  logic                   wr_desc_valid, wr_desc_ready, wr_valid, wr_ready, wr_last;
  logic                   wr_status_valid, wr_status_ready;
  tessera_pkg::dma_desc_t wr_desc;
  logic [BusWidth-1:0]    wr_data;

  tessera_dma_share #(
    .DescWidth(DescWidth),
    .BackWidth(BusWidth + 1)
  ) u_wr_share (
    .clk_i,
    .rst_ni,
    .desc_valid_i    (wr_desc_valid_i),
    .desc_ready_o    (wr_desc_ready_o),
    .desc_i          (wr_desc_i),
    .fwd_valid_o     (wr_status_valid_o),
    .fwd_ready_i     (wr_status_ready_i),
    .back_valid_i    (wr_valid_i),
    .back_ready_o    (wr_ready_o),
    .back_i          ({wr_last_i[1], wr_data_i[BusWidth +: BusWidth],
                       wr_last_i[0], wr_data_i[0 +: BusWidth]}),
    .eng_desc_valid_o(wr_desc_valid),
    .eng_desc_ready_i(wr_desc_ready),
    .eng_desc_o      (wr_desc),
    .eng_fwd_valid_i (wr_status_valid),
    .eng_fwd_ready_o (wr_status_ready),
    .eng_fwd_end_i   (1'b1),
    .eng_back_valid_o(wr_valid),
    .eng_back_ready_i(wr_ready),
    .eng_back_o      ({wr_last, wr_data})
  );

  // ---- The engines ------------------------------------------------------------------------
  tessera_dma #(
    .DataWidth     (BusWidth),
    .IdWidth       (IdWidth),
    .MaxOutstanding(MaxOutstanding)
  ) u_dma (
    .clk_i,
    .rst_ni,
    .window_base_i,
    .window_limit_i,
    .rd_idle_o,
    .wr_idle_o,
    .rd_desc_valid_i    (rd_desc_valid),
    .rd_desc_ready_o    (rd_desc_ready),
    .rd_desc_addr_i     (rd_desc.addr),
    .rd_desc_row_bytes_i(rd_desc.row_bytes),
    .rd_desc_rows_i     (rd_desc.rows),
    .rd_desc_stride_i   (rd_desc.stride),
    .rd_valid_o         (rd_valid),
    .rd_ready_i         (rd_ready),
    .rd_data_o,
    .rd_bytes_o,
    .rd_row_last_o,
    .rd_last_o,
    .rd_error_o,
    .wr_desc_valid_i    (wr_desc_valid),
    .wr_desc_ready_o    (wr_desc_ready),
    .wr_desc_addr_i     (wr_desc.addr),
    .wr_desc_row_bytes_i(wr_desc.row_bytes),
    .wr_desc_rows_i     (wr_desc.rows),
    .wr_desc_stride_i   (wr_desc.stride),
    .wr_valid_i         (wr_valid),
    .wr_ready_o         (wr_ready),
    .wr_data_i          (wr_data),
    .wr_last_i          (wr_last),
    .wr_status_valid_o  (wr_status_valid),
    .wr_status_ready_i  (wr_status_ready),
    .wr_status_error_o,
    .m_axi_awvalid_o,
    .m_axi_awready_i,
    .m_axi_awid_o,
    .m_axi_awaddr_o,
    .m_axi_awlen_o,
    .m_axi_awsize_o,
    .m_axi_awburst_o,
    .m_axi_awcache_o,
    .m_axi_awprot_o,
    .m_axi_wvalid_o,
    .m_axi_wready_i,
    .m_axi_wdata_o,
    .m_axi_wstrb_o,
    .m_axi_wlast_o,
    .m_axi_bvalid_i,
    .m_axi_bready_o,
    .m_axi_bid_i,
    .m_axi_bresp_i,
    .m_axi_arvalid_o,
    .m_axi_arready_i,
    .m_axi_arid_o,
    .m_axi_araddr_o,
    .m_axi_arlen_o,
    .m_axi_arsize_o,
    .m_axi_arburst_o,
    .m_axi_arcache_o,
    .m_axi_arprot_o,
    .m_axi_rvalid_i,
    .m_axi_rready_o,
    .m_axi_rid_i,
    .m_axi_rdata_i,
    .m_axi_rresp_i,
    .m_axi_rlast_i
  );

  logic unused_bits;
  assign unused_bits = ^{unused_rd_back_ready, unused_rd_back_valid, unused_rd_back};

endmodule
