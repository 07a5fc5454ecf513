# The two commands: `make run` starts the bridge, `make test` runs every test. Both install what
# they need first (Debian packages through apt-get, then NuGet packages through dotnet restore).
SHELL := /bin/bash
.DEFAULT_GOAL := help
DOTNET ?= dotnet
CONFIG ?= Release
SLN := Bridge.sln
RESULTS := TestResults

# Debian packages: Python's grpcio and grpc-go (the library of the kubelet's gRPC probe) are the interop
# peers of the tests; kcat reads the topic from a shell; wrk loads the ingress in the benchmarks.
# librdkafka comes from NuGet (librdkafka.redist), not from Debian.
RUNTIME_DEBS :=
TEST_DEBS := $(RUNTIME_DEBS) python3-grpcio python3-grpc-tools golang-go golang-google-grpc-dev golang-google-protobuf-dev kcat
BENCH_DEBS := $(RUNTIME_DEBS) wrk

.PHONY: help deps-run deps-test deps-bench restore build test run bench clean

help:
	@echo "make run    start the bridge (HTTP :8080, gRPC :8081, embedded Kafka unless configured) and the notifier (:8090)"
	@echo "make test   run every test and print 'N passed, N failed, N skipped'"
	@echo "make bench  run the benchmarks"

deps-run:
	@scripts/ensure-debs.sh $(RUNTIME_DEBS)
deps-test:
	@scripts/ensure-debs.sh $(TEST_DEBS)
	@# The Node example clients are tested too; any Node.js 18+ on PATH will do, else Debian's.
	@command -v node >/dev/null && command -v npm >/dev/null || scripts/ensure-debs.sh nodejs npm
deps-bench:
	@scripts/ensure-debs.sh $(BENCH_DEBS)

restore:
	$(DOTNET) restore $(SLN)

build: deps-run restore
	$(DOTNET) build $(SLN) -c $(CONFIG) --no-restore

test: deps-test restore
	@rm -rf $(RESULTS)
	@$(DOTNET) build $(SLN) -c $(CONFIG) --no-restore -v q -nologo
	@set -o pipefail; rc=0; \
	$(DOTNET) test $(SLN) -c $(CONFIG) --no-build --results-directory $(RESULTS) \
	  --logger "trx" --logger "console;verbosity=normal" -- RunConfiguration.TestSessionTimeout=2400000 || rc=$$?; \
	scripts/test-summary.sh $(RESULTS) || rc=1; exit $$rc

# The bridge and the notifier together; NOTIFIER_CONFIG=path/to/notifier.yaml sets the routes and sinks.
run: deps-run restore
	@CONFIG=$(CONFIG) DOTNET=$(DOTNET) scripts/run-all.sh

bench: deps-bench restore
	$(DOTNET) run --project bench/Bridge.Bench -c Release --no-restore -- $(BENCH_ARGS)

clean:
	$(DOTNET) clean $(SLN) -v q; rm -rf $(RESULTS)
