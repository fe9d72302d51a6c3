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

## Release build in .build/layout: each function in its own section and the ones a running controller uses laid out
## first, in the order of scripts/hot-functions.txt (lld's --symbol-ordering-file; names a change removed are skipped
## quietly), so less of the code stays resident; relative relocations packed (DT_RELR: 1.2 MB of them become 14 KB,
## which glibc 2.36 or later reads; `make release PACK_RELOCS=` for an older glibc). Its own scratch path: SwiftPM
## does not recompile Swift modules when only these flags change, and does not see the list change (a newer list
## removes the binary to have it linked again).
PRODUCT ?= tidemark
PACK_RELOCS ?= -Xlinker -z -Xlinker pack-relative-relocs
RELEASE_FLAGS = --scratch-path .build/layout -Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections \
	-Xswiftc -use-ld=lld -Xlinker --symbol-ordering-file=$(CURDIR)/scripts/hot-functions.txt \
	-Xlinker --no-warn-symbol-ordering $(PACK_RELOCS)
release:
	@[ ! scripts/hot-functions.txt -nt .build/layout/release/$(PRODUCT) ] || rm -f .build/layout/release/$(PRODUCT)
	$(SWIFT) build -c release --product $(PRODUCT) $(RELEASE_FLAGS)

## Release-mode benchmarks with croniter measured in the same run (figures go to docs/PERFORMANCE.md).
bench:
	@scripts/bootstrap.sh --test
	Benchmarks/run.sh

clean:
	rm -rf .build
