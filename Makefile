# tsdyn — see README.md and docs/. Every target installs the npm dependencies first when missing.
SHELL := /bin/bash
DEPS := node_modules/.package-lock.json
NAME ?=
# make figures PRESET=ensemble / make calibrate PRESET=ensemble (empty: the default presets)
PRESET ?=
PRESET_ARG := $(if $(PRESET),--preset=$(PRESET),)

.PHONY: figures figure test test-fast typecheck bench calibrate demo clean-cache schema sweep-example build

# A linked node_modules (a worktree sharing another checkout's install) is never reinstalled:
# npm ci would empty the linked folder for everyone who shares it.
$(DEPS): package.json package-lock.json
	@if [ -L node_modules ]; then echo "node_modules is a link to a shared install: not reinstalling" >&2; else npm ci --no-audit --no-fund && touch $@; fi

## The compiled CLI (esbuild bundle of src/; `npm ci` builds it too, through `prepare`).
CLI := dist/cli.js
$(CLI): $(DEPS) scripts/build.mjs scripts/code-digests.mjs package.json $(shell find src -name '*.ts' 2>/dev/null)
	node scripts/build.mjs

build: $(CLI)

## Where SGD runs go: auto (a hardware GPU when found, else cpu), cpu or webgpu (docs/gpu.md).
BACKEND ?= auto

## Where the missing runs are computed: local (worker processes here) or slurm (a SLURM job array;
## docs/cluster.md). SLURM: the executor's options, e.g. SLURM='--partition=cpu --time=1:00:00 --retries=3'.
EXECUTOR ?= local
SLURM ?=
EXECUTOR_ARGS := --executor=$(EXECUTOR) $(if $(filter slurm,$(EXECUTOR)),$(SLURM),)

## Rebuild every figure, the gallery, the metric snapshots (cached runs are reused) and the live explorer page.
## PRESET=ensemble builds only the ensemble figures: the GPU-sized SGD ensembles and the complete Figure 5 grid (docs/figures.md, "Ensemble preset (GPU)").
figures: $(DEPS) $(CLI)
	node_modules/.bin/zx pipeline/figures.mjs $(PRESET_ARG) --backend="$(BACKEND)" $(EXECUTOR_ARGS)
	node_modules/.bin/tsx scripts/build-explorer.ts

## Rebuild one figure: make figure NAME=soft-committee (without NAME: an error listing the names)
figure: $(DEPS) $(CLI)
	node_modules/.bin/zx pipeline/figures.mjs --only="$(NAME)" $(PRESET_ARG) --backend="$(BACKEND)" $(EXECUTOR_ARGS)

## Regenerate schema/*.schema.json from the config types (src/sweep/fileTypes.ts).
schema: $(DEPS)
	npx tsx pipeline/schema.ts

## The example sweep of docs/sweeps.md (< 1 minute on 2 cores): out/lr-sigma-sweep/table.csv, plot.svg
sweep-example: $(DEPS)
	npx tsx src/cli.ts sweep --config configs/lr-sigma-sweep.json

## Type-check and run the whole test suite: every tier (vitest.config.ts). What CI runs.
test: $(DEPS) $(CLI)
	npx tsc --noEmit
	npx vitest run

## The unit tier only, for the edit loop (under a minute on 2 cores). One other tier: npx vitest run --project stats
test-fast: $(DEPS)
	npx vitest run --project unit

typecheck: $(DEPS)
	npx tsc --noEmit

## Re-measure the null distribution behind the replication tolerances (~20 min on 2 cores).
## PRESET=ensemble: 1000 full-SGD seeds per K → snapshots/calibration-ensemble.json (GPU-sized).
## ONLY=NAME[,NAME]: only those figures, merged into the existing file (the others' entries kept).
ONLY ?=
calibrate: $(DEPS) $(CLI)
	node_modules/.bin/tsx pipeline/calibrate.ts $(PRESET_ARG) --backend=$(BACKEND) $(EXECUTOR_ARGS) $(if $(ONLY),--only="$(ONLY)",)

## Speed benchmark: prints a table and writes bench/results.json.
bench: $(DEPS)
	npx tsx bench/bench.ts

## Theory vs simulation on the default soft-committee config (N=784, M=K=4).
demo: $(CLI)
	node $(CLI) compare --config configs/soft-committee.json

clean-cache:
	rm -rf .cache
