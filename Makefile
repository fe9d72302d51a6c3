# Tidemark — backup schedules and retention as code.
SWIFT ?= swift

.PHONY: demo test lint format build release bench clean

## The main job end to end with no account: the emulator, the seed policies, plan → apply → zero diff.
demo:
	@scripts/bootstrap.sh
	$(SWIFT) build --product tidemark
	scripts/demo.sh

## Every test, including the 20,000-case differential test against croniter.
test:
	@scripts/bootstrap.sh --test
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --no-parallel

## The code as swift format (from the toolchain) writes it, by .swift-format; `make format` rewrites it so.
lint:
	$(SWIFT) format lint --strict --recursive --parallel Sources Tests Benchmarks Plugins Package.swift

format:
	$(SWIFT) format format --in-place --recursive --parallel Sources Tests Benchmarks Plugins Package.swift

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release --product tidemark

## Release-mode benchmarks with croniter measured in the same run (figures go to docs/PERFORMANCE.md).
bench:
	@scripts/bootstrap.sh --test
	Benchmarks/run.sh

clean:
	rm -rf .build
