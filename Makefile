# The two commands of the README: `make run` and `make test`.
SHELL := /bin/bash
export PATH := /usr/local/go/bin:/usr/sbin:$(PATH)

VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: run test build vet deps test-deps

## run: install what is missing, build, and run egovkpi on the embedded default
run: deps build
	./egovkpi run

## test: install what the tests need and run every test
test: test-deps vet
	go test -count=1 -timeout 45m ./...

build:
	go build -ldflags "$(LDFLAGS)" -o egovkpi ./cmd/egovkpi

vet:
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	go vet ./...

deps:
	.ci/install run

test-deps:
	.ci/install test
