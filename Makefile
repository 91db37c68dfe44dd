# The two commands a new user runs: `make demo` and `make test`. Each installs what it needs.
SWIFT ?= swift
APT_PACKAGES := libopenblas-dev liblapacke-dev libsleef-dev
# Tests run in parallel; OpenBLAS's thread pool is process-wide, so keep it to one thread there.
TEST_ENV := OPENBLAS_NUM_THREADS=1

.PHONY: deps test demo bench bench-instructions bench-peer-setup fixtures docs clean

# Installs OpenBLAS, LAPACKE and SLEEF (the vectorised elementwise kernels) from apt when
# their headers are missing.
deps:
	@if [ ! -f /usr/include/lapacke.h ] || [ ! -f /usr/include/x86_64-linux-gnu/cblas.h -a ! -f /usr/include/cblas.h ] \
		|| [ ! -f /usr/include/x86_64-linux-gnu/sleef.h -a ! -f /usr/include/sleef.h ]; then \
		echo "Installing $(APT_PACKAGES)"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(APT_PACKAGES); \
	fi

# Then the compile-time checks of the typed operations (samples that must not compile), and
# the thread sanitizer over the tests that read, train and decompose from several threads, in its
# own build folder (gitignored), without the macro targets (CONSTRAINED_WITHOUT_MACROS, see
# Package.swift): swift-syntax is built once, by the first run, not again under the sanitizer.
TSAN_FILTER := CachingTests|CacheCornerCaseTests|TrainingTests|SymmetricEigenSideBySideTests|PooledGEMMTests

test: deps
	$(TEST_ENV) $(SWIFT) test
	Scripts/check-typed-operations.sh
	CONSTRAINED_WITHOUT_MACROS=1 $(TEST_ENV) $(SWIFT) test --sanitize=thread --scratch-path .build-tsan --filter '$(TSAN_FILTER)'

# The demo: the copying-memory task with an orthogonal RNN, built in release mode (debug
# builds run the kernels 30-40x slower). Its loss plot goes to $(DEMO_OUT)/copy-task.svg.
# The other programs: `swift run -c release constrained-demo --help`.
DEMO_THREADS := 2
DEMO_OUT := demo-output
DEMO_ENV := OPENBLAS_NUM_THREADS=$(DEMO_THREADS)

demo: deps
	$(DEMO_ENV) $(SWIFT) run -c release constrained-demo copy-task --output $(DEMO_OUT)/copy-task.svg

# Benchmarks: ours (release build), then NumPy/SciPy (system python3), then PyTorch when
# $(PEER_PYTHON) exists, on $(BENCH_THREADS) BLAS threads each; report.py joins them into
# Docs/Benchmarks.md and Docs/benchmarks.svg. `make bench QUICK=1` (a smoke run) or
# `make bench FILTER=regex` (over suite/workload/dtype/n/phase) leave their report in bench-out/.
BENCH_THREADS := 2
# Rounds: ours and every peer run, then all again; report.py keeps each workload's least
# median, so a phase of host contention must hit every round to move a number.
BENCH_ROUNDS ?= $(if $(QUICK),1,4)
BENCH_OUT := bench-out
PEER_PYTHON ?= .venv-bench/bin/python
# FILTER is passed in single quotes (its own single quotes escaped), so regular expressions
# with parentheses or `|` reach the programs unchanged.
BENCH_FLAGS := --threads $(BENCH_THREADS) $(if $(QUICK),--quick) $(if $(FILTER),--filter '$(subst ','\'',$(FILTER))')
BENCH_DOCS := $(if $(QUICK)$(FILTER),$(BENCH_OUT),Docs)
BENCH_ENV := OPENBLAS_NUM_THREADS=$(BENCH_THREADS)

