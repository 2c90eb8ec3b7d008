// SPDX-License-Identifier: Apache-2.0
// Tessera RTL file list, dependency ordered: packages first (the two generated ones, which
// tessera_pkg refers to), then leaf modules upward.
// Both the Makefile's lint target and the CMake build read this list (scripts/rtl_files.py
// prints it, rtl/tessera_read.ys is Yosys's copy). For Verilator from anywhere:
// `verilator -F rtl/tessera.f` - paths here, and the include directory, are relative to it.
+incdir+.
tessera_reg_pkg.sv
tessera_isa_pkg.sv
tessera_pkg.sv
tessera_delay.sv
tessera_skew.sv
tessera_tap_delay.sv
tessera_fifo.sv
tessera_ram.sv
tessera_scratchpad.sv
tessera_accumulator.sv
tessera_dma_addr_gen.sv
tessera_dma_burst_gen.sv
tessera_dma_frontend.sv
tessera_bus_watchdog.sv
tessera_dma_reader.sv
tessera_dma_writer.sv
tessera_dma.sv
tessera_dma_share.sv
tessera_dma_port.sv
tessera_requant_lane.sv
tessera_postproc.sv
tessera_store_params.sv
tessera_store_reader.sv
tessera_pool_2x2.sv
tessera_beat_packer.sv
tessera_regs.sv
tessera_cmd_check.sv
tessera_pe.sv
tessera_pe_pair.sv
tessera_array.sv
tessera_core.sv
tessera_tile_sequencer.sv
tessera_dw_row_reader.sv
tessera_depthwise.sv
tessera_compute_unit.sv
tessera_line_packer.sv
tessera_window_cutter.sv
tessera_load_unit.sv
tessera_store_unit.sv
tessera_token_counter.sv
tessera_dep_gate.sv
tessera_cmd_fetch.sv
tessera_dispatch.sv
tessera_cmd_path.sv
tessera_buffers.sv
tessera_perf_counters.sv
tessera_perf_events.sv
tessera_top.sv
// The iCE40 board build: the core behind a serial link (constraints/icebreaker).
tessera_uart_rx.sv
tessera_uart_tx.sv
tessera_core_link.sv
