"""The job names in the order `sync` runs them: a module of its own, light enough for the
command line's help text (jobs/steps.py imports the whole application)."""

from __future__ import annotations

STEP_NAMES = ("follow", "arxiv", "enrich", "index", "vectors", "digests")
