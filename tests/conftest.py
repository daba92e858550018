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
    max_examples=60,
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
