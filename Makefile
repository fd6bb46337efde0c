# civicscore — build, demo and test. See README.md.
SHELL := /bin/bash
GO ?= go
GOFLAGS_TAGS := -tags=duckdb_arrow
BIN := bin/civicscore
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

# ECharts is fetched from the npm registry at a pinned version and checked
# against a pinned sha256 of the package tarball; it is never committed.
ECHARTS_VERSION := 6.1.0
ECHARTS_SHA256 := 681aff88cc1038c3fa941a3a53d1b177a52250b05335efc607d6105ae13be481
ECHARTS_DIR := reports/assets/vendor
ECHARTS_JS := $(ECHARTS_DIR)/echarts.min.js

.PHONY: all build demo test docs assets vet fmt-check browser fuzz fuzz-brief bench clean release release-check cross-windows

all: build

assets: $(ECHARTS_JS)

$(ECHARTS_JS):
	@mkdir -p .cache/npm $(ECHARTS_DIR)
	cd .cache/npm && rm -f echarts-$(ECHARTS_VERSION).tgz && npm pack --silent echarts@$(ECHARTS_VERSION) >/dev/null
	echo "$(ECHARTS_SHA256)  .cache/npm/echarts-$(ECHARTS_VERSION).tgz" | sha256sum -c -
	tar -xzf .cache/npm/echarts-$(ECHARTS_VERSION).tgz -C .cache/npm package/dist/echarts.min.js package/LICENSE
	cp .cache/npm/package/dist/echarts.min.js $(ECHARTS_JS)
	cp .cache/npm/package/LICENSE $(ECHARTS_DIR)/ECHARTS_LICENSE

build: assets
	$(GO) build $(GOFLAGS_TAGS) -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/civicscore

demo: build
	./$(BIN) demo --out ./civicscore-demo

vet: assets
	$(GO) vet $(GOFLAGS_TAGS) ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed: $$out"; exit 1; fi

# Browser tests drive Debian's chromium; install it when absent.
browser:
	@{ command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "noto.*cjk"; } || { \
	  echo "installing chromium (Debian package) for browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) || \
	  (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null); }

# The demo runs first: the browser tests open its district report and a
# scorecard (reports/browser_comparison_test.go, TestBrowserDemo).
test: assets browser fmt-check vet cross-windows demo
	@set -o pipefail; $(GO) run $(GOFLAGS_TAGS) ./cmd/civicscore schema --markdown | diff -u docs/schema.md - || { echo "docs/schema.md is not current: go run $(GOFLAGS_TAGS) ./cmd/civicscore schema --markdown > docs/schema.md"; exit 1; }
	$(GO) test $(GOFLAGS_TAGS) -count=1 -timeout 30m ./...
	@$(MAKE) --no-print-directory fuzz-brief

# The generated reference documents: docs/schema.md from the COMMENT texts
# of the migrations, the others by their golden tests run with -update, one
# package at a time. `make test` fails when one of them is stale.
docs: assets
	@set -o pipefail; $(GO) run $(GOFLAGS_TAGS) ./cmd/civicscore schema --markdown > docs/schema.md.tmp && mv docs/schema.md.tmp docs/schema.md
	$(GO) test $(GOFLAGS_TAGS) -count=1 ./ingest -run '^TestInputsReferenceCurrent$$' -update
	$(GO) test $(GOFLAGS_TAGS) -count=1 ./config -run '^TestConfigReferenceCurrent$$' -update
	$(GO) test $(GOFLAGS_TAGS) -count=1 ./metrics -run '^TestIndicatorsReferenceCurrent$$' -update
	$(GO) test $(GOFLAGS_TAGS) -count=1 . -run '^TestMethodsReferenceCurrent$$' -update

# Fuzz tests of the ingest parsers (ingest/fuzz_test.go; seed corpora in
# ingest/testdata/fuzz/). `make fuzz` runs each target for FUZZTIME (e.g.
# make fuzz FUZZTIME=10m); `make test` runs each for BRIEF_FUZZTIME, two at a
# time. A failing input is written to ingest/testdata/fuzz/<target>/: keep it
# there, as a seed that guards the fix.
# The brief budget is a count of inputs (Nx), not a duration: Go 1.26's fuzz
# coordinator can report "context deadline exceeded" when a duration runs out
# while a worker is mid-input (go.dev/issue/75804, fixed in Go 1.27), which is
# no finding. A duration run (make fuzz) that ends only that way, with no
# failing input written, counts as passed and says so.
FUZZ_TARGETS := FuzzCSVReader FuzzOpen311Reader FuzzTimestamp FuzzTextMacros FuzzEnumSpellings FuzzPlanHeaders FuzzExcelDate FuzzOpen311Level
FUZZTIME ?= 1m
FUZZ_JOBS ?= 1
BRIEF_FUZZTIME ?= 1000x

fuzz: assets
	@printf '%s\n' $(FUZZ_TARGETS) | xargs -P $(FUZZ_JOBS) -I{} sh -c \
	  'out=$$($(GO) test $(GOFLAGS_TAGS) -run="^$$" -fuzz="^{}$$" -fuzztime=$(FUZZTIME) $(FUZZFLAGS) ./ingest/ 2>&1) && echo "fuzz ok   {} ($(FUZZTIME))" || \
	  if echo "$$out" | grep -q "context deadline exceeded" && ! echo "$$out" | grep -Eq "Failing input written|panic:|_test.go:[0-9]+:"; then \
	    echo "fuzz ok   {} ($(FUZZTIME); stopped at the deadline with no failing input, go.dev/issue/75804)"; \
	  else echo "fuzz FAIL {}"; echo "$$out" | tail -40; exit 1; fi'

fuzz-brief:
	@$(MAKE) --no-print-directory fuzz FUZZTIME=$(BRIEF_FUZZTIME) FUZZ_JOBS=2 FUZZFLAGS=-parallel=1

clean:
	rm -rf bin civicscore-demo .cache dist $(ECHARTS_DIR)

# Release archives (see docs/release.md): static Linux binaries for amd64
# and arm64 (no glibc floor) and a Windows one, each with README.md and the
# licences of the third-party code linked in, and dist/SHA256SUMS. The
# cross toolchains are Debian packages, installed when missing.
RELEASE_TARGETS ?= linux-amd64 linux-arm64 windows-amd64
release: assets
	release/build.sh $(VERSION) $(RELEASE_TARGETS)

# Runs each archive where a user would (amd64 in an empty chroot, arm64
# under qemu-user, Windows under Wine) through version, demo, query and a
# run on testdata/samples, against the native build.
release-check:
	release/check.sh $(VERSION)

# make test compiles the Windows binary, so that the port cannot break
# unseen (running it under Wine is release-check's).
cross-windows: assets
	@release/build.sh --compile-only windows-amd64

# Performance against the floor DuckDB sets (see bench/ and docs/performance.md):
# the stages against the floor, then adding a month against a full run
# (INCREMENTAL=0 skips that); MEMORY_LIMIT=4GB runs civicscore under a limit.
SCALE ?= city
RUNS ?= 1
INCREMENTAL ?= 1
MEMORY_LIMIT ?=
bench: build
	$(GO) run $(GOFLAGS_TAGS) ./bench --scale $(SCALE) --runs $(RUNS) --bin $(BIN) \
		$(if $(filter 1,$(INCREMENTAL)),--incremental) $(if $(MEMORY_LIMIT),--memory-limit $(MEMORY_LIMIT))
