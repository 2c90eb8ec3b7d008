// SPDX-License-Identifier: Apache-2.0
// DmaBench: the Verilated tessera_dma (SystemC) connected to an AxiMemory, with a stimulus
// process that runs queued read and write jobs through the engine's local ports.
//
// A read job's stream is collected row by row; a write job's bytes are sent as the engine
// expects them (each row packed from lane 0, last on the final beat). Read and write jobs
// run concurrently; the next job's descriptor is offered as soon as the engine took the
// previous one (each engine holds two). Local-side backpressure (the reader's output, the
// writer's input and status) is random with the bench's seed. SystemC allows one elaboration per
// process, so a program builds one bench and reuses it (reset() between tests).
#pragma once

#include <systemc.h>
#include <verilated.h>

#include <cstdint>
#include <deque>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "tessera/axi_link.hpp"

namespace tessera::sim {

struct DmaDescriptor {
  uint64_t addr = 0;
  uint32_t row_bytes = 0;
  uint32_t rows = 0;
  uint64_t stride = 0;
};

struct DmaReadJob {
  DmaDescriptor desc;
  std::vector<std::vector<uint8_t>> rows;  // what the stream delivered, row by row
  uint32_t error = 0;                      // the code on the stream's last beat
  bool done = false;
  uint64_t start_cycle = 0, end_cycle = 0;  // descriptor handshake, last beat
  uint64_t first_beat_cycle = 0;            // first beat handshake
  bool sent = false;                        // the engine took the descriptor
};

struct DmaWriteJob {
  DmaDescriptor desc;
  std::vector<uint8_t> data;  // rows x row_bytes, row-major
  uint32_t error = 0;         // the status code
  bool done = false;
  uint64_t start_cycle = 0, end_cycle = 0;  // descriptor handshake, status handshake
  bool sent = false;                        // the engine took the descriptor
};

struct LocalFlow {
  double out_ready = 1.0;  // the reader's consumer is ready
  double in_valid = 1.0;   // the writer's producer offers a beat
  double status_ready = 1.0;
};

template <typename Model, int DataWidth>
class DmaBench : public sc_module {
 public:
  static constexpr int kBytes = DataWidth / 8;
  using Data = ScPort<DataWidth>;
  using Strb = ScPort<kBytes>;

  SC_HAS_PROCESS(DmaBench);

  explicit DmaBench(sc_module_name name)
      : sc_module(name), clk("clk", 1, SC_NS), dut("dut"), mem("mem") {
    dut.clk_i(clk);
    dut.rst_ni(rst_n);
    dut.window_base_i(window_base);
    dut.window_limit_i(window_limit);
    dut.rd_idle_o(rd_idle);
    dut.wr_idle_o(wr_idle);
    dut.rd_desc_valid_i(rd_desc_valid);
    dut.rd_desc_ready_o(rd_desc_ready);
    dut.rd_desc_addr_i(rd_desc_addr);
    dut.rd_desc_row_bytes_i(rd_desc_row_bytes);
    dut.rd_desc_rows_i(rd_desc_rows);
    dut.rd_desc_stride_i(rd_desc_stride);
    dut.rd_valid_o(rd_valid);
    dut.rd_ready_i(rd_ready);
    dut.rd_data_o(rd_data);
    dut.rd_bytes_o(rd_bytes);
    dut.rd_row_last_o(rd_row_last);
    dut.rd_last_o(rd_last);
    dut.rd_error_o(rd_error);
    dut.wr_desc_valid_i(wr_desc_valid);
    dut.wr_desc_ready_o(wr_desc_ready);
    dut.wr_desc_addr_i(wr_desc_addr);
    dut.wr_desc_row_bytes_i(wr_desc_row_bytes);
    dut.wr_desc_rows_i(wr_desc_rows);
    dut.wr_desc_stride_i(wr_desc_stride);
    dut.wr_valid_i(wr_valid);
    dut.wr_ready_o(wr_ready);
    dut.wr_data_i(wr_data);
    dut.wr_last_i(wr_last);
    dut.wr_status_valid_o(wr_status_valid);
    dut.wr_status_ready_i(wr_status_ready);
    dut.wr_status_error_o(wr_status_error);
    axi_.connect(dut, mem, clk, rst_n);
    SC_METHOD(on_clock);
    sensitive << clk.posedge_event();
    dont_initialize();
  }

  // ---- Test side -------------------------------------------------------------------------

  void set_window(uint64_t base, uint64_t limit) {
    window_base.write(base);
    window_limit.write(limit);
  }
  void set_local_flow(const LocalFlow& flow, uint64_t seed) {
    flow_ = flow;
    rng_.seed(seed);
  }

