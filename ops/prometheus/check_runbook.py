"""Checks that every alert of the rules file links to a section of ops/RUNBOOK.md and that the
runbook has a complete section (meaning, how to confirm, what to do) for every alert, and no
section for an alert that does not exist.

  check_runbook.py RULES.yaml RUNBOOK.md
"""
import re
import sys

import yaml


def anchor(heading):
    return re.sub(r"[^a-z0-9 -]", "", heading.strip().lower()).replace(" ", "-")


def main(rules_path, runbook_path):
    rules = yaml.safe_load(open(rules_path))
    text = open(runbook_path).read()
    sections = dict(re.findall(r"^## (\S[^\n]*)\n(.*?)(?=^## |\Z)", text, re.M | re.S))
    alerts = [r for g in rules["groups"] for r in g["rules"] if "alert" in r]
    errors = []
    for rule in alerts:
        name, url = rule["alert"], rule.get("annotations", {}).get("runbook_url", "")
        if not url.startswith("ops/RUNBOOK.md#"):
            errors.append(f"{name}: runbook_url '{url}' does not point into ops/RUNBOOK.md")
            continue
        target = url.split("#", 1)[1]
        heading = next((h for h in sections if anchor(h) == target), None)
        if heading is None:
            errors.append(f"{name}: no runbook section with anchor #{target}")
            continue
        for part in ("**Meaning.**", "**Confirm.**", "**What to do.**"):
            if part not in sections[heading]:
                errors.append(f"{name}: its runbook section lacks {part}")
        print(f"ok  {name} -> {url}")
    names = {r["alert"] for r in alerts}
    for heading in sections:
        if heading.startswith("Newsflow") and heading not in names:
            errors.append(f"runbook section '{heading}' has no alert")
    if errors:
        print("\n".join(["FAILED:"] + errors))
        return 1
    print(f"runbook: {len(alerts)} alerts, each with a complete section")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
