# tsdyn — see README.md. Every target installs the npm dependencies first when missing.
SHELL := /bin/bash
DEPS := node_modules/.package-lock.json
NAME ?=

.PHONY: figures figure test typecheck bench calibrate demo clean-cache

$(DEPS): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

## Rebuild every figure, the gallery, the metric snapshots (cached runs are reused) and the live explorer page.
figures: $(DEPS)
	npx zx pipeline/figures.mjs
	npx tsx scripts/build-explorer.ts

## Rebuild one figure: make figure NAME=soft-committee
figure: $(DEPS)
	npx zx pipeline/figures.mjs --only "$(NAME)"

## Type-check and run the whole test suite.
test: $(DEPS)
	npx tsc --noEmit
	npx vitest run

typecheck: $(DEPS)
	npx tsc --noEmit

## Re-measure the null distribution behind the replication tolerances (~20 min on 2 cores).
calibrate: $(DEPS)
	npx tsx pipeline/calibrate.ts

## Speed benchmark: prints a table and writes bench/results.json.
bench: $(DEPS)
	npx tsx bench/bench.ts

## Theory vs simulation on the default soft-committee config (N=784, M=K=4).
demo: $(DEPS)
	npx tsx src/cli.ts compare --config configs/soft-committee.json

clean-cache:
	rm -rf .cache
