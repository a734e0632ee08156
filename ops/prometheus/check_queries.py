"""Evaluates PromQL against a running Prometheus and fails on any expression without data.

  check_queries.py PROM_URL DASHBOARD.json RULES.yaml START [ALERT=LABEL:VALUE[,LABEL:VALUE]...]
                   KEY=VALUE...

KEY=VALUE pairs substitute dashboard variables ($namespace, $pod, $topic, $__rate_interval...).
START is the Unix time the data begins: range targets are queried like Grafana does, over
START..now (1 s step), instant targets at now. Checks, each printed with its result:
  - every target expression of every dashboard panel returns at least one series with at least
    one number (not NaN);
  - every alert named as ALERT=LABEL:VALUE[,LABEL:VALUE...] (e.g.
    NewsflowDeliveryFailures=pod:newsflow-test-1,topic:news.stories; an alert may be named more
    than once) fired during the window for a series with those label values;
  - every query variable (label_values(SELECTOR, LABEL)) lists a value the regular expression
    given for it matches;
  - every recording rule's series exists for the given namespace;
  - every newsflow_* metric name in the dashboard and the rules is known to Prometheus (in its
    metadata, which covers counters with no series yet, e.g. newsflow_delivery_failures_total).
Exits 1 if any check fails.
"""
import json
import math
import re
import sys
import urllib.parse
import urllib.request

import yaml


def get(base, path, **params):
    url = f"{base}{path}?{urllib.parse.urlencode(params, doseq=True)}"
    with urllib.request.urlopen(url, timeout=10) as r:
        body = json.load(r)
    if body.get("status") != "success":
        raise RuntimeError(f"{path}: {body}")
    return body["data"]


def substitute(expr, subs):
    for key in sorted(subs, key=len, reverse=True):
        expr = expr.replace("$" + key, subs[key]).replace("${" + key + "}", subs[key])
    return expr


def main(argv):
    base, dashboard_path, rules_path, start = argv[:4]
    alerts = [a.split("=", 1) for a in argv[4:] if a[:1].isupper()]
    subs = dict(a.split("=", 1) for a in argv[4:] if not a[:1].isupper())
    end = f"{__import__('time').time():.3f}"
    dash = json.load(open(dashboard_path))
    rules = yaml.safe_load(open(rules_path))
    failures, names = [], set()

    for panel in dash["panels"]:
        for target in panel.get("targets") or []:
            expr = substitute(target["expr"], subs)
            names.update(re.findall(r"\b(newsflow_[a-z_]+)", target["expr"]))
            try:
                if target.get("instant"):
                    result = get(base, "/api/v1/query", query=expr, time=end)["result"]
                    values = [float(s["value"][1]) for s in result]
                else:
                    result = get(base, "/api/v1/query_range", query=expr, start=start, end=end,
                                 step="1")["result"]
                    # the last number of each series (NaN if it has none)
                    values = [next((float(v) for _, v in reversed(s["values"])
                                    if not math.isnan(float(v))), math.nan) for s in result]
            except Exception as e:  # a PromQL syntax error comes back as HTTP 400
                failures.append(f"panel '{panel['title']}': {expr}: {e}")
                continue
            numbers = [v for v in values if not math.isnan(v)]
            shown = ", ".join(f"{v:g}" for v in values[:4]) + (" ..." if len(values) > 4 else "")
            if not numbers:
                failures.append(f"panel '{panel['title']}': no data: {expr} -> [{shown}]")
            print(f"{'ok ' if numbers else 'FAIL'} {len(values):3d} series [{shown}] "
                  f"{panel['title']}: {expr}")

    for var in dash.get("templating", {}).get("list", []):
        if var.get("type") != "query":
            continue
        m = re.fullmatch(r"label_values\((.*),\s*(\w+)\)", var["query"])
        if not m:
            failures.append(f"variable {var['name']}: unsupported query {var['query']}")
            continue
        selector, label = substitute(m.group(1), subs), m.group(2)
        names.update(re.findall(r"\b(newsflow_[a-z_]+)", var["query"]))
        values = get(base, f"/api/v1/label/{label}/values", **{"match[]": selector})
        ok = any(re.fullmatch(subs.get(var["name"], ""), v) for v in values)
        print(f"{'ok ' if ok else 'FAIL'} variable {var['name']} = {values} ({selector})")
        if not ok:
            failures.append(f"variable {var['name']}: {subs.get(var['name'])!r} not in {values}")

    for group in rules["groups"]:
        for rule in group["rules"]:
            names.update(re.findall(r"\b(newsflow_[a-z_]+)", rule["expr"]))
            if "record" not in rule:
                continue
            expr = f'{rule["record"]}{{namespace="{subs["namespace"]}"}}'
            result = get(base, "/api/v1/query", query=expr)["result"]
            numbers = [s for s in result if not math.isnan(float(s["value"][1]))]
            print(f"{'ok ' if numbers else 'FAIL'} recorded {len(result)} series "
                  f"[{', '.join(s['value'][1] for s in result[:4])}] {expr}")
            if not numbers:
                failures.append(f"recording rule {rule['record']}: no data")

    for name, selector in alerts:
        matchers = ", ".join(f'{label}="{value}"' for label, value in
                             (pair.split(":", 1) for pair in selector.split(",")))
        expr = f'ALERTS{{alertname="{name}", alertstate="firing", {matchers}}}'
        result = get(base, "/api/v1/query_range", query=expr, start=start, end=end,
                     step="1")["result"]
        print(f"{'ok ' if result else 'FAIL'} alert {name} fired for {matchers}")
        if not result:
            failures.append(f"alert {name} did not fire for {matchers}")
    fired = get(base, "/api/v1/query_range", query='count by (alertname, alertstate) (ALERTS)',
                start=start, end=end, step="1")["result"]
    for s in fired:
        print(f"     seen during the run: {s['metric']['alertname']} "
              f"{s['metric']['alertstate']}")

    metadata = get(base, "/api/v1/metadata")
    for name in sorted(names):
        family = re.sub(r"_(bucket|count|sum)$", "", name)
        known = name in metadata or family in metadata
        print(f"{'ok ' if known else 'FAIL'} metric {name} is exported")
        if not known:
            failures.append(f"metric {name} is not exported by newsflow")

    if failures:
        print("\n".join(["", "FAILED:"] + failures))
        return 1
    print(f"\nall {len(names)} metrics and every dashboard/recording-rule expression returned data")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
