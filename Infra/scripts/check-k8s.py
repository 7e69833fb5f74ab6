"""Checks Shipboard's Kubernetes manifests (what each check is and why: check-k8s.sh).

    .run/venv/bin/python check-k8s.py MANIFEST_DIR KUBERNETES_VERSION REPOSITORY_ROOT

Runs in .run/venv, where kubernetes-validate (and PyYAML, its dependency) is installed.
Prints every problem on stderr and exits 1, or prints a one-line summary and exits 0.
"""
import pathlib
import re
import sys

import kubernetes_validate
import yaml

NAMESPACE = "shipboard"
KEDA_API = "keda.sh/v1alpha1"
KEDA_KINDS = ("ScaledObject", "TriggerAuthentication")
OWNER_VARIABLE = "SHIPBOARD_MIGRATION_DATABASE_URL"  # the schema owner's URL: the migrate Job only
ROLLOUT = ["shipboard-rollout"]

manifest_dir, k8s_version, root = pathlib.Path(sys.argv[1]), sys.argv[2], pathlib.Path(sys.argv[3])
problems = []


def problem(where, text):
    problems.append(f"  {where}: {text}")


# --- What the code and compose.yaml say ------------------------------------------------
# Secret variables: those the services document with `secret: true`, and the audit keys
# (planning reads them through AuditKeyring, which has no such entry).
secret_variables = {"SHIPBOARD_AUDIT_KEYS"}
for folder in ("Shared", "Services"):
    for source in (root / folder).rglob("*.swift"):
        secret_variables |= set(re.findall(r'"(SHIPBOARD_[A-Z_]+)"[^\n]*secret: true', source.read_text()))
queue_prefix = re.search(r'"(rollout\.deploy\.)\\\(pool\)"',
                         (root / "Services/Rollout/Core/Workers/WorkerSettings.swift").read_text())
default_pool = re.search(r'"SHIPBOARD_ROLLOUT_POOL", default: "([a-z0-9-]+)"',
                         (root / "Services/Rollout/Main/RolloutSettings.swift").read_text())
if not queue_prefix or not default_pool:
    sys.exit("  Services/Rollout: cannot find the deploy queue's name (rollout.deploy.<pool>) or the default pool")
compose = yaml.safe_load((root / "compose.yaml").read_text())["services"]
# The keys of each `kubectl create secret generic NAME --from-literal=KEY=...` in README.md.
readme = (manifest_dir / "README.md").read_text() if (manifest_dir / "README.md").exists() else ""
documented_keys = {}
for command in re.sub(r"\\\n", " ", readme).splitlines():
    created = re.search(r"create secret generic ([a-z0-9-]+)", command)
    if created:
        documented_keys.setdefault(created.group(1), set()).update(re.findall(r"--from-literal=([A-Za-z0-9_.-]+)=", command))

# --- Every file the kustomization lists, and only those; each built-in kind strictly -----
files = sorted(p.name for p in manifest_dir.glob("*.yaml") if p.name != "kustomization.yaml")
listed = (yaml.safe_load((manifest_dir / "kustomization.yaml").read_text()) or {}).get("resources") or []
for name in sorted(set(files) ^ set(listed)):
    problem("kustomization.yaml", f"{name} is {'not listed in resources' if name in files else 'listed but missing'}")
documents = []  # (file, document)
for name in files:
    try:
        documents += [(name, d) for d in yaml.safe_load_all((manifest_dir / name).read_text()) if d is not None]
    except yaml.YAMLError as error:
        problem(name, f"not YAML: {error}")
if problems:  # the checks across files would only repeat what a missing file implies
    sys.exit("\n".join(problems))
by_kind = {}
for name, d in documents:
    if not isinstance(d, dict):
        problem(name, "a document that is not a mapping")
        continue
    kind, meta = d.get("kind"), d.get("metadata") or {}
    where = f"{name} {kind}/{meta.get('name')}"
    if meta.get("name") in by_kind.setdefault(kind, {}):
        problem(where, f"defined twice (also in {by_kind[kind][meta.get('name')][0]})")
    by_kind[kind][meta.get("name")] = (where, d)
    if kind == "Secret":
        problem(where, "a Secret is never committed: it is created by hand (Infra/k8s/README.md)")
    if kind != "Namespace" and meta.get("namespace") != NAMESPACE:
        problem(where, f"metadata.namespace must be {NAMESPACE}")
    if d.get("apiVersion") == KEDA_API:
        if kind not in KEDA_KINDS:
            problem(where, f"unexpected KEDA kind (expected one of {', '.join(KEDA_KINDS)})")
        continue  # not in the Kubernetes schemas: checked below
    try:  # strict: a field the schema does not know is an error
        kubernetes_validate.validate(d, k8s_version, strict=True)
    except kubernetes_validate.ValidationError as error:
        problem(where, f"{'.'.join(map(str, error.path)) or '(top)'}: {error.message}")
    except kubernetes_validate.SchemaNotFoundError:
        problem(where, f"{d.get('apiVersion')} {kind} is not a Kubernetes {k8s_version} kind")