bench: deps
	$(SWIFT) build -c release --product constrained-bench
	@mkdir -p $(BENCH_OUT) $(BENCH_DOCS)
	@rm -f $(BENCH_OUT)/*.jsonl
	@set -e; bin="$$($(SWIFT) build -c release --show-bin-path)/constrained-bench"; \
	for r in $$(seq 1 $(BENCH_ROUNDS)); do \
		echo "== round $$r of $(BENCH_ROUNDS)"; \
		set -x; \
		$(BENCH_ENV) "$$bin" $(BENCH_FLAGS) --output $(BENCH_OUT)/constrained.r$$r.jsonl; \
		$(BENCH_ENV) python3 Scripts/bench/peer_numpy.py $(BENCH_FLAGS) --output $(BENCH_OUT)/numpy.r$$r.jsonl; \
		if [ -x "$(PEER_PYTHON)" ]; then \
			$(BENCH_ENV) "$(PEER_PYTHON)" Scripts/bench/peer_torch.py $(BENCH_FLAGS) --output $(BENCH_OUT)/torch.r$$r.jsonl; \
			$(BENCH_ENV) "$(PEER_PYTHON)" Scripts/bench/peer_torch_constrained.py $(BENCH_FLAGS) --output $(BENCH_OUT)/torch-constrained.r$$r.jsonl; \
			if "$(PEER_PYTHON)" -c "import geotorch" 2>/dev/null; then \
				$(BENCH_ENV) "$(PEER_PYTHON)" Scripts/bench/peer_geotorch.py $(BENCH_FLAGS) --output $(BENCH_OUT)/geotorch.r$$r.jsonl; \
			else echo "geotorch peer skipped: $(PEER_PYTHON) has no geotorch"; fi; \
			if "$(PEER_PYTHON)" -c "import geoopt" 2>/dev/null; then \
				$(BENCH_ENV) "$(PEER_PYTHON)" Scripts/bench/peer_geoopt.py $(BENCH_FLAGS) --output $(BENCH_OUT)/geoopt.r$$r.jsonl; \
			else echo "geoopt peer skipped: $(PEER_PYTHON) has no geoopt"; fi; \
		else \
			echo "PyTorch peer skipped: no $(PEER_PYTHON) (run make bench-peer-setup)"; \
		fi; \
		set +x; \
	done
	@# Peak memory and the instruction count (a minute under valgrind) are skipped with FILTER.
	$(if $(FILTER),@true,$(BENCH_ENV) python3 Scripts/bench/memory.py "$$($(SWIFT) build -c release --show-bin-path)/constrained-bench" \
		--peer-python "$(PEER_PYTHON)" --threads $(BENCH_THREADS) $(if $(QUICK),--quick) --output $(BENCH_OUT)/memory.jsonl)
	$(if $(FILTER),@true,Scripts/bench/instructions.sh "$$($(SWIFT) build -c release --show-bin-path)/constrained-bench" $(BENCH_OUT)/instructions.jsonl)
	python3 Scripts/bench/report.py $(BENCH_OUT)/*.jsonl --markdown $(BENCH_DOCS)/Benchmarks.md --svg $(BENCH_DOCS)/benchmarks.svg

# Only the regression guard: callgrind's instruction count of one RNN training step.
bench-instructions: deps
	$(SWIFT) build -c release --product constrained-bench
	@mkdir -p $(BENCH_OUT)
	Scripts/bench/instructions.sh "$$($(SWIFT) build -c release --show-bin-path)/constrained-bench" $(BENCH_OUT)/instructions.jsonl

# The PyTorch peer's virtual environment (never a dependency of the package or of CI).
bench-peer-setup:
	python3 -m venv .venv-bench
	.venv-bench/bin/pip install --quiet --upgrade pip
	.venv-bench/bin/pip install --quiet numpy scipy torch geotorch

# Regenerates the reference fixtures from NumPy/SciPy (see README).
fixtures:
	python3 Scripts/fixtures/generate.py Tests/LinAlgTests/Fixtures

# The DocC reference of the Constrained target (swift-docc-plugin), into $(DOCS_OUT).
DOCS_OUT ?= .build/docs
docs: deps
	$(SWIFT) package --allow-writing-to-directory $(DOCS_OUT) generate-documentation --target Constrained --output-path $(DOCS_OUT)

clean:
	rm -rf .build .build-tsan
