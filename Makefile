# SPDX-License-Identifier: Apache-2.0
# Tessera: a hand-written SystemVerilog systolic int8 GEMM/convolution accelerator.
#
# Thin by design: C++ (reference model, simulator, tests, benchmarks) builds through CMake
# in $(BUILD); RTL lint and synthesis are scripts under scripts/. Every target that needs
# tools first runs scripts/deps.sh, which is silent when all Debian packages are present
# and installs the missing ones when run as root: on a fresh Debian machine `make sim` and
# `make test` are the whole set-up.
#
# The engine's shape: `make sim ROWS=8 COLS=8 BUS=64` builds and runs that engine instead of
# the default one (rtl/tessera_pkg.sv's Default*), in a build directory of its own
# (build/engine-ROWSxCOLSxBUS), so switching back and forth rebuilds nothing.

VERILATOR ?= verilator
YOSYS     ?= yosys
CMAKE     ?= cmake
CTEST     ?= ctest
JOBS      ?= $(shell nproc 2> /dev/null || echo 2)

# The default engine, from the file scripts/engine_config.py generates from rtl/tessera_pkg.sv.
default_of = $(shell sed -n 's/^set(TESSERA_DEFAULT_$(1) \([0-9]*\))$$/\1/p' cmake/TesseraDefaultEngine.cmake)
ROWS ?=
COLS ?=
BUS  ?=
ifneq ($(ROWS)$(COLS)$(BUS),)
ENGINE := $(or $(ROWS),$(call default_of,NUM_ROWS))x$(or $(COLS),$(call default_of,NUM_COLS))x$(or $(BUS),$(call default_of,BUS_WIDTH))
BUILD  ?= build/engine-$(ENGINE)
ENGINE_FLAGS := -DTESSERA_ENGINE=$(ENGINE) -DTESSERA_EXTRA_ENGINES=
else
BUILD  ?= build
ENGINE_FLAGS :=
endif
export VERILATOR YOSYS BUILD
# The build tools run as sub-makes: without this each prints "Entering/Leaving directory".
MAKEFLAGS += --no-print-directory

# CMakeLists.txt picks up ccache by itself (it may only be installed by `deps`).
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release
# The waveform's depth (--trace): TRACE_DEPTH=N keeps the top N levels of the hierarchy in
# the build directory from then on (TRACE_DEPTH=0: every level again).
trace_depth = $(if $(TRACE_DEPTH),@$(CMAKE) -S . -B $(BUILD) -DTESSERA_TRACE_DEPTH=$(TRACE_DEPTH) > /dev/null)

.DEFAULT_GOAL := help
PREFIX ?= /usr/local

.PHONY: help deps deps-models lint build test sim bench bench-cnn bench-models bench-fsim bench-train bench-fuzz plots fuzz synth bitstream install clean

help: ## Show this help
	@echo "Tessera make targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-13s %s\n", $$1, $$2}'
	@echo "Variables: BUILD=$(BUILD) JOBS=$(JOBS) VERILATOR=$(VERILATOR) YOSYS=$(YOSYS)"
	@echo "           ROWS=, COLS=, BUS= another engine shape for sim/build/test (its own BUILD)"
	@echo "           TRACE_DEPTH=N the hierarchy levels --trace dumps (0: all, the default)"

deps: ## Install the Debian packages Tessera needs (as root), or print the apt-get command
	@scripts/deps.sh

deps-models: ## deps, and the Python packages that build models offline (PyTorch, ONNX)
	@scripts/deps.sh models

lint: deps ## Verilator -Wall lint and Yosys check -assert of every RTL file, zero warnings
	@scripts/lint.sh