def kinds(kind):
    return by_kind.get(kind, {})


def pod_labels(d):
    return ((d.get("spec") or {}).get("template") or {}).get("metadata", {}).get("labels") or {}


def selects(selector, d):
    return bool(selector) and set(selector.items()) <= set(pod_labels(d).items())


config_keys = {n: set(d.get("data") or {}) for n, (_, d) in kinds("ConfigMap").items()}
for n, keys in config_keys.items():
    for key in sorted(keys & secret_variables):
        problem(f"ConfigMap/{n}", f"{key} is a secret: it comes from the Secret (secretKeyRef)")


def documented_secret(secret, key, where):
    """Every secret key used is in README.md's `kubectl create secret` commands."""
    if key not in documented_keys.get(secret, set()):
        problem(where, f"secret {secret} key {key} is not in README.md's `kubectl create secret generic` commands")


# --- Workloads: non-root, limits, probes, and the variables and port compose gives them ---
def check_container(kind, where, c, labels):
    security = c.get("securityContext") or {}
    if security.get("allowPrivilegeEscalation") is not False or security.get("readOnlyRootFilesystem") is not True \
            or "ALL" not in (security.get("capabilities") or {}).get("drop", []):
        problem(where, "needs allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities.drop [ALL]")
    resources = c.get("resources") or {}
    if any(not {"cpu", "memory"} <= set(resources.get(part) or {}) for part in ("requests", "limits")):
        problem(where, "needs cpu and memory requests and limits")
    env, names = {}, set()
    for ref in c.get("envFrom") or []:
        config = (ref.get("configMapRef") or {}).get("name")
        if config not in config_keys:
            problem(where, f"envFrom names no ConfigMap of these manifests ({ref})")
        names |= config_keys.get(config, set())
    for e in c.get("env") or []:
        source = e.get("valueFrom") or {}
        env[e["name"]] = e.get("value")
        names.add(e["name"])
        if "secretKeyRef" in source:
            documented_secret(source["secretKeyRef"]["name"], source["secretKeyRef"]["key"], where)
        elif e["name"] in secret_variables:
            problem(where, f"{e['name']} is a secret: it must come from a secretKeyRef")
        ref = source.get("configMapKeyRef")
        if ref and ref["key"] not in config_keys.get(ref["name"], set()):
            problem(where, f"{e['name']}: ConfigMap {ref['name']} has no key {ref['key']}")
    service = labels.get("app.kubernetes.io/instance")
    if OWNER_VARIABLE in names and service != "migrate":
        problem(where, f"{OWNER_VARIABLE} (the schema owner's URL) belongs to the migrate Job only")
    spec = compose.get(service)
    if spec is None:
        problem(where, f"label app.kubernetes.io/instance {service!r} names no compose.yaml service")
        return
    if c.get("command") != spec.get("command"):
        problem(where, f"command {c.get('command')} is not compose service {service}'s {spec.get('command')}")
    expected = set(spec.get("environment") or {})
    for extra in sorted(names - expected):
        problem(where, f"{extra} is not in compose service {service}'s environment")
    for missing in sorted(expected - names):
        problem(where, f"{missing} (compose service {service}) is not set")
    if kind != "Deployment":
        return
    port = env.get("SHIPBOARD_HTTP_PORT")
    if port != str(spec["environment"].get("SHIPBOARD_HTTP_PORT")):
        problem(where, f"SHIPBOARD_HTTP_PORT {port} is not compose's")
    ports = {p.get("name"): str(p["containerPort"]) for p in c.get("ports") or []}
    for probe, path in (("readinessProbe", "/health/ready"), ("livenessProbe", "/health/live")):
        get = (c.get(probe) or {}).get("httpGet") or {}
        if get.get("path") != path or ports.get(get.get("port"), str(get.get("port"))) != port:
            problem(where, f"{probe} must be GET {path} on SHIPBOARD_HTTP_PORT ({port})")


def check_workload(kind, where, d):
    pod, labels = d["spec"]["template"]["spec"], pod_labels(d)
    security = pod.get("securityContext") or {}
    if security.get("runAsNonRoot") is not True or not security.get("runAsUser"):
        problem(where, "the pod needs securityContext runAsNonRoot: true and a non-zero runAsUser")
    if kind == "Deployment" and not selects(d["spec"]["selector"].get("matchLabels"), d):
        problem(where, "spec.selector.matchLabels does not match the pod template's labels")
    for v in pod.get("volumes") or []:
        claim = (v.get("persistentVolumeClaim") or {}).get("claimName")
        if claim and claim not in kinds("PersistentVolumeClaim"):
            problem(where, f"no PersistentVolumeClaim {claim} in these manifests")
    for c in pod["containers"]:
        check_container(kind, f"{where} container {c.get('name')}", c, labels)


