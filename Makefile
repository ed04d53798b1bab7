# One Frame Of Fame. `make run` starts the embedded local stack; `make test` runs every test.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
# Headers pillow-simd builds against (JPEG, zlib, WebP) and what the tests need.
APT_PACKAGES := libjpeg-dev zlib1g-dev libwebp-dev
STAMP := $(VENV)/.installed

.PHONY: install sysdeps run test check fmt lock bench

install: $(STAMP)

sysdeps:
	@dpkg -s $(APT_PACKAGES) >/dev/null 2>&1 || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES))

$(STAMP): requirements.lock pyproject.toml | sysdeps
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q 'uv==0.13.9'
	$(UV) pip install -q -p $(PY) --no-binary pillow-simd -r requirements.lock
	$(UV) pip install -q -p $(PY) --no-deps -e .
	$(PY) -m shared.pillow_check
	touch $@

lock:
	$(UV) pip compile -q pyproject.toml --extra dev -p 3.11 -o requirements.lock

run: install
	$(PY) deploy/devstack.py run

test: install
	$(PY) -m pytest

check: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(PY) -m pytest

# Every script in bench/ in turn; the render bench compares against the ffmpeg CLI.
bench: install
	@dpkg -s ffmpeg >/dev/null 2>&1 || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ffmpeg)
	@for script in bench/*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

fmt: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
