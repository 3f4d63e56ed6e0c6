# creditsync — `make demo` and `make test` are all a new machine needs;
# both run `make setup`, which installs what is missing and is quick when
# nothing is.

GO       ?= go
BIN      := bin/creditsync
VERSION  := $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X main.version=$(VERSION)
# Tests may run packages in parallel; each loads the 560 MB engine. The
# timeout guards against a hang, not a measure: cmd/creditsync, the
# longest package (every command as a child process), takes about 9
# minutes on this 2-core machine alone and passed 20 under the load of
# other work on it.
TESTFLAGS ?= -p 2 -timeout 45m
# The tests' stores and files go to a memory file system when there is
# one with room (scripts/test-tmpdir.sh says why). TESTTMP=DIR chooses
# the directory; TESTTMP= keeps the system's temporary directory.
TESTTMP  ?= $(shell scripts/test-tmpdir.sh)

.PHONY: setup deps libchdb jsclient chromium build demo test bench fuzz vet docs clean

setup: deps libchdb jsclient build

deps:
	@$(GO) mod download

libchdb:
	@scripts/install-libchdb.sh

# The SQL endpoint's tests run ClickHouse's official JS client.
jsclient:
	@scripts/install-jsclient.sh

# The dashboard test loads pages in a real browser.
chromium:
	@scripts/install-chromium.sh

build:
	@mkdir -p bin
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/creditsync

demo: setup
	$(BIN) demo

test: setup chromium
	$(GO) vet ./...
	@tmp=$$(mktemp -d $(if $(TESTTMP),-p $(TESTTMP)) creditsync-test.XXXXXX) && \
	  echo "TMPDIR=$$tmp $(GO) test $(TESTFLAGS) ./..." && \
	  TMPDIR=$$tmp $(GO) test $(TESTFLAGS) ./...; rc=$$?; rm -rf "$$tmp"; exit $$rc

fuzz: setup
	$(GO) test -run '^$$' -fuzz FuzzValidateUSCC -fuzztime 20s ./transform
	$(GO) test -run '^$$' -fuzz FuzzParseDate -fuzztime 20s ./transform
	$(GO) test -run '^$$' -fuzz FuzzNormalizeText -fuzztime 20s ./transform
	$(GO) test -run '^$$' -fuzz FuzzDecodeReader -fuzztime 20s ./transform
	$(GO) test -run '^$$' -fuzz FuzzParseRecord -fuzztime 20s ./contract
	$(GO) test -run '^$$' -fuzz FuzzFindTable -fuzztime 20s ./ingest/file
	$(GO) test -run '^$$' -fuzz FuzzDecisionSurvivesRewrites -fuzztime 60s ./sqlaccess

# Measures every target of the performance issue and writes BENCHMARKS.md
# (national scale needs a few GiB of disk and some minutes). pandas, the
# yardstick of the cold path, is installed when it can be; when it cannot,
# the report says so in its pandas row.
bench: setup
	@scripts/install-pandas.sh || echo "bench: going on without pandas" >&2
	$(GO) run ./tools/bench -bin $(BIN) -o BENCHMARKS.md $(BENCHFLAGS)

# The command reference (docs/commands) is generated from the commands'
# own help; make test fails when it is out of date.
docs:
	$(GO) test ./cmd/creditsync -run TestCommandReferenceIsCurrent -update-docs

clean:
	rm -rf bin demo-data
