"""The README's load table from the JSON of benchmark runs (``--matrix --json PATH``, or
single runs): ``python -m tracker.bench.load.table run1.json run2.json run3.json``.

Each cell is a route's requests a second as a share of the plain route of the same run, then
its p99: the median of the files, with the shares' range when there are several. A second
table gives two workers' requests a second over one's, beside the most the machine's cores
allowed (from the CPU each request cost: see ``usage.ceiling``).
"""

from __future__ import annotations

import json
import statistics
import sys
from collections.abc import Iterable
from typing import Any

from tracker.bench.load.usage import ceiling

PLAIN = "plain route (/healthz)"
Key = tuple[int, int, int, bool]  # organisations, initiatives, workers, cold


def runs_of(path: str) -> dict[Key, dict[str, Any]]:
    with open(path) as file:
        data = json.load(file)
    runs = data["runs"] if "runs" in data else [data]
    return {(r["orgs"], r["initiatives"], r["workers"], bool(r["cold"])): r for r in runs}


def _median(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None and v == v]  # not NaN
    return statistics.median(present) if present else None


def _share(route: dict[str, Any] | None, write: bool = False) -> Any:
    """(share of the plain route, p99); for a route too slow to load, its figures alone."""
    if not route:
        return None
    if route.get("skipped"):
        return route.get("alone_ms", {})
    share = route["share_of_plain"]
    if write:  # the mixed board's writes: their own rate and p99
        share = share * route["write_rps"] / route["rps"] if route["rps"] else 0.0
        return share, route["write_p99"]
    return share, route["p99"]


def cell(values: list[Any], absolute: bool = False) -> str:
    seen = [v for v in values if isinstance(v, tuple)]
    if not seen:
        skipped = [v for v in values if isinstance(v, dict)]
        if skipped:  # too slow to load: what it took alone
            app = _median(s.get("app") for s in skipped) or 0.0
            cpu = _median(s.get("cpu") for s in skipped) or 0.0
            return f"not loaded: {app:,.0f} ms alone ({cpu:,.0f} ms CPU)"
        return "—"
    share = _median(s for s, _ in seen) or 0.0
    p99 = _median(p for _, p in seen) or 0.0
    low, high = min(s for s, _ in seen), max(s for s, _ in seen)
    if absolute:
        text = f"{share:,.0f}" + (f" ({low:,.0f}–{high:,.0f})" if len(seen) > 1 else "")
    else:
        text = f"{100 * share:.1f} %" + (
            f" ({100 * low:.1f}–{100 * high:.1f})" if len(seen) > 1 else ""
        )
    return f"{text} · {p99:.0f} ms"


def _columns(files: list[dict[Key, dict]]) -> list[tuple[int, int, int]]:
    return sorted(
        {(o, i, w) for runs in files for (o, i, w, _) in runs}, key=lambda c: (c[1], c[2])
    )


def _label(column: tuple[int, int, int]) -> str:
    orgs, initiatives, workers = column
    return f"{orgs}×{initiatives:,}, {workers} worker{'s' if workers > 1 else ''}"


def _routes(files: list[dict[Key, dict]]) -> list[str]:
    names: dict[str, None] = {}
    for runs in files:
        for run in runs.values():
            names.update(dict.fromkeys(run["routes"]))
    return [n for n in names if n != PLAIN]


def share_table(files: list[dict[Key, dict]]) -> list[str]:
    columns = _columns(files)
    out = [
        "| route | queries | " + " | ".join(_label(c) for c in columns) + " |",
        "|---|---|" + "---|" * len(columns),
    ]

    def values(column: tuple[int, int, int], cold: bool, name: str, write: bool = False):
        return [
            _share(runs.get((*column, cold), {}).get("routes", {}).get(name), write)
            for runs in files
        ]

    plain = [
        [
            (r["rps"], r["p99"])
            if (r := runs.get((*c, False), {}).get("routes", {}).get(PLAIN))
            else None
            for runs in files
        ]
        for c in columns
    ]
    out.append(f"| {PLAIN}: req/s · p99 | 0 | " + " | ".join(cell(v, True) for v in plain) + " |")
    for name in _routes(files):
        modes = (
            [(False, "")]
            if "mixed" in name or "POST" in name
            else [(False, ", kept"), (True, ", cold")]
        )
        for cold, suffix in modes:
            queries = next(
                (
                    str(run["routes"][name].get("queries", ""))
                    for runs in files
                    for (*_, run_cold), run in runs.items()
                    if run_cold == cold and name in run["routes"]
                ),
                "",
            )
            row = [cell(values(c, cold, name)) for c in columns]
            if any(v != "—" for v in row):
                out.append(f"| {name}{suffix} | {queries} | " + " | ".join(row) + " |")
            if "mixed" in name:
                row = [cell(values(c, cold, name, write=True)) for c in columns]
                out.append("| its writes (KPI measurement) |  | " + " | ".join(row) + " |")
    return out


def scaling_table(files: list[dict[Key, dict]]) -> list[str]:
    """Two workers' req/s over one's, per size and route; beside it the bound the cores set."""
    sizes = sorted({(o, i) for runs in files for (o, i, _, _) in runs}, key=lambda s: s[1])
    out = [
        "| route | "
        + " | ".join(f"{o}×{i:,}: 2 ÷ 1 worker (the cores' bound)" for o, i in sizes)
        + " |",
        "|---|" + "---|" * len(sizes),
    ]
    for name, cold in [
        (PLAIN, False),
        *(
            (n, c)
            for n in _routes(files)
            if "mixed" not in n and "POST" not in n
            for c in (False, True)
        ),
    ]:
        row = []
        for orgs, initiatives in sizes:
            ratios, bounds = [], []
            for runs in files:
                one = runs.get((orgs, initiatives, 1, cold), {}).get("routes", {}).get(name)
                two = runs.get((orgs, initiatives, 2, cold), {}).get("routes", {}).get(name)
                if not one or not two or one.get("skipped") or two.get("skipped"):
                    continue
                ratios.append(two["rps"] / one["rps"])
                if "usage" in one and "usage" in two:
                    machine = int(one["usage"]["cores"]["machine"])
                    bounds.append(
                        ceiling(two["usage"]["cpu_ms_per_request"], 2, machine)
                        / ceiling(one["usage"]["cpu_ms_per_request"], 1, machine)
                    )
            ratio, bound = _median(ratios), _median(bounds)
            row.append(
                "—" if ratio is None else f"{ratio:.2f}×" + (f" ({bound:.2f}×)" if bound else "")
            )
        if any(v != "—" for v in row):
            label = name if name == PLAIN else f"{name}, {'cold' if cold else 'kept'}"
            out.append(f"| {label} | " + " | ".join(row) + " |")
    return out


def main(paths: list[str]) -> None:
    if not paths:
        raise SystemExit(__doc__)
    files = [runs_of(p) for p in paths]
    print("\n".join(share_table(files)))
    print()
    print("\n".join(scaling_table(files)))


if __name__ == "__main__":
    main(sys.argv[1:])
