#!/usr/bin/env python3
"""Quantiles of Prometheus histograms between two scrapes of newsflow's /metrics.

    histogram_quantiles.py BEFORE AFTER [--all]

BEFORE and AFTER hold the `*_bucket` lines of two scrapes. For each histogram series the
delta (after - before) is taken, and p50/p99/p99.9 are interpolated linearly within the
bucket that holds the rank, as Prometheus' histogram_quantile() does, so a figure is only as
fine as the bucket bounds around it. Prints the end-to-end latency on one line
(`histogram_count=... histogram_p50_ms=...`); with --all, one more line per other series
(latency phases, stage durations). Used by bench/latency_bench.sh.
"""
import re
import sys

BUCKET = re.compile(r'(newsflow_\w+)_bucket\{(.*?)le="([^"]+)"\} (\S+)')


def read(path):
    series = {}
    with open(path) as f:
        for line in f:
            m = BUCKET.match(line)
            if not m:
                continue
            labels = m.group(2).rstrip(",")
            name = m.group(1).replace("newsflow_", "").replace("_seconds", "")
            if labels:
                name += "{" + labels + "}"
            le = float("inf") if m.group(3) == "+Inf" else float(m.group(3))
            series.setdefault(name, {})[le] = float(m.group(4))
    return series


def quantiles(before, after):
    les = sorted(after)
    cum = [after[le] - before.get(le, 0.0) for le in les]
    total = cum[-1]
    out = [f"count={total:.0f}"]
    if total == 0:
        return out
    for q, qname in ((0.5, "p50"), (0.99, "p99"), (0.999, "p999")):
        rank = q * total
        prev_le, prev_c = 0.0, 0.0
        for le, c in zip(les, cum):
            if c >= rank:
                if le == float("inf"):
                    value = prev_le
                else:
                    share = (rank - prev_c) / (c - prev_c) if c > prev_c else 1.0
                    value = prev_le + (le - prev_le) * share
                out.append(f"{qname}_ms={value * 1000:.2f}")
                break
            prev_le, prev_c = le, c
    return out


def main():
    before, after = read(sys.argv[1]), read(sys.argv[2])
    e2e = [name for name in after if name.startswith("end_to_end_latency")]
    if e2e:
        print(" ".join("histogram_" + x for x in quantiles(before.get(e2e[0], {}), after[e2e[0]])))
    if "--all" in sys.argv[3:]:
        for name in sorted(after):
            if name.startswith("end_to_end"):
                continue
            print("  " + name + " " + " ".join(quantiles(before.get(name, {}), after[name])))


if __name__ == "__main__":
    main()
