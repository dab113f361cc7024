"""Percentiles and summaries of latency samples."""
from __future__ import annotations

from typing import Dict, Sequence


def percentile(values: Sequence[float], share: float) -> float:
    """Linear-interpolated percentile (share in 0..100); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = (len(ordered) - 1) * share / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def latency_summary_ms(values_ms: Sequence[float]) -> Dict[str, float]:
    return {
        "p50_ms": round(percentile(values_ms, 50), 1),
        "p95_ms": round(percentile(values_ms, 95), 1),
        "p99_ms": round(percentile(values_ms, 99), 1),
        "n": len(values_ms),
    }
