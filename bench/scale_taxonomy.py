#!/usr/bin/env python3
"""Writes a taxonomy N times larger than the built-in one into a directory (for
bench/process_bench.sh and `newsflow compile-taxonomy`): the built-in entity and topic files,
plus N - 1 renamed copies of each, built like pipeline_bench's ScaledTaxonomy() (every word of
every phrase gets a per-copy suffix, "Donald Trump" -> "Donaldqb Trumpqb", keeping the ~stem
prefix and the trailing *; entity and topic ids get the suffix too). The copies have the shape
and size of the originals and their own vocabulary. No calibration file (as pipeline_bench).

    bench/scale_taxonomy.py OUT_DIR [COPIES=100]
"""
import os
import sys

import yaml

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SOURCE = os.path.join(ROOT, "config", "taxonomy")


def mutate(phrase, suffix):
    out = []
    for word in str(phrase).split():
        prefix = ""
        if word.startswith("~"):
            prefix, word = "~", word[1:]
        star = word.endswith("*")
        if star:
            word = word[:-1]
        out.append(prefix + word + suffix + ("*" if star else ""))
    return " ".join(out)


def mutate_phrases(by_language, suffix):
    if not isinstance(by_language, dict):
        return
    for language, phrases in by_language.items():
        by_language[language] = [mutate(p, suffix) for p in phrases]


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out_dir = sys.argv[1]
    copies = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    for kind in ("entities", "topics"):
        os.makedirs(os.path.join(out_dir, kind), exist_ok=True)
    with open(os.path.join(out_dir, "taxonomy.yaml"), "w", encoding="utf-8") as f:
        f.write('version: "scaled-x%d"\nentities: ["entities/*.yaml"]\n'
                'topics: ["topics/*.yaml"]\n' % copies)
    for kind in ("entities", "topics"):
        names = sorted(n for n in os.listdir(os.path.join(SOURCE, kind)) if n.endswith(".yaml"))
        for name in names:
            with open(os.path.join(SOURCE, kind, name), encoding="utf-8") as f:
                text = f.read()
            with open(os.path.join(out_dir, kind, name), "w", encoding="utf-8") as f:
                f.write(text)
            for c in range(1, copies):
                suffix = "q" + chr(ord("a") + c // 26) + chr(ord("a") + c % 26)
                root = yaml.load(text, Loader=loader)
                if "entities" in root or "more_aliases" in root:
                    for e in root.get("entities") or []:
                        e["id"] = e["id"] + "-" + suffix
                        for k in ("aliases", "weak_aliases", "context"):
                            mutate_phrases(e.get(k), suffix)
                        # Other spellings are names too: no two entities may share one (the
                        # compiler's check), so each copy gets its own.
                        if isinstance(e.get("also_known_as"), list):
                            e["also_known_as"] = [mutate(a, suffix) for a in e["also_known_as"]]
                    for e in root.get("more_aliases") or []:
                        e["id"] = e["id"] + "-" + suffix
                        mutate_phrases(e.get("aliases"), suffix)
                else:
                    t = root["topic"]
                    t["id"] = t["id"] + "_" + suffix
                    for phrases in (t.get("groups") or {}).values():
                        mutate_phrases(phrases, suffix)
                    mutate_phrases(t.get("exclude"), suffix)
                copy = os.path.join(out_dir, kind, name[:-5] + "_" + suffix + ".yaml")
                with open(copy, "w", encoding="utf-8") as f:
                    yaml.dump(root, f, Dumper=dumper, allow_unicode=True, sort_keys=False,
                              width=1 << 20)


if __name__ == "__main__":
    main()
