"""Print topics.sh's results as a table; exit 1 if any response was not a 200 or a socket failed.

Input: a TSV of ``name <TAB> BENCH line under load <TAB> BENCH line of one connection``, the
BENCH lines being what report.lua prints (``BENCH -`` when the one-connection run was skipped),
and optionally ``<TAB> SQL statements of one GET`` (requests.sh), shown as a last column.
"""

import sys
import unicodedata


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def parse(line: str) -> dict:
    return dict(part.split("=", 1) for part in line.split()[1:] if "=" in part)


def main(path: str, slow_ms: float) -> int:
    rows, failed = [], False
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            name, loaded, solo, *queries = line.rstrip("\n").split("\t")
            m, s = parse(loaded), parse(solo)
            non200 = int(m["non200"]) + int(s.get("non200", 0))
            sockerr = int(m["sockerr"]) + int(s.get("sockerr", 0))
            note = ""
            if non200 or sockerr:
                note, failed = "FAILED", True
            elif float(m["p99"]) > slow_ms:
                note = f"p99 > {slow_ms:g} ms"
            rows.append(
                [name, m["rps"], m["p50"], m["p99"], str(non200), str(sockerr), s.get("p50", "-"), s.get("p99", "-")]
                + queries
                + [note]
            )
    head = ["page", "req/s", "p50 ms", "p99 ms", "non-200", "sockerr", "1-conn p50", "1-conn p99"]
    head += ["queries"] * (len(rows[0]) - len(head) - 1 if rows else 0) + [""]
    sizes = [max(width(row[i]) for row in [head] + rows) for i in range(len(head))]
    for row in [head] + rows:
        cells = [
            row[i] + " " * (sizes[i] - width(row[i])) if i == 0 else " " * (sizes[i] - width(row[i])) + row[i]
            for i in range(len(head) - 1)
        ]
        print("  ".join(cells) + ("  " + row[-1] if row[-1] else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], float(sys.argv[2])))
