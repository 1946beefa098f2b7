"""Wilson score intervals for a proportion (Wilson 1927; Newcombe 1998 compares it with the
simple Wald interval, which is too narrow and can leave 0-1 for the small counts a clinic
has). Computed as Polars expressions so a whole table of rates is done at once.
"""

from __future__ import annotations

from statistics import NormalDist

import polars as pl

CONFIDENCE = 0.95
# The two-sided normal quantile: 1.959963984540054 for 95%.
Z = NormalDist().inv_cdf(1 - (1 - CONFIDENCE) / 2)


def wilson(count: int, n: int, *, z: float = Z) -> tuple[float, float] | None:
    """The Wilson score interval of ``count`` successes in ``n``; None when n is 0."""
    if n == 0:
        return None
    p = count / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * (p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5
    return max(centre - half, 0.0), min(centre + half, 1.0)


def with_rate(table: pl.DataFrame, *, count: str, n: str, z: float = Z) -> pl.DataFrame:
    """``table`` with ``rate``, ``low`` and ``high`` (the Wilson interval) of ``count`` in
    ``n``, all null where ``n`` is 0."""
    k, total = pl.col(count).cast(pl.Float64), pl.col(n).cast(pl.Float64)
    p = k / total
    z2 = z * z
    centre = (p + z2 / (2 * total)) / (1 + z2 / total)
    half = z / (1 + z2 / total) * (p * (1 - p) / total + z2 / (4 * total * total)).sqrt()
    known = pl.col(n) > 0
    return table.with_columns(
        rate=pl.when(known).then(p),
        low=pl.when(known).then(pl.max_horizontal(centre - half, pl.lit(0.0))),
        high=pl.when(known).then(pl.min_horizontal(centre + half, pl.lit(1.0))),
    )
