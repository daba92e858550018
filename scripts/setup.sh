#!/usr/bin/env bash
# Set helixc up in ./.venv on a fresh machine (idempotent).
# torch is pinned first: a bare `torch` requirement would pull a multi-GB CUDA build,
# while torch==2.13.0 is the CPU build (see README, "Install").
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
# constraints.txt pins every dependency to the versions the suite last passed with, so a new
# upstream release cannot change a fresh machine's result (transformers 5.25 pulled in `kernels`).
pin=(-c constraints.txt)
if [ "${HELIXC_UNPINNED:-0}" = "1" ]; then pin=(); fi
.venv/bin/python -m pip install -q --disable-pip-version-check torch==2.13.0
.venv/bin/python -m pip install -q --disable-pip-version-check "${pin[@]}" -e '.[ml,serve,dev]'
