// SPDX-License-Identifier: Apache-2.0
// TopBench: the whole engine in SystemC - the Verilated tessera_top, an AxiMemory on its
// AXI4 master port and an AXI4-Lite master on its registers - with the host-side calls a
// driver makes: register reads and writes (each a real AXI4-Lite transaction), host memory
// access, and running until a condition holds. SystemC allows one elaboration per process:
// a program builds one bench and reuses it (reset() between tests).
#pragma once

#include <systemc.h>
#include <verilated.h>

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

#include "tessera/axi_link.hpp"
#include "tessera/regs.hpp"

namespace tessera::sim {

template <typename Model, int DataWidth>
class TopBench : public sc_module {
 public:
  SC_HAS_PROCESS(TopBench);

  explicit TopBench(sc_module_name name)
      : sc_module(name), clk("clk", 1, SC_NS), dut("dut"), mem("mem") {
    dut.clk_i(clk);
    dut.rst_ni(rst_n);
    dut.s_axil_awvalid_i(awvalid);
    dut.s_axil_awready_o(awready);
    dut.s_axil_awaddr_i(awaddr);
    dut.s_axil_awprot_i(prot);
    dut.s_axil_wvalid_i(wvalid);
    dut.s_axil_wready_o(wready);
    dut.s_axil_wdata_i(wdata);
    dut.s_axil_wstrb_i(wstrb);
    dut.s_axil_bvalid_o(bvalid);
    dut.s_axil_bready_i(bready);
    dut.s_axil_bresp_o(bresp);
    dut.s_axil_arvalid_i(arvalid);
    dut.s_axil_arready_o(arready);
    dut.s_axil_araddr_i(araddr);
    dut.s_axil_arprot_i(prot);
    dut.s_axil_rvalid_o(rvalid);
    dut.s_axil_rready_i(rready);
    dut.s_axil_rdata_o(rdata);
    dut.s_axil_rresp_o(rresp);
    dut.irq_o(irq);
    axi_.connect(dut, mem, clk, rst_n);
    SC_METHOD(on_clock);
    sensitive << clk.posedge_event();
    dont_initialize();
  }

  // ---- Host side -------------------------------------------------------------------------

  void reset() {
    awvalid.write(false);
    wvalid.write(false);
    arvalid.write(false);
    bready.write(false);
    rready.write(false);
    rst_n.write(false);
    sc_start(5, SC_NS);
    rst_n.write(true);
    sc_start(1, SC_NS);
  }

  // An AXI4-Lite write; returns BRESP.
  uint32_t write_reg(uint32_t addr, uint32_t value) {
    op_ = {true, addr, value, 0, 0, false};
    run_until([&] { return op_.done; }, 1000);
    return op_.resp;
  }
  // An AXI4-Lite read; throws on an error response.
  uint32_t read_reg(uint32_t addr) {
    op_ = {false, addr, 0, 0, 0, false};
    run_until([&] { return op_.done; }, 1000);
    if (op_.resp != 0) {
      throw std::runtime_error("register read at " + std::to_string(addr) + " answered " +
                               std::to_string(op_.resp));
    }
    return op_.data;
  }

  // Runs until cond() holds, checking it every 16 cycles; throws after max_cycles or on
  // an RTL assertion.
  void run_until(const std::function<bool()>& cond, uint64_t max_cycles) {
    if (!wait_until(cond, max_cycles)) {
      throw std::runtime_error("timed out after " + std::to_string(max_cycles) + " cycles");
    }
  }
  // The same, returning false after max_cycles instead of throwing.
  bool wait_until(const std::function<bool()>& cond, uint64_t max_cycles) {
    const uint64_t start = cycle_;
    while (!cond()) {
      if (cycle_ - start > max_cycles) return false;
      sc_start(16, SC_NS);
      if (Verilated::gotError()) throw std::runtime_error("an RTL assertion failed");
    }
    return true;
  }

  // The host's side of the command ring (docs/registers.md): writes `count` 64-byte
  // commands into the ring at ring_base (ring_size commands) as fast as the engine frees
  // slots - as its RING_HEAD passes them - ringing the doorbell after each batch. `tail` is
  // the host's free-running tail index, advanced past the commands.
  void submit(uint64_t ring_base, uint32_t ring_size, uint32_t& tail, const uint8_t* commands,
              std::size_t count) {
    for (std::size_t i = 0; i < count;) {
      const uint32_t free = ring_size - (tail - read_reg(regs::kRingHead));
      if (free == 0) {
        run_until([&] { return tail - read_reg(regs::kRingHead) < ring_size; }, 100'000'000);
        continue;
      }
      for (uint32_t n = 0; n < free && i < count; ++n, ++i, ++tail)
        mem.write(ring_base + 64 * (tail % ring_size), commands + 64 * i, 64);
      write_reg(regs::kRingTail, tail);
    }
  }

  bool interrupt() const { return irq.read(); }
  uint64_t cycle() const { return cycle_; }
  // The clock's falling edge: the rising edge's results have settled (a waveform samples).
  const sc_event& falling_edge() const { return clk.negedge_event(); }

 private:
  struct Op {
    bool write;
    uint32_t addr, data, resp;
    int phase;  // 0 not started, 1 address/data offered, 2 waiting for the response
    bool done;
  };

  void on_clock() {
    ++cycle_;
    if (!rst_n.read() || op_.done) return;
    if (op_.write) {
      if (op_.phase == 0) {
        awaddr.write(op_.addr);
        wdata.write(op_.data);
        wstrb.write(0xf);
        awvalid.write(true);
        wvalid.write(true);
        op_.phase = 1;
        return;
      }
      if (awvalid.read() && awready.read()) awvalid.write(false);
      if (wvalid.read() && wready.read()) wvalid.write(false);
      bready.write(true);
      if (bvalid.read() && bready.read()) {
        op_.resp = bresp.read();
        op_.done = true;
        bready.write(false);
      }
    } else {
      if (op_.phase == 0) {
        araddr.write(op_.addr);
        arvalid.write(true);
        op_.phase = 1;
        return;
      }
      if (arvalid.read() && arready.read()) arvalid.write(false);
      rready.write(true);
      if (rvalid.read() && rready.read()) {
        op_.data = rdata.read();
        op_.resp = rresp.read();
        op_.done = true;
        rready.write(false);
      }
    }
  }

  sc_clock clk;
  sc_signal<bool> rst_n{"rst_n"}, awvalid, awready, wvalid, wready, bvalid, bready, arvalid,
      arready, rvalid, rready, irq;
  sc_signal<uint32_t> awaddr, araddr, wdata, wstrb, bresp, rdata, rresp, prot;
  AxiLink<DataWidth> axi_;
  Op op_{false, 0, 0, 0, 0, true};
  uint64_t cycle_ = 0;

 public:
  Model dut;
  AxiMemory<DataWidth> mem;
};

}  // namespace tessera::sim
