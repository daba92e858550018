"""Build hook for the compiled parts of helixc: the LC-B codec core (plugins/lc_b/_lcb_native.c) and the
text notations' tokenizer (plugins/_textlex_native.c, the same token lists as their quick patterns).

Everything else (metadata, packages, data) is in pyproject.toml. The extension is optional:
where no C compiler (or no Python headers) is found, `pip install` still succeeds and
helixc_plugins.lc_b runs its pure-Python codec. HELIXC_NO_NATIVE_BUILD=1 skips the build;
HELIXC_NO_NATIVE=1 at run time ignores a built core (README, "Codec").
"""

import os

from setuptools import Extension, setup

ext_modules = []
if os.environ.get("HELIXC_NO_NATIVE_BUILD", "") in ("", "0"):
    ext_modules.append(
        Extension(
            "helixc_plugins.lc_b._lcb_native",
            sources=["plugins/lc_b/_lcb_native.c"],
            optional=True,  # a failed compile is a warning, not a failed install
            extra_compile_args=["-O3"] if os.name == "posix" else [],
        )
    )
    ext_modules.append(  # the text notations' token strings (= their quick patterns' findall)
        Extension(
            "helixc_plugins._textlex_native",
            sources=["plugins/_textlex_native.c"],
            optional=True,
            extra_compile_args=["-O3"] if os.name == "posix" else [],
        )
    )

setup(ext_modules=ext_modules)
