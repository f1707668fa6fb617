"""The table of docs/load/pair_all.sh's output: per route, each code's req/s and CPU per
request over the rounds, and the new code's over the old code's."""

import collections
import sys

NAMES = {
    "/healthz": "plain route",
    "/o/load-0/": "portfolio board",
    "/o/load-0/initiatives/1": "initiative page",
    "/o/load-0/initiatives/1/matrix": "impact–urgency matrix",
    "/o/load-0/initiatives/1/heatmap": "risk heat map",
    "/o/load-0/reviews/500": "gate review page",
    "/o/load-0/kpis/1": "KPI page (52 weeks)",
    "/o/load-0/sop-versions/1": "SOP version page",
}


def figures(text: str) -> tuple[float, int]:
    """req/s and CPU µs of one side: "old 200 7393.29 6.22ms 135us"."""
    _, _, rps, _, cpu = text.split()
    return float(rps), int(cpu.removesuffix("us"))


def main(path: str) -> None:
    rows: dict[str, list[tuple[float, int, float, int]]] = collections.defaultdict(list)
    with open(path) as log:
        for line in log:
            parts = [p.strip() for p in line.split("|")]
            if len(parts) == 3:
                route = parts[0].split()[1]
                rows[route].append((*figures(parts[1]), *figures(parts[2])))
    print("| route | old: req/s; CPU µs a request | new: req/s; CPU µs | new ÷ old: req/s | CPU |")
    print("|---|---|---|---|---|")
    for route, rounds in rows.items():
        old = " · ".join(f"{r[0]:,.0f}" for r in rounds)
        new = " · ".join(f"{r[2]:,.0f}" for r in rounds)
        old_cpu = f"{min(r[1] for r in rounds)}–{max(r[1] for r in rounds)}"
        new_cpu = f"{min(r[3] for r in rounds)}–{max(r[3] for r in rounds)}"
        speed = [r[2] / r[0] for r in rounds]
        cpu = [r[3] / r[1] for r in rounds]
        print(
            f"| {NAMES.get(route, route)} | {old}; {old_cpu} | {new}; {new_cpu} "
            f"| {min(speed):.2f}–{max(speed):.2f} | {min(cpu):.2f}–{max(cpu):.2f} |"
        )


if __name__ == "__main__":
    main(sys.argv[1])
