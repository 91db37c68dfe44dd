# The two commands a new user runs: `make demo` and `make test`. Each installs what it needs.
SWIFT ?= swift
APT_PACKAGES := libopenblas-dev liblapacke-dev
# Tests run in parallel; OpenBLAS's thread pool is process-wide, so keep it to one thread there.
TEST_ENV := OPENBLAS_NUM_THREADS=1

.PHONY: deps test demo bench bench-peer-setup fixtures docs clean

# Installs OpenBLAS and LAPACKE from apt when their headers are missing.
deps:
	@if [ ! -f /usr/include/lapacke.h ] || [ ! -f /usr/include/x86_64-linux-gnu/cblas.h -a ! -f /usr/include/cblas.h ]; then \
		echo "Installing $(APT_PACKAGES)"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(APT_PACKAGES); \
	fi

test: deps
	$(TEST_ENV) $(SWIFT) test

demo: deps
	@echo "The demo arrives with issue 5; for now: make test"

# Regenerates the reference fixtures from NumPy/SciPy (see README).
fixtures:
	python3 Scripts/fixtures/generate.py Tests/LinAlgTests/Fixtures
	python3 Scripts/fixtures/generate.py Tests/ConstrainedTests/Fixtures layers

clean:
	rm -rf .build
