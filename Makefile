# Latent: a Jupyter kernel for Go with an autoencoder runtime built in.
GO      ?= go
BIN     := bin/latent
PKGS    := ./...

.PHONY: all build generate setup demo test fuzz bench install clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/latent

# generate refreshes generated code: the notebooks' preloaded symbol tables
# and docs (a test fails when they are stale), the nnops assembly, the
# kernelspec logos, the built-in datasets and the course notebooks.
generate:
	$(GO) generate ./dsl/... ./nnops/... ./install/... ./runtime/data/...
	$(GO) run ./notebooks/internal/mkcourse

# setup installs what the tests and the demo need on a fresh Debian machine
# (Jupyter clients, Fashion-MNIST, numpy/torch for benchmarks). It is
# idempotent and quick when everything is present.
setup:
	scripts/setup.sh

# demo executes the tour notebook headless on the default dataset and writes
# an HTML report.
demo: setup build
	mkdir -p out
	$(BIN) run notebooks/00-tour.ipynb -o out/00-tour.ipynb --html out/00-tour.html
	@echo "report: out/00-tour.html"

# test runs every test, including the real-Jupyter-client ones and bounded
# fuzzing; it fails when any test fails.
test:
	.ci/run

fuzz:
	scripts/fuzz.sh

bench: setup build
	scripts/bench.sh

# install puts the binary where go install does and points the kernelspec
# at that copy (not at bin/, which make clean removes).
install:
	$(GO) install ./cmd/latent
	"$$($(GO) list -f '{{.Target}}' ./cmd/latent)" install

clean:
	rm -rf bin out latent-out
