"""One worker against two, fairly on a shared machine (``--scaling ROUNDS``): both servers run
side by side on the same database and take turns under wrk, round after round, so whatever
else the machine runs meanwhile falls on both alike. Prints, per route, the median of each
round's two-over-one ratio, and the bound the cores set from the CPU each request cost."""

from __future__ import annotations

import argparse
import statistics
from contextlib import ExitStack
from typing import Any

import httpx

from tracker.bench.load.drive import WARM_UP, wrk
from tracker.bench.load.usage import Usage, ceiling, describe


def compare(
    args: argparse.Namespace, env: dict[str, str], pages: dict[str, str], cookie: str
) -> dict[str, Any]:
    from tracker.bench.load.__main__ import serving

    counts = (1, args.workers if args.workers > 1 else 2)
    results: dict[str, Any] = {}
    with ExitStack() as stack:
        servers = [stack.enter_context(serving(env, n)) for n in counts]
        csrf = httpx.get(f"{servers[0].base}/login").cookies["csrftoken"]
        cookies = [f"{cookie}; csrftoken={csrf}"] * 2
        print(
            f"\n{counts[0]} worker against {counts[1]}, side by side, {args.scaling} rounds "
            f"of wrk -c{args.connections} -d{args.duration}s on each in turn\n"
        )
        for name, path in pages.items():
            if args.only and args.only not in name and not name.startswith("plain"):
                continue
            for server, c in zip(servers, cookies, strict=True):
                wrk(f"{server.base}{path}", c, WARM_UP, args.connections)  # not counted
            rounds: list[list[dict[str, Any]]] = [[], []]
            for _ in range(args.scaling):
                for k, (server, c) in enumerate(zip(servers, cookies, strict=True)):
                    usage = Usage(server.pid, server.database_url)
                    usage.start()
                    result = wrk(f"{server.base}{path}", c, args.duration, args.connections)
                    result["usage"] = usage.stop(result["requests"])
                    del result["output"]
                    rounds[k].append(result)
            ratios = [b["rps"] / a["rps"] for a, b in zip(*rounds, strict=True)]
            per = [
                {
                    part: statistics.median(r["usage"]["cpu_ms_per_request"][part] for r in side)
                    for part in ("app", "db", "wrk")
                }
                for side in rounds
            ]
            machine = int(rounds[0][0]["usage"]["cores"]["machine"])
            bound = ceiling(per[1], counts[1], machine) / ceiling(per[0], 1, machine)
            others = statistics.median(
                r["usage"]["cores"]["others"] for side in rounds for r in side
            )
            print(
                f"{name:<28} {counts[1]} ÷ 1 worker: {statistics.median(ratios):.2f}× "
                f"(rounds: {', '.join(f'{r:.2f}' for r in ratios)}); the cores' bound "
                f"{bound:.2f}×; others on the machine {others:.2f} cores",
                flush=True,
            )
            for side in rounds:
                print(describe(side[-1]["usage"]), flush=True)
            results[name] = {
                "ratio": statistics.median(ratios),
                "rounds": ratios,
                "bound": bound,
                "others_cores": others,
                "one": rounds[0],
                "more": rounds[1],
            }
    return results
