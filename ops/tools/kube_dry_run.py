"""Server-side dry run of rendered manifests against a real kube-apiserver.

  kube_dry_run.py API_URL TOKEN NAMESPACE SETUP.yaml MANIFEST.yaml... [!REFUSED.yaml...]

Creates the objects of SETUP.yaml for real (CRDs, the namespace, a PriorityClass: what a cluster
would already have), waits until the CRDs are established, then sends every object of each
MANIFEST with ?dryRun=All&fieldValidation=Strict, the way `kubectl apply --dry-run=server`
does: admission, defaulting, enum and cross-field validation run, nothing is stored. Exits 1 if
the server refuses any object, or if it accepts every object of a manifest given as !FILE (a
rendering the JSON schemas accept but a real server must refuse: proof the dry run checks more).
"""
import json
import ssl
import sys
import time
import urllib.error
import urllib.request

import yaml

# kind -> (API path prefix, plural, namespaced)
KINDS = {
    "Namespace": ("api/v1", "namespaces", False),
    "ConfigMap": ("api/v1", "configmaps", True),
    "Service": ("api/v1", "services", True),
    "ServiceAccount": ("api/v1", "serviceaccounts", True),
    "Secret": ("api/v1", "secrets", True),
    "Deployment": ("apis/apps/v1", "deployments", True),
    "PodDisruptionBudget": ("apis/policy/v1", "poddisruptionbudgets", True),
    "HorizontalPodAutoscaler": ("apis/autoscaling/v2", "horizontalpodautoscalers", True),
    "PriorityClass": ("apis/scheduling.k8s.io/v1", "priorityclasses", False),
    "CustomResourceDefinition": ("apis/apiextensions.k8s.io/v1", "customresourcedefinitions",
                                 False),
    "ServiceMonitor": ("apis/monitoring.coreos.com/v1", "servicemonitors", True),
    "PodMonitor": ("apis/monitoring.coreos.com/v1", "podmonitors", True),
    "ScaledObject": ("apis/keda.sh/v1alpha1", "scaledobjects", True),
    "TriggerAuthentication": ("apis/keda.sh/v1alpha1", "triggerauthentications", True),
}


class Api:
    def __init__(self, base, token):
        self.base, self.token = base.rstrip("/"), token
        self.ctx = ssl.create_default_context()
        self.ctx.check_hostname = False
        self.ctx.verify_mode = ssl.CERT_NONE  # the apiserver's self-signed loopback certificate

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"{self.base}/{path}", data=data, method=method, headers={
            "Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, context=self.ctx, timeout=30) as r:
                return r.status, json.load(r)
        except urllib.error.HTTPError as e:
            return e.code, json.load(e)

    def create(self, obj, namespace, dry_run):
        prefix, plural, namespaced = KINDS[obj["kind"]]
        path = f"{prefix}/namespaces/{namespace}/{plural}" if namespaced else f"{prefix}/{plural}"
        query = "?fieldValidation=Strict" + ("&dryRun=All" if dry_run else "")
        return self.call("POST", path + query, obj)


def main(base, token, namespace, setup, *manifests):
    api = Api(base, token)
    failures = 0
    crds = []
    for obj in yaml.safe_load_all(open(setup)):
        if not obj:
            continue
        code, body = api.create(obj, namespace, dry_run=False)
        if code not in (200, 201, 409):
            print(f"FAIL setup {obj['kind']} {obj['metadata']['name']}: {code} {body.get('message')}")
            return 1
        if obj["kind"] == "CustomResourceDefinition":
            crds.append(obj["metadata"]["name"])
    deadline = time.time() + 60
    for name in crds:
        while True:
            _, body = api.call("GET", f"apis/apiextensions.k8s.io/v1/customresourcedefinitions/{name}")
            conds = {c["type"]: c["status"] for c in body.get("status", {}).get("conditions", [])}
            if conds.get("Established") == "True":
                break
            if time.time() > deadline:
                print(f"FAIL CRD {name} not established")
                return 1
            time.sleep(0.5)
    print(f"setup: {len(crds)} CRDs established, namespace {namespace}")
    for manifest in manifests:
        expect_refused = manifest.startswith("!")
        manifest = manifest.lstrip("!")
        refused = 0
        for obj in yaml.safe_load_all(open(manifest)):
            if not obj:
                continue
            code, body = api.create(obj, namespace, dry_run=True)
            what = f"{manifest.rsplit('/', 1)[-1]}: {obj['kind']} {obj['metadata']['name']}"
            if code in (200, 201):
                print(f"ok   {code} {what}")
            elif expect_refused:
                refused += 1
                print(f"ok   {code} {what} refused as expected: {body.get('message')}")
            else:
                failures += 1
                print(f"FAIL {code} {what}: {body.get('message')}")
        if expect_refused and refused == 0:
            failures += 1
            print(f"FAIL {manifest}: the server accepted every object, expected a refusal")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) < 6:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
