"""Hypothesis profiles: "ci" (default, short) and "long" (HYPOTHESIS_PROFILE=long, for a night run).

HYPOTHESIS_MAX_EXAMPLES=N sets the long profile's examples per test (500 unless told), for a run
that must fit a time budget on a shared machine.

The tests run with the function-scoped `zone` fixture: every example of one test shares that zone,
and each example rolls its own writes back (see tests/test_fuzz.py).
"""

import os

from hypothesis import HealthCheck, settings

COMMON = {
    "deadline": None,  # a page render under CI load is no timing bug
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}
# CI draws the same examples on every run (a red build is reproducible, never a fluke of the draw);
# "long" explores new ones each time and remembers failures in .hypothesis/.
settings.register_profile("ci", max_examples=15, derandomize=True, database=None, **COMMON)
settings.register_profile("long", max_examples=int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", 500)), **COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