def check_scaled_object(where, d):
    spec = d["spec"]
    target = (spec.get("scaleTargetRef") or {}).get("name")
    if target not in kinds("Deployment") or spec["scaleTargetRef"].get("kind", "Deployment") != "Deployment":
        problem(where, f"scaleTargetRef names no Deployment of these manifests ({target!r})")
        return
    container = kinds("Deployment")[target][1]["spec"]["template"]["spec"]["containers"][0]
    if container.get("command") != ROLLOUT:
        problem(where, f"scales {target}, which is not a rollout worker pool")
    pool = next((e.get("value") for e in container.get("env") or [] if e["name"] == "SHIPBOARD_ROLLOUT_POOL"),
                default_pool.group(1))
    queue = queue_prefix.group(1) + pool
    low, high = spec.get("minReplicaCount"), spec.get("maxReplicaCount")
    if not (isinstance(low, int) and isinstance(high, int) and 1 <= low <= high):
        problem(where, "needs 1 <= minReplicaCount <= maxReplicaCount (a pool at zero unregisters: keda.yaml)")
    for t in spec.get("triggers") or [None]:
        t = t or {}
        meta = t.get("metadata") or {}
        if t.get("type") != "rabbitmq" or meta.get("mode") != "QueueLength":
            problem(where, "needs triggers of type rabbitmq with metadata.mode QueueLength")
        if meta.get("queueName") != queue:
            problem(where, f"queueName {meta.get('queueName')!r} is not {target}'s queue {queue!r}")
        if not isinstance(meta.get("value"), str) or not re.fullmatch(r"[0-9]+(\.[0-9]+)?", meta["value"]):
            problem(where, "metadata.value must be a number in quotes (ready messages per replica)")
        if "host" in meta:
            problem(where, "the broker URL belongs in the TriggerAuthentication's Secret, not in metadata.host")
        if (t.get("authenticationRef") or {}).get("name") not in kinds("TriggerAuthentication"):
            problem(where, "authenticationRef names no TriggerAuthentication of these manifests")


def check_trigger_authentication(where, d):
    refs = d["spec"].get("secretTargetRef") or []
    if not any(r.get("parameter") == "host" for r in refs):
        problem(where, "needs a secretTargetRef for parameter host (the RabbitMQ URL)")
    for r in refs:
        documented_secret(r.get("name"), r.get("key"), where)


def check_rollout_pool(where, d):
    """A rollout pool is scaled by KEDA and kept alive through drains."""
    if d["spec"]["template"]["spec"]["containers"][0].get("command") != ROLLOUT:
        return
    name = d["metadata"]["name"]
    if not any((s["spec"].get("scaleTargetRef") or {}).get("name") == name for _, s in kinds("ScaledObject").values()):
        problem(where, "a rollout worker pool needs a KEDA ScaledObject")
    if "replicas" in d["spec"]:
        problem(where, "KEDA sets a rollout pool's replicas: leave spec.replicas out")
    if not any(selects(p["spec"]["selector"].get("matchLabels"), d) for _, p in kinds("PodDisruptionBudget").values()):
        problem(where, "a rollout worker pool needs a PodDisruptionBudget")


def check_selector(where, selector):
    if not any(selects(selector, t) for _, t in kinds("Deployment").values()):
        problem(where, "its selector matches no Deployment's pods")


def guarded(check, where, *arguments):
    """A document too malformed to walk is a problem (its schema error says more), not a crash."""
    try:
        check(*arguments)
    except (KeyError, TypeError, AttributeError, IndexError) as error:
        problem(where, f"malformed ({type(error).__name__}: {error})")


for kind in ("Deployment", "Job"):
    for where, d in kinds(kind).values():
        guarded(check_workload, where, kind, where, d)
for where, d in kinds("Deployment").values():
    guarded(check_rollout_pool, where, where, d)
for where, d in kinds("Service").values():
    guarded(lambda: check_selector(where, d["spec"]["selector"]), where)
for where, d in kinds("PodDisruptionBudget").values():
    guarded(lambda: check_selector(where, d["spec"]["selector"]["matchLabels"]), where)
for where, d in kinds("ScaledObject").values():
    guarded(check_scaled_object, where, where, d)
for where, d in kinds("TriggerAuthentication").values():
    guarded(check_trigger_authentication, where, where, d)

if problems:
    print("\n".join(problems), file=sys.stderr)
    sys.exit(1)
keda = sum(d.get("apiVersion") == KEDA_API for _, d in documents)
print(f"{len(files)} files, {len(documents)} resources: {len(documents) - keda} valid against the Kubernetes "
      f"{k8s_version} schemas (strict), {keda} KEDA ({', '.join(sorted(kinds('ScaledObject')))} scaled on "
      f"{queue_prefix.group(1)}<pool>)")
