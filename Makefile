# The two commands: `make run` starts the bridge, `make test` runs every test. Both install what
# they need first (Debian packages through apt-get, then NuGet packages through dotnet restore).
SHELL := /bin/bash
.DEFAULT_GOAL := help
DOTNET ?= dotnet
CONFIG ?= Release
SLN := Bridge.sln
RESULTS := TestResults

# Debian packages: Python's grpcio and grpc-go (the library of the kubelet's gRPC probe) are the interop
# peers of the tests, and protoc-gen-go and protoc-gen-go-grpc generate the Go example clients' code; kcat
# reads the topic from a shell; wrk loads the ingress in the benchmarks; the audit service's tests start a
# private PostgreSQL from Debian's postgresql, and its timeline page's test drives Debian's chromium.
# librdkafka comes from NuGet (librdkafka.redist), not from Debian. yamllint checks the chart's values and
# the examples, Go's sprig and yaml.v3 build the chart renderer of tests/Deploy; buildah and debootstrap build
# the container images (make images).
RUNTIME_DEBS :=
TEST_DEBS := $(RUNTIME_DEBS) python3-grpcio python3-grpc-tools golang-go golang-google-grpc-dev golang-google-protobuf-dev protoc-gen-go protoc-gen-go-grpc kcat postgresql chromium yamllint golang-github-masterminds-sprig-dev golang-gopkg-yaml.v3-dev
IMAGE_DEBS := buildah debootstrap
BENCH_DEBS := $(RUNTIME_DEBS) wrk

.PHONY: help deps-run deps-test deps-bench deps-images restore build test run bench images test-images clean

help:
	@echo "make run    start the bridge (HTTP :8080, gRPC :8081, embedded Kafka unless configured) the notifier (:8090) and the audit page (:8091)"
	@echo "make test   run every test and print 'N passed, N failed, N skipped'"
	@echo "make bench  run the benchmarks"
	@echo "make images build the container images with buildah on locally made bases (IMAGES=\"bridge notifier audit\")"

deps-run:
	@scripts/ensure-debs.sh $(RUNTIME_DEBS)
deps-test:
	@scripts/ensure-debs.sh $(TEST_DEBS)
	@# The Node example clients are tested too; any Node.js 18+ on PATH will do, else Debian's.
	@command -v node >/dev/null && command -v npm >/dev/null || scripts/ensure-debs.sh nodejs npm
deps-bench:
	@scripts/ensure-debs.sh $(BENCH_DEBS)
deps-images:
	@scripts/ensure-debs.sh $(IMAGE_DEBS)

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

# Container images (deploy/containers/*.Containerfile) on bases made from this machine's Debian mirror and .NET;
# elsewhere `docker build -f deploy/containers/bridge.Containerfile .` uses the official .NET images.
images: deps-images
	scripts/build-images.sh $(IMAGES)

# The image tests (opt-in in make test: they take minutes): build, inspect and run the images' root filesystem.
test-images: deps-images deps-test restore
	$(DOTNET) build tests/Deploy -c $(CONFIG) --no-restore -v q -nologo
	BRIDGE_IMAGE_TESTS=1 $(DOTNET) test tests/Deploy -c $(CONFIG) --no-build --filter "FullyQualifiedName~ImageBuildTests" \
	  --logger "console;verbosity=detailed"

clean:
	$(DOTNET) clean $(SLN) -v q; rm -rf $(RESULTS)
