VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X skalig.Version=$(VERSION)

.PHONY: build test test-pg lint run fuzz bench cases

build:
	go build -ldflags "$(LDFLAGS)" -o bin/skalig ./cmd/skalig

test:
	go test -race -count=1 -timeout 30m ./...

# PostgreSQL-backed tests arrive with the case workflow; until then this is the same as test.
test-pg:
	SKALIG_TEST_PG=$${SKALIG_TEST_PG:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable} go test -race -count=1 -timeout 30m ./...

lint:
	go vet ./...
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

run:
	go run ./cmd/skalig demo

cases:
	go run ./cmd/skalig rules test internal/rules/testdata/cases

fuzz:
	go test -run='^$$' -fuzz=FuzzParse -fuzztime=120s -parallel=1 ./internal/calcformat/
	go test -run='^$$' -fuzz=FuzzParseAnswer -fuzztime=60s -parallel=1 ./internal/payments/

bench:
	go test -run='^$$' -bench=. -benchmem -count=5 ./internal/rules/