  // Holds reset for a few cycles; the memory model drops its queues too.
  void reset() {
    reads_.clear();
    writes_.clear();
    in_beats_.clear();
    row_closed_ = wr_started_ = false;
    rd_desc_valid.write(false);
    wr_desc_valid.write(false);
    wr_valid.write(false);
    rd_ready.write(false);
    wr_status_ready.write(false);
    rst_n.write(false);
    sc_start(5, SC_NS);
    rst_n.write(true);
    sc_start(1, SC_NS);
  }

  DmaReadJob& read(const DmaDescriptor& desc) {
    reads_.push_back({desc, {}, 0, false, 0, 0, 0, false});
    return reads_.back();
  }
  DmaWriteJob& write(const DmaDescriptor& desc, std::vector<uint8_t> data) {
    if (data.size() != static_cast<std::size_t>(desc.rows) * desc.row_bytes) {
      throw std::invalid_argument("write job data has " + std::to_string(data.size()) +
                                  " bytes; expected rows x row_bytes");
    }
    writes_.push_back({desc, std::move(data), 0, false, 0, 0, false});
    build_beats(writes_.back());
    return writes_.back();
  }

  // Runs until every queued job is done; throws if that takes more than max_cycles or an
  // RTL assertion fails.
  void run(uint64_t max_cycles) {
    const uint64_t start = cycle_;
    while (!all_done()) {
      if (cycle_ - start > max_cycles) {
        throw std::runtime_error("DMA jobs not done after " + std::to_string(max_cycles) +
                                 " cycles");
      }
      sc_start(64, SC_NS);
      if (Verilated::gotError()) throw std::runtime_error("an RTL assertion failed");
    }
  }

  std::deque<DmaReadJob>& read_jobs() { return reads_; }
  std::deque<DmaWriteJob>& write_jobs() { return writes_; }
  uint64_t cycle() const { return cycle_; }

 private:
  bool all_done() const {
    for (const auto& j : reads_)
      if (!j.done) return false;
    for (const auto& j : writes_)
      if (!j.done) return false;
    return true;
  }

  bool chance(double p) {
    return p >= 1.0 || std::uniform_real_distribution<double>(0, 1)(rng_) < p;
  }

  // Splits a write job's rows into the engine's input beats.
  struct InBeat {
    Data data;
    bool last;
  };
  void build_beats(const DmaWriteJob& job) {
    const uint32_t per_row = (job.desc.row_bytes + kBytes - 1) / kBytes;
    for (uint32_t r = 0; r < job.desc.rows; ++r) {
      for (uint32_t b = 0; b < per_row; ++b) {
        uint8_t lanes[kBytes] = {};
        for (int i = 0; i < kBytes; ++i) {
          const uint64_t k = uint64_t(b) * kBytes + i;
          if (k < job.desc.row_bytes) lanes[i] = job.data[uint64_t(r) * job.desc.row_bytes + k];
        }
        InBeat beat{Data{}, r + 1 == job.desc.rows && b + 1 == per_row};
        bytes_to_port<DataWidth>(lanes, beat.data);
        in_beats_.push_back(beat);
      }
    }
  }

  // The first read job not done, and its index.
  DmaReadJob* current_read(std::size_t& index) {
    for (index = 0; index < reads_.size(); ++index)
      if (!reads_[index].done) return &reads_[index];
    return nullptr;
  }
  DmaWriteJob* current_write() {
    for (auto& j : writes_)
      if (!j.done) return &j;
    return nullptr;
  }

