"""Pure rules of the server-rendered charts: round ("nice") tick values for a value axis."""

from __future__ import annotations

import math

NICE_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)


def nice_step(raw: float) -> float:
    """The step of the form 1, 2, 2.5 or 5 × 10ⁿ nearest to ``raw`` (by ratio)."""
    if raw <= 0 or not math.isfinite(raw):
        raise ValueError(f"a step must be a positive number, not {raw!r}")
    power = 10.0 ** math.floor(math.log10(raw))
    return min((f * power for f in NICE_STEPS), key=lambda step: abs(math.log(step / raw)))


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values from at or below ``low`` to at or above ``high``, about ``count`` of
    them (never fewer than 2) and evenly spaced by a step of 1, 2, 2.5 or 5 × 10ⁿ:
    ``nice_ticks(2.065, 4.285)`` is ``[2.0, 2.5, 3.0, 3.5, 4.0, 4.5]``. A range of one value
    gets a tick on each side of it."""
    if count < 2:
        raise ValueError("an axis needs at least two ticks")
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError("tick bounds must be finite numbers")
    low, high = min(low, high), max(low, high)
    if high == low:
        spread = abs(low) * 0.1 or 1.0
        low, high = low - spread, high + spread
    step = nice_step((high - low) / (count - 1))
    first = math.floor(low / step + 1e-9) * step
    last = math.ceil(high / step - 1e-9) * step
    decimals = max(0, -math.floor(math.log10(step)) + 1)
    steps = round((last - first) / step)
    return [round(first + k * step, decimals) + 0.0 for k in range(steps + 1)]
