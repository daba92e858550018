#!/usr/bin/env bash
# Memory-safety check of the native LC-B core (plugins/lc_b/_lcb_native.c): build it with
# AddressSanitizer + UndefinedBehaviorSanitizer into a temp dir and run the differential tests
# (tests/test_lcb_native.py, tests/test_differential.py) against that build. Python's own
# allocator is switched off (PYTHONMALLOC=malloc) so ASan sees every object's bounds.
# (The RSS leak loop is left out: ASan keeps freed memory in quarantine.)
# Exit status: pytest's; any sanitizer report is printed and makes it non-zero.
#   bash scripts/asan_lcb_native.sh            (gcc or clang; ~30 s on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
CC_=${CC:-gcc}
SRC=${LCB_SRC:-plugins/lc_b/_lcb_native.c}  # another source (a mutant) to check that the check can fail
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
inc=$("$PY" -c "import sysconfig; print(sysconfig.get_paths()['include'])")
ext=$("$PY" -c "import sysconfig; print(sysconfig.get_config_var('EXT_SUFFIX'))")
so="$out/_lcb_native$ext"
"$CC_" -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined \
  -fPIC -shared -Wall -I"$inc" "$SRC" -o "$so"
libasan=$("$CC_" -print-file-name=libasan.so)
rc=0
LD_PRELOAD="$libasan" ASAN_OPTIONS="detect_leaks=0:log_path=$out/asan" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$out/ubsan" PYTHONMALLOC=malloc \
  "$PY" - "$so" <<'EOF' || rc=$?
import importlib.util
import sys

spec = importlib.util.spec_from_file_location("helixc_plugins.lc_b._lcb_native", sys.argv[1])
m = importlib.util.module_from_spec(spec)
sys.modules["helixc_plugins.lc_b._lcb_native"] = m  # before helixc_plugins.lc_b imports it
spec.loader.exec_module(m)
import pytest  # noqa: E402

rc = pytest.main(["tests/test_lcb_native.py", "tests/test_differential.py", "-q", "-p", "no:warnings",
                  "-p", "no:cacheprovider", "-k", "not leaks and not builds and not failing_compiler and not cannot_be_imported"
                  " and not fallback_without"])
from helixc_plugins import lc_b  # noqa: E402

assert lc_b.NATIVE is m, "the sanitized build was not the one tested"
print("tested the sanitized build:", m.__file__)
sys.exit(rc)
EOF
if compgen -G "$out/asan*" > /dev/null || compgen -G "$out/ubsan*" > /dev/null; then
  (cat "$out"/asan* "$out"/ubsan* 2>/dev/null || true) | head -80 || true
  echo "sanitizer reports above"
  exit 1
fi
echo "no sanitizer reports (rc=$rc)"
exit $rc
