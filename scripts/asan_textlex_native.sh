#!/usr/bin/env bash
# Memory-safety check of the text notations' C paths (plugins/_textlex_native.c: tokenizers, the
# scans' loop, the quick parsers' value builder): build it with AddressSanitizer +
# UndefinedBehaviorSanitizer into a temp dir, load it as helixc_plugins._textlex_native before the
# notations import it, and run the hostile-input tests and the native-vs-Python differential tests
# (tests/test_hostile.py, tests/test_native_quick.py) against that build. Python's own allocator is
# off (PYTHONMALLOC=malloc) so ASan sees every object's bounds. The speed and memory tests are left
# out (ASan is slow and keeps freed memory in quarantine).
# Exit status: pytest's; any sanitizer report is printed and makes it non-zero.
#   bash scripts/asan_textlex_native.sh        (gcc or clang; about a minute on 2 cores)
#   TEXTLEX_SRC=mutant.c bash scripts/asan_textlex_native.sh   (check that the check can fail)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
CC_=${CC:-gcc}
SRC=${TEXTLEX_SRC:-plugins/_textlex_native.c}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
inc=$("$PY" -c "import sysconfig; print(sysconfig.get_paths()['include'])")
ext=$("$PY" -c "import sysconfig; print(sysconfig.get_config_var('EXT_SUFFIX'))")
so="$out/_textlex_native$ext"
"$CC_" -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined \
  -fPIC -shared -Wall -I"$inc" "$SRC" -o "$so"
libasan=$("$CC_" -print-file-name=libasan.so)
rc=0
LD_PRELOAD="$libasan" ASAN_OPTIONS="detect_leaks=0:log_path=$out/asan" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$out/ubsan" PYTHONMALLOC=malloc \
  "$PY" - "$so" <<'PYEOF' || rc=$?
import importlib.util
import sys

spec = importlib.util.spec_from_file_location("helixc_plugins._textlex_native", sys.argv[1])
m = importlib.util.module_from_spec(spec)
sys.modules["helixc_plugins._textlex_native"] = m  # before the notations import it
spec.loader.exec_module(m)
import pytest  # noqa: E402

rc = pytest.main(["tests/test_hostile.py", "tests/test_native_quick.py", "-q", "-p", "no:warnings", "-p", "no:cacheprovider",
                  "-k", "not megabyte_is_fast and not small_multiple and not ten_megabyte"])
from helixc import textscan  # noqa: E402

assert textscan._native() is m, "the sanitized build was not the one tested"
print("tested the sanitized build:", m.__file__)
sys.exit(rc)
PYEOF
if compgen -G "$out/asan*" > /dev/null || compgen -G "$out/ubsan*" > /dev/null; then
  (cat "$out"/asan* "$out"/ubsan* 2>/dev/null || true) | head -80 || true
  echo "sanitizer reports above"
  exit 1
fi
echo "no sanitizer reports (rc=$rc)"
exit $rc
