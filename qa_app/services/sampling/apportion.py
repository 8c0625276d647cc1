"""Proportional allocation of whole numbers (largest remainder / Hamilton method)."""

from collections.abc import Hashable, Mapping
from fractions import Fraction
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def largest_remainder(total: int, weights: Mapping[K, float | int]) -> dict[K, int]:
    """Split *total* into whole parts proportional to *weights*, summing exactly to *total*.

    Each part is its exact quota rounded down, and the units left over go to the largest
    remainders; ties go to the key that comes first in *weights* (callers pass a stable order).
    Exact fractions keep the result independent of floating-point rounding.
    """
    if total < 0:
        raise ValueError("total must not be negative")
    positive = {k: Fraction(w) for k, w in weights.items() if w > 0}
    if not positive:
        if total:
            raise ValueError("cannot apportion a positive total over zero weights")
        return dict.fromkeys(weights, 0)
    whole = sum(positive.values())
    quotas = {k: total * w / whole for k, w in positive.items()}
    parts = {k: int(q) for k, q in quotas.items()}  # floor: quotas are non-negative
    position = {k: i for i, k in enumerate(positive)}
    leftover = total - sum(parts.values())
    by_remainder = sorted(positive, key=lambda k: (-(quotas[k] - parts[k]), position[k]))
    for key in by_remainder[:leftover]:
        parts[key] += 1
    return {k: parts.get(k, 0) for k in weights}
