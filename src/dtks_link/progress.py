"""Progress of long work: the seconds each stage took, reported as it ends.

One reporter serves every run that goes in stages (:func:`dtks_link.link`, a registry's ingest):
it keeps ``timings`` (stage -> seconds) and, when asked, prints each stage to stderr or hands it
to a callback ``(stage, seconds, detail)``.

>>> seen = []
>>> stages = Stages.reporting(lambda stage, seconds, detail: seen.append((stage, detail)))
>>> with stages.stage("read") as s:
...     s.detail = "3 records"
>>> seen, list(stages.timings)
([('read', '3 records')], ['read'])
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["ProgressCallback", "Stages", "print_progress"]

ProgressCallback = Callable[[str, float, str], None]
"""Called as each stage ends: ``(stage, seconds, detail)``."""


def print_progress(stage: str, seconds: float, detail: str) -> None:
    """Print one stage's time to stderr (``progress=True``)."""
    print(f"[dtks-link] {stage:<12} {seconds:7.2f} s  {detail}".rstrip(), file=sys.stderr, flush=True)


class Stages:
    """Times the stages of one run and reports each as it ends.

    ``prefix`` is put before every stage name reported (``"ingest "``); ``timings`` holds the
    plain names."""

    def __init__(self, callback: ProgressCallback | None = None, *, prefix: str = "") -> None:
        self.timings: dict[str, float] = {}
        self.callback = callback
        self.prefix = prefix
        #: What the stage under way did, reported with its time (set it inside :meth:`stage`).
        self.detail = ""
        self._clock = time.perf_counter()

    @classmethod
    def reporting(cls, progress: bool | ProgressCallback | None, *, prefix: str = "") -> Stages:
        """A reporter for a ``progress`` argument: ``True`` prints to stderr, a callback is
        called, ``False`` or ``None`` only keeps the timings."""
        callback = print_progress if progress is True else (progress or None)
        return cls(callback, prefix=prefix)

    def _report(self, name: str, seconds: float) -> None:
        self.timings[name] = seconds
        if self.callback is not None:
            self.callback(self.prefix + name, seconds, self.detail)

    @contextmanager
    def stage(self, name: str) -> Iterator[Stages]:
        """Time the block as stage ``name``."""
        self.detail = ""
        start = time.perf_counter()
        yield self
        self._report(name, time.perf_counter() - start)
        self._clock = time.perf_counter()

    def lap(self, name: str, detail: str = "") -> None:
        """End stage ``name``: the time since the previous stage ended (or the reporter began)."""
        now = time.perf_counter()
        self.detail = detail
        self._report(name, now - self._clock)
        self._clock = time.perf_counter()
