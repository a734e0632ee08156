"""Per-function instruction counts from a callgrind output file, for the bench/*_callgrind.sh
scripts (one reader instead of a copy in each script).

load(path, event="Ir") -> (self_cost, inclusive, calls): dicts keyed by demangled function name;
self_cost[f] is f's own count of `event` (instructions by default; with callgrind's
--cache-sim=yes also e.g. "DLmr", last-level read misses), inclusive[f] its own plus those of
its callees (recursive calls counted once), calls[f] how many times f was called.
callgrind_annotate gives the same figures, but not in a form a script can divide by an article
count.
"""
import re
from collections import defaultdict


def load(path, event="Ir"):
    names = {}
    column = 1  # the event's column in a cost line (after the position)
    self_cost, incl_calls, calls = defaultdict(int), defaultdict(int), defaultdict(int)

    def name(spec):
        # Compressed names: "(id) name" the first time, "(id)" after.
        m = re.match(r"\((\d+)\)(?: (.*))?", spec)
        if not m:
            return spec
        if m.group(2) is not None:
            names[m.group(1)] = m.group(2)
        return names[m.group(1)]

    fn = cfn = None
    pending_call = 0
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("events:"):
                column = 1 + line.split()[1:].index(event)
            elif line.startswith("fn="):
                fn = name(line[3:])
            elif line.startswith("cfn="):
                cfn = name(line[4:])
            elif line.startswith("calls="):
                pending_call = int(line[6:].split()[0])
            elif line and (line[0].isdigit() or line[0] in "+-*"):
                parts = line.split()
                cost = int(parts[column]) if len(parts) > column else 0
                if pending_call:
                    if cfn != fn:  # recursion: counted once
                        incl_calls[fn] += cost
                    calls[cfn] += pending_call
                    pending_call = 0
                else:
                    self_cost[fn] += cost
    inclusive = {f: self_cost[f] + incl_calls[f] for f in set(self_cost) | set(incl_calls)}
    return self_cost, inclusive, calls


def print_top(self_cost, inclusive, per, top, digits):
    """The `top` functions by inclusive and by self count, in K instructions per `per` (articles)
    with `digits` decimals."""
    print(f"\ntop {top} functions by inclusive count (K per article, self K per article):")
    for f, v in sorted(inclusive.items(), key=lambda x: -x[1])[:top]:
        print(f"  {v / per / 1000:8.{digits}f} {self_cost[f] / per / 1000:8.{digits}f}  {f[:110]}")
    print(f"\ntop {top} functions by self count (K per article):")
    for f, v in sorted(self_cost.items(), key=lambda x: -x[1])[:top]:
        print(f"  {v / per / 1000:8.{digits}f}  {f[:110]}")
