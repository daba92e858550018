"""Shared fixtures and the hypothesis profiles for the core test suite.

Profiles: ``ci`` (default; fast, no deadline: the machine is shared) and ``thorough``
(``HYPOTHESIS_PROFILE=thorough pytest ...``) for a longer local run.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=40,
    deadline=None,
    derandomize=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
settings.register_profile(
    "thorough",
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def all_notations():
    import helixc

    return helixc.notations()


@pytest.fixture(scope="session")
def helixc_env(tmp_path_factory):
    """Environment for running the console script in a subprocess: UTF-8 output and a bytecode
    cache in a temporary folder (this sandbox sets PYTHONDONTWRITEBYTECODE, which makes every
    start recompile helixc from source)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONIOENCODING="utf-8", PYTHONPYCACHEPREFIX=str(tmp_path_factory.mktemp("pycache")))
    return env


@pytest.fixture
def register():
    """register(module, name): a throwaway plugin for the test; everything registered is
    unregistered afterwards (a test may unregister one itself)."""
    import helixc
    from helixc.plugins import pm

    helixc.notations()  # entry points first, as a real session would
    done = []

    def _register(mod, name):
        pm.register(mod, name=name)
        done.append(mod)
        return mod

    yield _register
    for mod in done:
        if pm.is_registered(mod):
            pm.unregister(mod)
    helixc.notations()  # the built-ins alone are consistent again
