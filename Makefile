# Two commands for a fresh machine: `make demo` and `make test`. Both set up .venv first.
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell sha256sum pyproject.toml | cut -c1-12)
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_CLI_TELEMETRY := true

SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
.PHONY: setup browser test demo lint format bench synth clean

setup: $(STAMP)

# Browser tests drive Debian's Chromium (with Noto fonts for Odia and Devanagari) through
# Playwright; Playwright's own browser download is not used.
browser:
	@command -v chromium >/dev/null && test -d /usr/share/fonts/truetype/noto || \
	  ($(SUDO) apt-get install -y -q chromium fonts-noto-core >/dev/null 2>&1 || \
	   ($(SUDO) apt-get update -q >/dev/null && $(SUDO) apt-get install -y -q chromium fonts-noto-core >/dev/null))

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

test: setup browser
	$(VENV)/bin/ruff check .
	$(PY) -m mypy
	$(PY) -m pytest -n 2 --dist loadgroup -q --durations=15 -m "not own_process"
	$(PY) -m pytest -n 2 --dist loadgroup -q --durations=15 -m own_process

demo: setup
	$(PY) -m samvad demo --visits 600 --out out/demo

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m mypy

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: setup
	$(PY) -m samvad bench intake

synth: setup
	$(PY) infra/app.py

clean:
	rm -rf .build cdk.out out .pytest_cache
