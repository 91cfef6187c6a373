# Sora Studio — the two commands a new machine needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
QT_APT_PACKAGES := libglib2.0-0 libgl1 libegl1 libxkbcommon0 libx11-6 libfreetype6 \
  libfontconfig1 libdbus-1-3 libpulse0 libxrandr2 libxkbcommon-x11-0 libxcb-cursor0 \
  libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0 libxcb-render0 \
  libxcb-shape0 libxcb-util1 libxcb-xkb1 xvfb xauth
export QT_LOGGING_RULES := qt.multimedia.ffmpeg*=false;qt.multimedia.symbolsresolver=false;qt.multimedia.playbackengine*=false

.PHONY: run test stress bench lint format typecheck chaos screenshot package package-test sysdeps venv clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	@touch $(STAMP)

venv: $(STAMP)

# Installs the system libraries Qt needs, when run as root and only those missing.
sysdeps:
	@missing=""; for p in $(QT_APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Qt system libraries:$$missing"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "Qt needs these system packages (run as root or: sudo apt-get install$$missing)"; \
	  fi; \
	fi

run: $(STAMP)
	$(BIN)/sora-studio

# Two workers: most of the suite waits on the sandbox and on real playback, not on the CPU.
test: $(STAMP) sysdeps
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -n 2

# The whole suite N times (default 5) beside two CPU-spinning processes; every failure by test id.
N ?= 5
stress: $(STAMP) sysdeps
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m tests.stress --runs $(N)

bench: $(STAMP) sysdeps
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m tests.benchmarks

chaos: $(STAMP) sysdeps
	SORA_CHAOS_FULL=1 QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q tests/reliability

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

screenshot: $(STAMP) sysdeps
	$(BIN)/python packaging/screenshot.py

package: $(STAMP)
	$(BIN)/pyinstaller --noconfirm --clean --distpath dist --workpath build packaging/sora-studio.spec

package-test: package sysdeps
	QT_QPA_PLATFORM=offscreen dist/sora-studio/sora-studio generate "A lighthouse at dusk, waves rolling in" --sandbox --duration 4 --data-dir "$$(mktemp -d)"

clean:
	rm -rf build dist .mypy_cache .ruff_cache
