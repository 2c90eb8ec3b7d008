# Tessera: a hand-written SystemVerilog systolic int8 GEMM/convolution accelerator.
#
# Thin by design: C++ (reference model, simulator, tests, benchmarks) builds through CMake
# in $(BUILD); RTL lint and synthesis are scripts under scripts/. Every target that needs
# tools first runs scripts/deps.sh, which is silent when all Debian packages are present
# and installs the missing ones when run as root: on a fresh Debian machine `make sim` and
# `make test` are the whole set-up.

BUILD     ?= build
VERILATOR ?= verilator
YOSYS     ?= yosys
CMAKE     ?= cmake
CTEST     ?= ctest
JOBS      ?= $(shell nproc 2> /dev/null || echo 2)
export VERILATOR YOSYS BUILD

# CMakeLists.txt picks up ccache by itself (it may only be installed by `deps`).
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release

.DEFAULT_GOAL := help
.PHONY: help deps lint build test sim bench synth bitstream clean

help: ## Show this help
	@echo "Tessera make targets:"
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-8s %s\n", $$1, $$2}'
	@echo "Variables: BUILD=$(BUILD) JOBS=$(JOBS) VERILATOR=$(VERILATOR) YOSYS=$(YOSYS)"

deps: ## Install the Debian packages Tessera needs (as root), or print the apt-get command
	@scripts/deps.sh

lint: deps ## Verilator -Wall lint and Yosys check -assert of every RTL file, zero warnings
	@scripts/lint.sh

$(BUILD)/CMakeCache.txt: | deps
	$(CMAKE) -S . -B $(BUILD) $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt ## Build the reference model, Verilated models, tests and tools
	$(CMAKE) --build $(BUILD) -j $(JOBS)

test: lint build ## Lint, build and run every test suite (the CI command)
	$(CTEST) --test-dir $(BUILD) --output-on-failure -j $(JOBS)

sim: build ## Run a 512^3 int8 GEMM and a 3x3 conv layer on the whole engine (SystemC); print the report
	SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 $(BUILD)/sim/tessera_sim

bench: build ## Core cycles/utilization/speed; DMA throughput against latency and bus width
	$(BUILD)/bench/tessera_bench_core
	@for w in 64 128 256 512; do SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 $(BUILD)/bench/tessera_bench_dma_w$$w || exit 1; done

synth: deps ## Yosys: the core, buffers, blocks and whole engine (UltraScale+, iCE40); checked tables
	@scripts/synth.sh

bitstream: deps ## A board's bitstream: BOARD=icebreaker (open flow, runs here) or zcu104|kcu105 (Vivado)
	@scripts/bitstream.sh $(BOARD)

clean: ## Remove the build directory
	rm -rf $(BUILD)
