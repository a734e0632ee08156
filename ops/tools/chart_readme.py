"""Generates the values table of helm/newsflow/README.md from values.yaml, or checks it.

  chart_readme.py [--check] CHART_DIR

Every key of values.yaml documented by a `# --` comment right above it (continued by further
`#` lines) becomes one row: key path, default (as JSON), description. A key whose description
is missing, and whose parent has none either, is an error: every value must be documented.
The table sits between `<!-- values:start -->` and `<!-- values:end -->` in README.md; with
--check the file is not written and a difference exits 1.
"""
import json
import re
import sys

import yaml

START, END = "<!-- values:start -->", "<!-- values:end -->"


def rows(values_text, values):
    out, stack, pending, errors = [], [], None, []
    key_re = re.compile(r"^( *)([A-Za-z0-9_.-]+):(.*)$")
    for line in values_text.splitlines():
        stripped = line.strip()
        if stripped.startswith("# --"):
            pending = [stripped[4:].strip()]
            continue
        if stripped.startswith("#"):
            if pending is not None:
                pending.append(stripped[1:].strip())
            continue
        m = key_re.match(line)
        if not m:
            if stripped == "" or line.startswith(" "):
                continue
            pending = None
            continue
        depth = len(m.group(1)) // 2
        stack = stack[:depth] + [m.group(2)]
        path = ".".join(stack)
        node = values
        for k in stack:
            node = node[k]
        if pending is not None:
            out.append((path, node, " ".join(pending)))
        elif not isinstance(node, dict) and not any(path.startswith(p + ".") for p, _, _ in out):
            errors.append(path)
        pending = None
    return out, errors


def table(entries):
    lines = ["| Key | Default | Description |", "|---|---|---|"]
    for path, value, desc in entries:
        default = json.dumps(value, separators=(", ", ": "), ensure_ascii=False)
        if len(default) > 80:
            default = "see values.yaml"
        lines.append(f"| `{path}` | `{default}` | {desc} |")
    return "\n".join(lines)


def main(argv):
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    if len(args) != 1:
        sys.exit(__doc__)
    chart = args[0]
    text = open(f"{chart}/values.yaml").read()
    entries, errors = rows(text, yaml.safe_load(text))
    if errors:
        sys.exit("chart_readme: undocumented values (add a `# --` comment): " + ", ".join(errors))
    readme_path = f"{chart}/README.md"
    readme = open(readme_path).read()
    if START not in readme or END not in readme:
        sys.exit(f"chart_readme: {readme_path} lacks the {START} / {END} markers")
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    new = f"{head}{START}\n{table(entries)}\n{END}{tail}"
    if check:
        if new != readme:
            sys.exit(f"chart_readme: {readme_path} is out of date with values.yaml; run "
                     f"ops/tools/chart-readme.sh to regenerate it")
        print(f"chart_readme: {readme_path} matches values.yaml ({len(entries)} values)")
    else:
        open(readme_path, "w").write(new)
        print(f"chart_readme: wrote {len(entries)} values into {readme_path}")


if __name__ == "__main__":
    main(sys.argv[1:])