$(BUILD)/CMakeCache.txt: | deps
	$(CMAKE) -S . -B $(BUILD) $(CMAKE_FLAGS) $(ENGINE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt ## Build the reference model, Verilated models, tests and tools
	$(trace_depth)
	$(CMAKE) --build $(BUILD) -j $(JOBS)

test: deps-models lint build ## Lint, build and run every test suite (the CI command)
	$(CTEST) --test-dir $(BUILD) --output-on-failure -j $(JOBS)

FASHION := /usr/share/datasets/fashion-mnist
CNN_RUN  := model run models/fashion_cnn_int8.onnx --input $(FASHION)/t10k-images-idx3-ubyte.gz --labels $(FASHION)/t10k-labels-idx1-ubyte.gz

sim: deps $(BUILD)/CMakeCache.txt ## Build the simulator and tool only; a 512^3 GEMM, a 3x3 conv and the Fashion-MNIST CNN on the whole engine
	$(trace_depth)
	$(CMAKE) --build $(BUILD) -j $(JOBS) --target tessera_sim tessera
	$(BUILD)/sim/tessera_sim
	@echo "The source documents' CNN (models/fashion_cnn_int8.onnx) on 100 Fashion-MNIST test images:"
	$(BUILD)/driver/tool/tessera $(CNN_RUN) --count 100 --layers

bench: build ## Core cycles/utilization/speed; DMA throughput against latency and bus width
	$(BUILD)/bench/tessera_bench_core
	@for w in 64 128 256 512; do $(BUILD)/bench/tessera_bench_dma_w$$w || exit 1; done

bench-cnn: build ## The CNN on all 10,000 Fashion-MNIST test images, every layer checked (about 4 min on 2 cores)
	bench/cnn_fashion_mnist.py --tessera $(BUILD)/driver/tool/tessera --json $(BUILD)/bench_cnn.json

bench-models: deps-models build ## ResNet-50 and MobileNet-v2 (built by scripts/models/torchvision_qdq.py) on the RTL simulator, every layer checked
	bench/imagenet_models.py --tessera $(BUILD)/driver/tool/tessera --json $(BUILD)/bench_models.json

bench-fsim: build ## The golden model against the RTL simulator: speed-up and cycle-estimate error, side by side
	bench/fsim_speed.py --tessera $(BUILD)/driver/tool/tessera --json $(BUILD)/bench_fsim.json

EPOCHS ?= 2
bench-train: build ## Train the CNN on Fashion-MNIST on the golden model beside the float32 reference, EPOCHS (2) epochs (about 5 min)
	mkdir -p $(BUILD)/models
	$(BUILD)/driver/tool/tessera train --device fsim --epochs $(EPOCHS) --seed $(or $(SEED),1) --reference --out $(BUILD)/models/fashion_cnn_trained.onnx

PLOTS := $(BUILD)/plots
plots: deps-models build ## Figures (SVG + PNG) in build/plots: the CNN's layers and roofline on the RTL simulator, the DMA latency sweep
	mkdir -p $(PLOTS)
	$(BUILD)/driver/tool/tessera $(CNN_RUN) --count 100 --layers --json > $(PLOTS)/fashion_cnn.json
	@for w in 64 128 256 512; do SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 $(BUILD)/bench/tessera_bench_dma_w$$w --json $(PLOTS)/dma_w$$w.json > /dev/null || exit 1; done
	scripts/plots.py model $(PLOTS)/fashion_cnn.json --out $(PLOTS)
	scripts/plots.py dma $(PLOTS)/dma_w*.json --out $(PLOTS)

FUZZ_COMMANDS ?= 100000
bench-fuzz: build ## Differential fuzzing, RTL against golden model: FUZZ_COMMANDS (10^5) commands, commands/s, outcomes
	SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 $(BUILD)/fuzz/tessera_fuzz --commands $(FUZZ_COMMANDS) --seed $(or $(SEED),1) --repro-dir $(BUILD) --json $(BUILD)/bench_fuzz.json

FUZZ_SECONDS ?= 600
fuzz: deps ## libFuzzer targets (npy, asm, recording, ONNX) under ASan+UBSan, FUZZ_SECONDS (600) each
	BUILD=$(BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/sanitize.sh fuzz

synth: deps ## Yosys: the core, buffers, blocks and whole engine (UltraScale+, iCE40); checked tables
	@scripts/synth.sh

bitstream: deps ## A board's bitstream: BOARD=icebreaker (open flow) or zcu104|kcu105 (Vivado)
	@scripts/bitstream.sh $(BOARD)

install: build ## Install libraries, headers, tools, CMake package and pkg-config file (PREFIX=/usr/local)
	$(CMAKE) --install $(BUILD) --prefix $(PREFIX)

clean: ## Remove the build directories
	rm -rf build $(BUILD)
