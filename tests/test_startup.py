"""Translation between notations must stay light: no torch, transformers or peft imports."""

import subprocess
import sys

HEAVY = ("torch", "transformers", "peft", "bitsandbytes", "numpy", "starlette")

SCRIPT = """
import sys
from helixc.cli import cli
try:
    cli(["translate", "--to", "lc-r", "--text", "[1, {a: 2}]"], standalone_mode=False)
finally:
    heavy = sorted(m for m in sys.modules if m.split(".")[0] in HEAVY_SET)
    print("HEAVY:" + ",".join(heavy))
"""


def test_notation_translation_imports_no_ml_library():
    out = subprocess.run([sys.executable, "-c", SCRIPT.replace("HEAVY_SET", repr(set(HEAVY)))], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines()[0] == "🜃1, ◇a: 2◆🜄"
    assert out.stdout.splitlines()[-1] == "HEAVY:"
