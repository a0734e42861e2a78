"""Deserialises `loadgate kube` output (stdin) into the official Kubernetes Python client's
models (Debian python3-kubernetes) and prints the fields the Swift test checks. Any object the
client cannot turn into its model fails the script."""
import json
import sys

from kubernetes.client import ApiClient

MODELS = {"ConfigMap": "V1ConfigMap", "PersistentVolumeClaim": "V1PersistentVolumeClaim", "Job": "V1Job"}


class Response:
    def __init__(self, document):
        self.data = json.dumps(document)


document = json.load(sys.stdin)
assert document["apiVersion"] == "v1" and document["kind"] == "List", "not a List"
client = ApiClient()
out = {"objects": []}
for item in document["items"]:
    model = client.deserialize(Response(item), MODELS[item["kind"]])
    entry = {"kind": item["kind"], "model": type(model).__name__, "name": model.metadata.name, "namespace": model.metadata.namespace}
    if item["kind"] == "ConfigMap":
        entry["dataKeys"] = sorted(model.data)
        entry["scenario"] = model.data.get("scenario.json")
    if item["kind"] == "PersistentVolumeClaim":
        entry["accessModes"] = model.spec.access_modes
    if item["kind"] == "Job":
        spec = model.spec
        pod = spec.template.spec
        container = pod.containers[0]
        entry.update({
            "completionMode": spec.completion_mode, "completions": spec.completions, "parallelism": spec.parallelism,
            "backoffLimit": spec.backoff_limit, "restartPolicy": pod.restart_policy,
            "image": container.image, "command": container.command, "args": container.args,
            "env": [{"name": e.name, "value": e.value,
                     "secret": [e.value_from.secret_key_ref.name, e.value_from.secret_key_ref.key] if e.value_from and e.value_from.secret_key_ref else None,
                     "fieldPath": e.value_from.field_ref.field_path if e.value_from and e.value_from.field_ref else None}
                    for e in (container.env or [])],
            "mounts": {m.name: m.mount_path for m in container.volume_mounts},
            "volumes": {v.name: (v.config_map.name if v.config_map else v.persistent_volume_claim.claim_name) for v in pod.volumes},
        })
    out["objects"].append(entry)
print(json.dumps(out))
