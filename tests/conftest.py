"""Settings of the unit tests.

hypothesis: the profile "ci" (the default) runs the same examples on every run
(``derandomize``), without a time limit per example and without a database of failures,
so that CI is deterministic; ``HYPOTHESIS_PROFILE=explore`` draws new, and more, examples
(a failure there prints how to reproduce it, and shrinks as any).
"""
import os

from hypothesis import settings

settings.register_profile("ci", max_examples=25, derandomize=True, deadline=None, database=None)
settings.register_profile("explore", max_examples=500, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
