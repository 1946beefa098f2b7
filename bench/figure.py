"""One measured figure beside its ceiling, and the small timing helpers every benchmark shares."""

from __future__ import annotations

import gc
import resource
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")
KIB_PER_MIB = 1024


@dataclass(frozen=True)
class Figure:
    """A figure and the ceiling measured beside it in the same run, in the same unit.

    ``slower`` says whether a larger value is worse (a latency) or better (a rate); ``cost``
    is then how many times the ceiling's cost the figure is, so 1 means as fast as the ceiling
    and 20 means twenty times its time per item.
    """

    section: str
    name: str
    value: float
    unit: str
    ceiling: float | None = None
    ceiling_name: str = ""
    larger_is_slower: bool = False
    notes: str = ""

    @property
    def cost(self) -> float | None:
        if self.ceiling is None or self.value <= 0 or self.ceiling <= 0:
            return None
        return self.value / self.ceiling if self.larger_is_slower else self.ceiling / self.value


def timed(step: Callable[[], T]) -> tuple[T, float]:
    """The step's value and its wall-clock seconds, after a full collection."""
    gc.collect()
    start = time.perf_counter()
    value = step()
    return value, time.perf_counter() - start


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile of samples already sorted."""
    return samples[min(len(samples) - 1, max(0, round(fraction * len(samples)) - 1))]


def peak_rss_mib() -> float:
    """The process's peak resident set size so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / KIB_PER_MIB
