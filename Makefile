# The developer interface. Every target is a thin wrapper: the scripts are the truth.
.PHONY: build test test-swift demo serve migrate bench format lint

build:            ## debug build of the server and the tests
	swift build --build-tests

test:             ## every test: Swift on SQLite and PostgreSQL, system tests of the binary
	./scripts/test

test-swift:       ## only the Swift suites (pass FILTER=Name to narrow)
	./scripts/test $(if $(FILTER),--filter $(FILTER),)

demo:             ## demo data on SQLite, then serve on :8080
	./scripts/demo

serve:            ## serve (migrates first) on :8080
	swift run loyalty serve

migrate:
	swift run loyalty migrate --yes

bench:            ## HTTP baseline with wrk (release build)
	./bench/health.sh

format:
	swift format format --in-place --recursive --parallel Sources Tests Package.swift

lint:
	swift format lint --recursive --parallel Sources Tests Package.swift