  void on_clock() {
    ++cycle_;
    if (!rst_n.read()) return;

    // ---- Read engine: descriptor, stream --------------------------------------------------
    std::size_t current = 0;
    DmaReadJob* rj = current_read(current);
    // The engine is idle exactly when every job it took has ended, or only its last beat
    // waits at the output (before this edge).
    DmaReadJob* to_send = nullptr;
    for (auto& j : reads_) {
      if (!j.sent) {
        to_send = &j;
        break;
      }
    }
    const bool holds_none = !rj || !rj->sent;
    const bool last_waits = rd_valid.read() && rd_last.read() &&
                            (current + 1 == reads_.size() || !reads_[current + 1].sent);
    if (rd_idle.read() ? !(holds_none || last_waits) : holds_none) {
      throw std::runtime_error("read engine idle_o does not match the jobs it holds");
    }
    if (rd_desc_valid.read() && rd_desc_ready.read()) {
      to_send->start_cycle = cycle_;
      to_send->sent = true;
      to_send = nullptr;
      for (auto& j : reads_) {
        if (!j.sent) {
          to_send = &j;
          break;
        }
      }
    }
    if (rd_valid.read() && rd_ready.read()) {
      if (!rj || !rj->sent) throw std::runtime_error("read stream beat with no job");
      if (rj->rows.empty() && !row_closed_) rj->first_beat_cycle = cycle_;
      if (rj->rows.empty() || row_closed_) rj->rows.emplace_back();
      row_closed_ = false;
      uint8_t lanes[kBytes];
      port_to_bytes<DataWidth>(rd_data.read(), lanes);
      rj->rows.back().insert(rj->rows.back().end(), lanes, lanes + rd_bytes.read());
      if (rd_row_last.read()) row_closed_ = true;
      if (rd_last.read()) {
        rj->error = rd_error.read();
        rj->done = true;
        rj->end_cycle = cycle_;
        row_closed_ = false;
      }
    }
    const bool offer_rd = to_send != nullptr;
    rd_desc_valid.write(offer_rd);
    if (offer_rd) {
      const DmaDescriptor& d = to_send->desc;
      rd_desc_addr.write(d.addr);
      rd_desc_row_bytes.write(d.row_bytes);
      rd_desc_rows.write(d.rows);
      rd_desc_stride.write(d.stride);
    }
    rd_ready.write(chance(flow_.out_ready));

    // ---- Write engine: descriptor, data, status -------------------------------------------
    auto unsent_write = [&]() -> DmaWriteJob* {
      for (auto& j : writes_)
        if (!j.sent) return &j;
      return nullptr;
    };
    DmaWriteJob* wj = current_write();
    DmaWriteJob* to_write = unsent_write();
    // The write engine is idle exactly when every job it took has its status (before this
    // edge).
    if (wr_idle.read() != (!wj || !wj->sent)) {
      throw std::runtime_error("write engine idle_o does not match the jobs it holds");
    }
    if (wr_desc_valid.read() && wr_desc_ready.read()) {
      to_write->start_cycle = cycle_;
      to_write->sent = true;
      to_write = unsent_write();
    }
    if (wr_valid.read() && wr_ready.read()) in_beats_.pop_front();
    if (wr_status_valid.read() && wr_status_ready.read()) {
      if (!wj || !wj->sent) throw std::runtime_error("write status with no job");
      wj->error = wr_status_error.read();
      wj->done = true;
      wj->end_cycle = cycle_;
      wj = current_write();
    }
    wr_started_ = wj && wj->sent;  // input beats go out once a job's descriptor is taken
    const bool offer_wr = to_write != nullptr;
    wr_desc_valid.write(offer_wr);
    if (offer_wr) {
      wr_desc_addr.write(to_write->desc.addr);
      wr_desc_row_bytes.write(to_write->desc.row_bytes);
      wr_desc_rows.write(to_write->desc.rows);
      wr_desc_stride.write(to_write->desc.stride);
    }
    // A beat once offered stays offered until taken (valid/ready rule).
    const bool offering = wr_valid.read() && !wr_ready.read();
    const bool offer_beat =
        wr_started_ && !in_beats_.empty() && (offering || chance(flow_.in_valid));
    wr_valid.write(offer_beat);
    if (offer_beat) {
      wr_data.write(in_beats_.front().data);
      wr_last.write(in_beats_.front().last);
    }
    wr_status_ready.write(chance(flow_.status_ready));
  }

  sc_clock clk;
  sc_signal<bool> rst_n{"rst_n"};
  sc_signal<uint64_t> window_base{"window_base"}, window_limit{"window_limit"};
  sc_signal<bool> rd_idle, rd_desc_valid, rd_desc_ready, rd_valid, rd_ready, rd_row_last, rd_last;
  sc_signal<uint64_t> rd_desc_addr, rd_desc_stride;
  sc_signal<uint32_t> rd_desc_row_bytes, rd_desc_rows, rd_bytes, rd_error;
  sc_signal<Data> rd_data;
  sc_signal<bool> wr_idle, wr_desc_valid, wr_desc_ready, wr_valid, wr_ready, wr_last,
      wr_status_valid, wr_status_ready;
  sc_signal<uint64_t> wr_desc_addr, wr_desc_stride;
  sc_signal<uint32_t> wr_desc_row_bytes, wr_desc_rows, wr_status_error;
  sc_signal<Data> wr_data;
  AxiLink<DataWidth> axi_;
  std::deque<DmaReadJob> reads_;
  std::deque<DmaWriteJob> writes_;
  std::deque<InBeat> in_beats_;
  bool row_closed_ = false, wr_started_ = false;
  LocalFlow flow_;
  std::mt19937_64 rng_{1};
  uint64_t cycle_ = 0;

 public:
  // Declared after the signals they connect to (members are built in declaration order).
  Model dut;
  AxiMemory<DataWidth> mem;
};

}  // namespace tessera::sim
