# The README's two quick-start commands: `make demo` and `make test`.
SWIFT ?= swift
RELEASE = -c release
CHARNN = .build/release/charnn

.PHONY: bootstrap build demo test bench clean

bootstrap:
	@scripts/bootstrap

build: bootstrap
	$(SWIFT) build $(RELEASE) --product charnn

demo: build
	$(CHARNN) sample --length 600 --seed 1

# Tests run in release (numeric code is many times slower in debug); -enable-testing keeps @testable imports working.
# OPENBLAS_NUM_THREADS=1: tests run in parallel, and OpenBLAS's own threads collapse when the other core is busy.
test:
	@scripts/bootstrap --test
	OPENBLAS_NUM_THREADS=1 $(SWIFT) build $(RELEASE) -Xswiftc -enable-testing --build-tests
	OPENBLAS_NUM_THREADS=1 $(SWIFT) test $(RELEASE) -Xswiftc -enable-testing --skip-build

bench: build
	$(CHARNN) bench

clean:
	rm -rf .build
