"""Print city.sh's results as one table, the fractions side by side; exit 1 if any response was
not the expected one (200, or the redirect after a ballot) or a socket failed.

Input: a TSV of ``fraction <TAB> page <TAB> who <TAB> BENCH of the page <TAB> BENCH of the bare
endpoint before it <TAB> BENCH of the bare endpoint after it <TAB> SQL statements`` (BENCH lines
as report.lua / vote.lua print them). A page's share is its req/s over the mean of the two bare
runs around it. The targets of issue 14 are checked and failures marked, never enforced: public
pages ≥ 0.50 of the bare endpoint, logged-in pages ≥ 0.35, the vote POST ≥ 0.25; ≤ 6 SQL
statements (0 for a cached public page is the design, not checked here); p99 ≤ 100 ms; p50 at
the largest fraction ≤ 1.3 × p50 at the smallest.
"""

import sys
import unicodedata
from collections import defaultdict


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def parse(line: str) -> dict:
    return dict(part.split("=", 1) for part in line.split()[1:] if "=" in part)


def target(who: str) -> float:
    return {"visitor": 0.50, "voters": 0.25}.get(who, 0.35)


def main(path: str) -> int:
    results: dict[str, dict[str, dict]] = defaultdict(dict)
    order: list[str] = []
    fractions: list[str] = []
    failed = False
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            fraction, name, who, page, before, after, queries = line.rstrip("\n").split("\t")
            p, b0, b1 = parse(page), parse(before), parse(after)
            bare = (float(b0["rps"]) + float(b1["rps"])) / 2
            bad = int(p["non200"]) + int(p["sockerr"])
            failed = failed or bad > 0
            results[name][fraction] = {
                "who": who,
                "share": float(p["rps"]) / bare if bare else 0.0,
                "rps": float(p["rps"]),
                "bare": bare,
                "p50": float(p["p50"]),
                "p99": float(p["p99"]),
                "queries": queries,
                "bad": bad,
            }
            if name not in order:
                order.append(name)
            if fraction not in fractions:
                fractions.append(fraction)
    head = ["page", "who"]
    for f in fractions:
        label = f"{float(f) * 100:g}%"
        head += [f"{label} share", "req/s", "SQL", "p50 ms", "p99 ms"]
    if len(fractions) > 1:
        head.append("p50 ratio")
    head.append("")
    rows = []
    for name in order:
        cells = [name, next(iter(results[name].values()))["who"]]
        notes = []
        for f in fractions:
            r = results[name].get(f)
            if r is None:
                cells += ["-"] * 5
                continue
            cells += [f"{r['share']:.2f}", f"{r['rps']:.0f}", r["queries"], f"{r['p50']:.1f}", f"{r['p99']:.1f}"]
            label = f"{float(f) * 100:g}%"
            if r["bad"]:
                notes.append(f"{label}: {r['bad']} failed")
            if r["share"] < target(r["who"]):
                notes.append(f"{label}: share < {target(r['who']):.2f}")
            if r["queries"].isdigit() and int(r["queries"]) > 6:
                notes.append(f"{label}: SQL > 6")
            if r["p99"] > 100:
                notes.append(f"{label}: p99 > 100 ms")
        if len(fractions) > 1:
            small, large = results[name].get(fractions[0]), results[name].get(fractions[-1])
            if small and large and small["p50"]:
                ratio = large["p50"] / small["p50"]
                cells.append(f"{ratio:.2f}")
                if ratio > 1.3:
                    notes.append("p50 ratio > 1.3")
            else:
                cells.append("-")
        cells.append("; ".join(notes))
        rows.append(cells)
    sizes = [max(width(row[i]) for row in [head] + rows) for i in range(len(head) - 1)]
    for row in [head] + rows:
        out = [
            row[i] + " " * (sizes[i] - width(row[i])) if i < 2 else " " * (sizes[i] - width(row[i])) + row[i]
            for i in range(len(head) - 1)
        ]
        print("  ".join(out) + ("  " + row[-1] if row[-1] else ""))
    bares = ", ".join(
        f"{float(f) * 100:g}%: {min(r[f]['bare'] for r in results.values() if f in r):.0f}–"
        f"{max(r[f]['bare'] for r in results.values() if f in r):.0f} req/s"
        for f in fractions
    )
    print(f"bare endpoint (the limit, measured between pages): {bares}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
