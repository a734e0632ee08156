"""JSON schemas for kubeconform, offline.

  kube_schemas.py k8s VERSION OUTDIR   Kubernetes VERSION (e.g. v1.34.0) from the PyPI package
                                        kubernetes-validate, made usable offline: its files carry
                                        "$id" and absolute "$ref"s (/api/_definitions.json#...),
                                        which kubeconform would try to fetch; "$id" is removed and
                                        the refs made relative to the file.
  kube_schemas.py crd OUTDIR CRD.yaml...  Each CustomResourceDefinition's served versions as
                                        OUTDIR/<group>/<kind>_<version>.json (kind lower case),
                                        strict: objects with properties get
                                        additionalProperties: false unless they preserve
                                        unknown fields (as kubeconform's openapi2jsonschema does).

kubeconform -schema-location templates that match:
  OUTDIR/{{ .ResourceKind }}{{ .KindSuffix }}.json
  OUTDIR/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json
"""
import json
import os
import sys

import yaml


def fix_refs(node):
    if isinstance(node, dict):
        node.pop("$id", None)
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("/api/"):
            node["$ref"] = ref[len("/api/"):]
        for value in node.values():
            fix_refs(value)
    elif isinstance(node, list):
        for value in node:
            fix_refs(value)


def k8s(version, outdir):
    import kubernetes_validate

    src = os.path.join(os.path.dirname(kubernetes_validate.__file__), "kubernetes-json-schema",
                       f"{version}-local-strict")
    if not os.path.isdir(src):
        sys.exit(f"kube_schemas: kubernetes-validate has no schemas for {version}")
    os.makedirs(outdir, exist_ok=True)
    count = 0
    for name in os.listdir(src):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(src, name)) as f:
            doc = json.load(f)
        fix_refs(doc)
        with open(os.path.join(outdir, name), "w") as f:
            json.dump(doc, f)
        count += 1
    print(f"kube_schemas: {count} Kubernetes {version} schemas in {outdir}", file=sys.stderr)


def strict(node):
    if isinstance(node, dict):
        if (node.get("type") == "object" and "properties" in node
                and "additionalProperties" not in node
                and not node.get("x-kubernetes-preserve-unknown-fields")):
            node["additionalProperties"] = False
        for value in node.values():
            strict(value)
    elif isinstance(node, list):
        for value in node:
            strict(value)


def crd(outdir, files):
    for path in files:
        with open(path) as f:
            doc = yaml.safe_load(f)
        if not doc or doc.get("kind") != "CustomResourceDefinition":
            continue
        group = doc["spec"]["group"]
        kind = doc["spec"]["names"]["kind"].lower()
        for version in doc["spec"]["versions"]:
            schema = version["schema"]["openAPIV3Schema"]
            strict(schema)
            os.makedirs(os.path.join(outdir, group), exist_ok=True)
            out = os.path.join(outdir, group, f"{kind}_{version['name']}.json")
            with open(out, "w") as f:
                json.dump(schema, f)
            print(f"kube_schemas: {out}", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "k8s":
        k8s(sys.argv[2], sys.argv[3])
    elif len(sys.argv) >= 4 and sys.argv[1] == "crd":
        crd(sys.argv[2], sys.argv[3:])
    else:
        sys.exit(__doc__)
