# One Frame Of Fame. `make run` starts the embedded local stack; `make test` runs every test.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
# Headers pillow-simd builds against (JPEG, zlib, WebP), and Node.js (with npm) for dynalite.
APT_PACKAGES := libjpeg-dev zlib1g-dev libwebp-dev nodejs
# The browser tests drive Debian's Chromium; Playwright's own browser download is blocked.
# Debian's prometheus package brings promtool, which checks deploy/prometheus/alerts.yml.
TEST_APT_PACKAGES := chromium prometheus
STAMP := $(VENV)/.installed
# The embedded local AWS (docs/operations.md): ministack (S3 + SQS) in its own virtualenv,
# because it pins a newer botocore than aioboto3 allows, and dynalite (DynamoDB on
# LevelDB) from npm with the machine's Node.js. Pinned in deploy/ministack/ and deploy/dynalite/.
MINISTACK := deploy/ministack
DYNALITE := deploy/dynalite
LOCALAWS_VENV := .venv-localaws
LOCALAWS_STAMP := $(LOCALAWS_VENV)/.installed
NODE_STAMP := $(DYNALITE)/node_modules/.installed
# axe-core, injected into every page by the browser tests (tests/browser/accessibility.py).
AXE := deploy/axe
AXE_STAMP := $(AXE)/node_modules/.installed

apt = dpkg -s $(1) >/dev/null 2>&1 || \
	(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1))

.PHONY: install localaws sysdeps testdeps run reset test check fmt lock bench load docs chaos fuzz iac image

install: $(STAMP) localaws

localaws: $(LOCALAWS_STAMP) $(NODE_STAMP)

sysdeps:
	@$(call apt,$(APT_PACKAGES))

testdeps: $(AXE_STAMP)
	@$(call apt,$(TEST_APT_PACKAGES))

$(AXE_STAMP): $(AXE)/package.json $(AXE)/package-lock.json | sysdeps
	@command -v npm >/dev/null || $(call apt,npm)
	npm ci --prefix $(AXE) --no-audit --no-fund --loglevel=error
	touch $@

$(STAMP): requirements.lock pyproject.toml | sysdeps
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q 'uv==0.13.9'
	$(UV) pip install -q -p $(PY) --no-binary pillow-simd -r requirements.lock
	$(UV) pip install -q -p $(PY) --no-deps -e .
	$(PY) -m shared.pillow_check
	touch $@

$(LOCALAWS_STAMP): $(MINISTACK)/requirements.txt | sysdeps
	test -x $(LOCALAWS_VENV)/bin/python || $(PYTHON) -m venv $(LOCALAWS_VENV)
	$(LOCALAWS_VENV)/bin/python -m pip install -q --no-deps -r $(MINISTACK)/requirements.txt
	touch $@

# Debian's nodejs comes without npm (NodeSource's includes it).
$(NODE_STAMP): $(DYNALITE)/package.json $(DYNALITE)/package-lock.json | sysdeps
	@command -v npm >/dev/null || $(call apt,npm)
	npm ci --prefix $(DYNALITE) --no-audit --no-fund --loglevel=error
	touch $@

lock:
	$(UV) pip compile -q pyproject.toml --extra dev -p 3.11 -o requirements.lock

# The crowd of `make run`: `make run CROWD=mturk` judges photos on the local Mechanical
# Turk instead of the local Crowdflower (MODERATION_CROWD_PROVIDER does the same).
CROWD ?= $(or $(MODERATION_CROWD_PROVIDER),crowdflower)

# The variable is exported by make, not set by a shell in front of the command: make
# then runs devstack itself, and a SIGTERM to make reaches the stack (tests/system).
run: export MODERATION_CROWD_PROVIDER := $(CROWD)
run: install
	$(PY) deploy/devstack.py run

# Wipes what `make run` keeps under var/ (photos, verdicts, slots, clips, and the
# stand-ins' crowd jobs, HITs and videos): a fresh site.
reset:
	rm -rf var/localaws var/crowd var/mturk var/vimeo

# Every test but the image build (`make image`, minutes long); the bounded chaos storm
# (each service killed once) is part of it, `make chaos` runs a longer one.
test: install testdeps iac
	$(PY) -m pytest -m "not image"

check: install testdeps iac
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -m "not image"

# The CloudFormation templates and the Dockerfile: cfn-lint from the project's venv (the
# lock pins it), checkov in a venv of its own (it pins its own boto3 and friends). Each
# accepted finding is skipped in the template next to its resource, with the reason.
CHECKOV_VERSION := 3.3.30
CHECKOV_VENV := .venv-checkov
CHECKOV := $(CHECKOV_VENV)/bin/checkov --quiet --compact --skip-download
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed-$(CHECKOV_VERSION)

$(CHECKOV_STAMP): | install
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(UV) pip install -q -p $(CHECKOV_VENV)/bin/python 'checkov==$(CHECKOV_VERSION)'
	touch $@

iac: install $(CHECKOV_STAMP)
	$(VENV)/bin/cfn-lint deploy/cloudformation/*.yaml
	$(CHECKOV) --framework cloudformation -d deploy/cloudformation
	$(CHECKOV) --framework dockerfile -f deploy/Dockerfile

# Builds the image with podman (pillow-simd is compiled: several minutes, so not part of
# `make test`), then brings deploy/docker-compose.yml up and serves a contribution.
image: install
	@$(call apt,podman podman-compose runc debootstrap)
	$(PY) deploy/image.py build
	$(PY) -m pytest -m image -p no:cacheprovider

# A longer storm than the bounded one in `make test`: more visitors, more kills per
# service. CHAOS_SEED replays a run (each run prints its seed).
chaos: install
	CHAOS_VISITORS=$${CHAOS_VISITORS:-16} CHAOS_SECONDS=$${CHAOS_SECONDS:-120} \
		CHAOS_KILLS=$${CHAOS_KILLS:-3} CHAOS_VIDEO_SECONDS=$${CHAOS_VIDEO_SECONDS:-12} \
		$(PY) -m pytest -m chaos -s -p no:cacheprovider --timeout 900

# Speed figures the issues name, with ratios against their peers measured in the same run:
# ingest against plain Pillow and pyvips, render against the ffmpeg CLI (360p and 1080p),
# the renderer's fan-out with 1 and 2 encoder worker processes. Every bench runs; the
# target fails if any figure is missed.
BENCHES := bench/ingest.py bench/render.py bench/render_1080.py bench/fanout.py bench/latency.py \
	bench/realsize.py

bench: install
	@$(call apt,ffmpeg)
	@status=0; for script in $(BENCHES); do echo "== $$script"; $(PY) $$script || status=1; done; \
		exit $$status

# Issue 13's load goals: 50 visitors for 60 s through the whole visitor flow against the
# local stack, with locust in its own virtualenv (bench/load/run.py). LOAD_ARGS passes
# options through, e.g. make load LOAD_ARGS="-u 20 -t 30 --free-ports".
load: install
	$(PY) bench/load/run.py $(LOAD_ARGS)

# The API fuzzing of `make test`, with many more examples per operation (a longer run).
FUZZ_EXAMPLES ?= 500

fuzz: install
	FUZZ_MAX_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest tests/integration/test_api_fuzz.py \
		-o timeout=3600 -p no:cacheprovider

# Rewrites the settings tables in docs/ from the settings classes (a test fails when stale).
docs: install
	$(PY) deploy/settings_docs.py

fmt: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
