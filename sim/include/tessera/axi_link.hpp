// SPDX-License-Identifier: Apache-2.0
// AxiLink: the AXI4 signals between a Verilated master with tessera_dma's m_axi_* ports
// (tessera_dma, tessera_top) and an AxiMemory, and the code that connects them.
#pragma once

#include <systemc.h>

#include "tessera/axi_memory.hpp"

namespace tessera::sim {

template <int DataWidth>
struct AxiLink {
  using Data = ScPort<DataWidth>;
  using Strb = ScPort<DataWidth / 8>;

  template <typename Dut>
  void connect(Dut& dut, AxiMemory<DataWidth>& mem, sc_clock& clk, sc_signal<bool>& rst_n) {
    dut.m_axi_awvalid_o(awvalid);
    dut.m_axi_awready_i(awready);
    dut.m_axi_awid_o(awid);
    dut.m_axi_awaddr_o(awaddr);
    dut.m_axi_awlen_o(awlen);
    dut.m_axi_awsize_o(awsize);
    dut.m_axi_awburst_o(awburst);
    dut.m_axi_awcache_o(awcache);
    dut.m_axi_awprot_o(awprot);
    dut.m_axi_wvalid_o(wvalid);
    dut.m_axi_wready_i(wready);
    dut.m_axi_wdata_o(wdata);
    dut.m_axi_wstrb_o(wstrb);
    dut.m_axi_wlast_o(wlast);
    dut.m_axi_bvalid_i(bvalid);
    dut.m_axi_bready_o(bready);
    dut.m_axi_bid_i(bid);
    dut.m_axi_bresp_i(bresp);
    dut.m_axi_arvalid_o(arvalid);
    dut.m_axi_arready_i(arready);
    dut.m_axi_arid_o(arid);
    dut.m_axi_araddr_o(araddr);
    dut.m_axi_arlen_o(arlen);
    dut.m_axi_arsize_o(arsize);
    dut.m_axi_arburst_o(arburst);
    dut.m_axi_arcache_o(arcache);
    dut.m_axi_arprot_o(arprot);
    dut.m_axi_rvalid_i(rvalid);
    dut.m_axi_rready_o(rready);
    dut.m_axi_rid_i(rid);
    dut.m_axi_rdata_i(rdata);
    dut.m_axi_rresp_i(rresp);
    dut.m_axi_rlast_i(rlast);
    mem.awvalid(awvalid);
    mem.awready(awready);
    mem.awid(awid);
    mem.awaddr(awaddr);
    mem.awlen(awlen);
    mem.awsize(awsize);
    mem.awburst(awburst);
    mem.awcache(awcache);
    mem.awprot(awprot);
    mem.wvalid(wvalid);
    mem.wready(wready);
    mem.wdata(wdata);
    mem.wstrb(wstrb);
    mem.wlast(wlast);
    mem.bvalid(bvalid);
    mem.bready(bready);
    mem.bid(bid);
    mem.bresp(bresp);
    mem.arvalid(arvalid);
    mem.arready(arready);
    mem.arid(arid);
    mem.araddr(araddr);
    mem.arlen(arlen);
    mem.arsize(arsize);
    mem.arburst(arburst);
    mem.arcache(arcache);
    mem.arprot(arprot);
    mem.rvalid(rvalid);
    mem.rready(rready);
    mem.rid(rid);
    mem.rdata(rdata);
    mem.rresp(rresp);
    mem.rlast(rlast);
    mem.clk(clk);
    mem.rst_n(rst_n);
  }

  sc_signal<bool> awvalid, awready, wvalid, wready, wlast, bvalid, bready, arvalid, arready, rvalid,
      rready, rlast;
  sc_signal<uint32_t> awid, awlen, awsize, awburst, awcache, awprot, bid, bresp, arid, arlen,
      arsize, arburst, arcache, arprot, rid, rresp;
  sc_signal<uint64_t> awaddr, araddr;
  sc_signal<Data> wdata, rdata;
  sc_signal<Strb> wstrb;
};

}  // namespace tessera::sim
