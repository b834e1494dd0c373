"""Confidence intervals, from scipy.stats: Wilson for success rates, percentile bootstrap for means and paired
differences. The one place the recipe, the reports and the benches take their intervals from."""

from __future__ import annotations

from typing import Sequence

import numpy as np
from scipy import stats


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a binomial rate; ``(0, 1)`` when ``n == 0`` (nothing is known)."""
    _check_confidence(confidence)
    if n < 0 or successes < 0 or successes > n:
        raise ValueError(f"need 0 <= successes <= n, got {successes}/{n}")
    if n == 0:
        return 0.0, 1.0
    ci = stats.binomtest(int(successes), int(n)).proportion_ci(confidence, method="wilson")
    return float(ci.low), float(ci.high)


def bootstrap_mean_ci(values: Sequence[float], n_boot: int = 2000, confidence: float = 0.95,
                      seed: int = 0) -> tuple[float, float, float]:
    """(mean, low, high): the mean of ``values`` and its percentile-bootstrap interval (resampling values)."""
    _check_confidence(confidence)
    x = np.asarray(values, dtype=float)
    if x.size == 0:
        return float("nan"), float("nan"), float("nan")
    if np.all(x == x[0]):  # no spread, no width (scipy would warn that the data are degenerate)
        return float(x[0]), float(x[0]), float(x[0])
    ci = stats.bootstrap((x,), np.mean, n_resamples=n_boot, confidence_level=confidence, method="percentile",
                         rng=np.random.default_rng(seed)).confidence_interval
    return float(x.mean()), float(ci.low), float(ci.high)


def paired_bootstrap_diff(a: Sequence[float], b: Sequence[float], n_boot: int = 2000, confidence: float = 0.95,
                          seed: int = 0) -> tuple[float, float, float]:
    """Mean of ``b - a`` over paired units (tasks, episodes) with its percentile-bootstrap interval (resampling
    pairs)."""
    a_arr, b_arr = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a_arr.shape != b_arr.shape:
        raise ValueError(f"paired samples must have the same length, got {a_arr.size} and {b_arr.size}")
    return bootstrap_mean_ci(b_arr - a_arr, n_boot=n_boot, confidence=confidence, seed=seed)
