#!/usr/bin/env python3
"""Checks deploy/kubernetes without a cluster (run by check_kubernetes.sh).

Source files: every YAML file parses, uses an apiVersion/kind pair current
Kubernetes serves, and is listed by its kustomization; every env file a
generator reads exists (or its .example does); the real secret env files are
ignored by git; every variable the env files set is documented.

Rendered with kustomize (base, and trial = base + the MySQL component, each
from a copy with the .example env files), every object:
  - validates against the Kubernetes OpenAPI schemas (kubernetes-validate,
    strict: unknown fields fail) of the oldest and newest versions checked;
  - references only Secrets, ConfigMaps (and their keys), Services (and
    ports), PVCs and ServiceAccounts that exist in the set; selectors match pod
    labels; every probe and Service port names a container port;
  - every container sets startup, readiness and liveness probes, CPU and
    memory requests and a memory limit, and runs non-root (uid 10001 for the
    gempool image), with a read-only root filesystem, no privilege
    escalation, every capability dropped and the RuntimeDefault seccomp profile;
and gempool's own rules hold: the gateway (readiness GET /health, a preStop
sleep, 2+ replicas through the HPA on CPU, a PDB), one key broker and one
persistence (Recreate, gRPC health readiness), grace periods longer than the
drain, the database passwords only in persistence (and MySQL), the service
addresses in the ConfigMap pointing at the Services, memory above what
docs/benchmarks.md measured, and the NetworkPolicies admitting exactly the
connections docs/architecture.md describes (computed, pod by pod and port by
port, from the policies' selectors).

Then it breaks the rendered objects in 26 ways, one at a time, and fails
unless each break is caught with the expected message. With --bin-dir, it
finally runs the built services with the settings the pods get (see
run_services).
"""
import argparse
import base64
import copy
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import kubernetes_validate
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy/kubernetes"
NAMESPACE = "gempool"
OVERLAYS = ("base", "trial")
# The oldest Kubernetes the manifests are meant for (gRPC probes are GA since
# 1.27) and the newest schema kubernetes-validate bundles.
SCHEMA_VERSIONS = ("1.30", "1.37")
SERVED = {
    ("v1", "Namespace"), ("v1", "ServiceAccount"), ("v1", "ConfigMap"), ("v1", "Secret"), ("v1", "Service"),
    ("v1", "PersistentVolumeClaim"), ("apps/v1", "Deployment"), ("apps/v1", "StatefulSet"),
    ("policy/v1", "PodDisruptionBudget"), ("autoscaling/v2", "HorizontalPodAutoscaler"),
    ("networking.k8s.io/v1", "NetworkPolicy"), ("networking.k8s.io/v1", "Ingress"),
}
KUSTOMIZE_KINDS = {("kustomize.config.k8s.io/v1beta1", "Kustomization"),
                   ("kustomize.config.k8s.io/v1alpha1", "Component")}
GEMPOOL_IMAGE = "ghcr.io/gempool/gempool"
GEMPOOL_UID = 10001
SERVICES = ("gateway", "keybroker", "persistence")  # docker-compose.yml's names too
DB_SECRET_KEYS = {"MYSQL_PASSWORD", "MYSQL_ROOT_PASSWORD"}
APP_SECRET_KEYS = {"API_KEYS", "VERTEX_API_KEYS", "ALLOWED_TOKENS", "AUTH_TOKEN", "PAID_KEY"}
COMPONENT = "app.kubernetes.io/component"


# --- helpers ---------------------------------------------------------------

def quantity(q):
    """A Kubernetes quantity in base units (bytes, cores)."""
    m = re.fullmatch(r"([0-9.]+)([a-zA-Z]*)", str(q))
    if not m:
        raise ValueError(f"not a quantity: {q!r}")
    factors = {"": 1, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}
    return float(m.group(1)) * factors[m.group(2)]


def selects(selector, labels):
    """Label selector semantics (matchLabels and matchExpressions)."""
    if selector is None:
        return False
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for e in selector.get("matchExpressions") or []:
        k, op, vals = e["key"], e["operator"], e.get("values") or []
        if op == "In" and labels.get(k) not in vals:
            return False
        if op == "NotIn" and k in labels and labels[k] in vals:
            return False
        if op == "Exists" and k not in labels:
            return False
        if op == "DoesNotExist" and k in labels:
            return False
    return True


def is_namespaced(doc):
    return doc["kind"] != "Namespace"


class Objects:
    def __init__(self, docs):
        self.docs = docs
        self.by = {}
        for d in docs:
            self.by[(d["kind"], d["metadata"]["name"])] = d

    def get(self, kind, name):
        return self.by.get((kind, name))

    def of(self, kind):
        return [d for d in self.docs if d["kind"] == kind]

    def workloads(self):
        return [d for d in self.docs if d["kind"] in ("Deployment", "StatefulSet")]

    def component(self, name):
        for w in self.workloads():
            if w["spec"]["template"]["metadata"].get("labels", {}).get(COMPONENT) == name:
                return w
        return None


def pod_labels(w):
    return w["spec"]["template"]["metadata"].get("labels") or {}


def containers(w):
    spec = w["spec"]["template"]["spec"]
    return list(spec.get("initContainers") or []) + list(spec.get("containers") or [])


def container_ports(c):
    return {p.get("name"): p["containerPort"] for p in c.get("ports") or []}


def pod_ports(w):
    ports = {}
    for c in containers(w):
        ports.update(container_ports(c))
    return ports


def resolve_port(port, ports):
    """A probe's or Service's port (name or number) -> number, if a container declares it."""
    if isinstance(port, str) and not port.isdigit():
        return ports.get(port)
    return int(port) if int(port) in ports.values() else None


def data_of(obj):
    if obj is None:
        return {}
    if obj["kind"] == "Secret":
        out = {k: base64.b64decode(v).decode() for k, v in (obj.get("data") or {}).items()}
        out.update(obj.get("stringData") or {})
        return out
    return dict(obj.get("data") or {})


def container_env(objs, c):
    env = {}
    for ef in c.get("envFrom") or []:
        if "configMapRef" in ef:
            env.update(data_of(objs.get("ConfigMap", ef["configMapRef"]["name"])))
        if "secretRef" in ef:
            env.update(data_of(objs.get("Secret", ef["secretRef"]["name"])))
    for e in c.get("env") or []:
        if "value" in e:
            env[e["name"]] = e["value"]
        elif "valueFrom" in e:
            ref = e["valueFrom"].get("configMapKeyRef") or e["valueFrom"].get("secretKeyRef")
            kind = "ConfigMap" if "configMapKeyRef" in e["valueFrom"] else "Secret"
            if ref:
                env[e["name"]] = data_of(objs.get(kind, ref["name"])).get(ref["key"], "")
    return env


def secrets_read(w):
    names = set()
    spec = w["spec"]["template"]["spec"]
    for c in containers(w):
        for ef in c.get("envFrom") or []:
            if "secretRef" in ef:
                names.add(ef["secretRef"]["name"])
        for e in c.get("env") or []:
            ref = (e.get("valueFrom") or {}).get("secretKeyRef")
            if ref:
                names.add(ref["name"])
    for v in spec.get("volumes") or []:
        if "secret" in v:
            names.add(v["secret"]["secretName"])
    return names


def benchmark_peaks():
    """Per service, the largest VmRSS (MiB) in docs/benchmarks.md's memory table."""
    text = (ROOT / "docs/benchmarks.md").read_text(encoding="utf-8")
    section = text.split("## Memory of the gempool processes", 1)[1].split("\n## ", 1)[0]
    peaks = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and cells[0] in SERVICES:
            numbers = [float(m) for c in cells[1:] for m in re.findall(r"^([0-9.]+)", c)]
            if numbers:
                peaks[cells[0]] = max(numbers)
    return peaks


def compose_commands():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    return {name: compose["services"][name].get("command") for name in SERVICES}


# --- the checks on rendered objects ----------------------------------------

def check_schema(docs, where, failures):
    for d in docs:
        for version in SCHEMA_VERSIONS:
            try:
                kubernetes_validate.validate(d, version, strict=True)
            except kubernetes_validate.ValidationError as e:
                path = ".".join(str(p) for p in e.path)
                failures.append(f"{where}: {d['kind']}/{d['metadata']['name']} does not validate against "
                                f"Kubernetes {version}: {path}: {e.message}")
            except kubernetes_validate.SchemaNotFoundError:
                failures.append(f"{where}: {d['apiVersion']} {d['kind']} has no schema in Kubernetes {version}")


def check_api_versions(docs, where, failures):
    for d in docs:
        if (d.get("apiVersion"), d.get("kind")) not in SERVED:
            failures.append(f"{where}: {d.get('kind')}/{d.get('metadata', {}).get('name')} uses "
                            f"{d.get('apiVersion')} {d.get('kind')}, not an API version current Kubernetes serves "
                            f"(apps/v1, v1, networking.k8s.io/v1, policy/v1, autoscaling/v2)")


def check_references(objs, where, failures):
    for d in objs.docs:
        if is_namespaced(d) and d["metadata"].get("namespace") != NAMESPACE:
            failures.append(f"{where}: {d['kind']}/{d['metadata']['name']} is not in the namespace {NAMESPACE}")
    if objs.get("Namespace", NAMESPACE) is None:
        failures.append(f"{where}: no Namespace {NAMESPACE}")

    def need(kind, name, who):
        if objs.get(kind, name) is None:
            failures.append(f"{where}: {who} refers to {kind} '{name}', which does not exist in the set")
            return None
        return objs.get(kind, name)

    for w in objs.workloads():
        wname = f"{w['kind']}/{w['metadata']['name']}"
        spec = w["spec"]["template"]["spec"]
        if not selects(w["spec"].get("selector"), pod_labels(w)):
            failures.append(f"{where}: {wname}'s selector does not match its pod labels")
        if spec.get("serviceAccountName"):
            need("ServiceAccount", spec["serviceAccountName"], wname)
        for s in spec.get("imagePullSecrets") or []:
            need("Secret", s["name"], wname)
        claims = {t["metadata"]["name"] for t in w["spec"].get("volumeClaimTemplates") or []}
        volumes = {v["name"] for v in spec.get("volumes") or []} | claims
        for v in spec.get("volumes") or []:
            if "configMap" in v:
                need("ConfigMap", v["configMap"]["name"], wname)
            if "secret" in v:
                need("Secret", v["secret"]["secretName"], wname)
            if "persistentVolumeClaim" in v:
                need("PersistentVolumeClaim", v["persistentVolumeClaim"]["claimName"], wname)
        if w["kind"] == "StatefulSet":
            need("Service", w["spec"].get("serviceName", ""), wname)
        for c in containers(w):
            cname = f"{wname} container {c['name']}"
            for ef in c.get("envFrom") or []:
                if "configMapRef" in ef:
                    need("ConfigMap", ef["configMapRef"]["name"], cname)
                if "secretRef" in ef:
                    need("Secret", ef["secretRef"]["name"], cname)
            for e in c.get("env") or []:
                vf = e.get("valueFrom") or {}
                for kind, key in (("ConfigMap", "configMapKeyRef"), ("Secret", "secretKeyRef")):
                    if key in vf:
                        obj = need(kind, vf[key]["name"], cname)
                        if obj is not None and vf[key]["key"] not in data_of(obj):
                            failures.append(f"{where}: {cname} reads key {vf[key]['key']} of {kind} "
                                            f"'{vf[key]['name']}', which has no such key")
            for m in c.get("volumeMounts") or []:
                if m["name"] not in volumes:
                    failures.append(f"{where}: {cname} mounts volume '{m['name']}', which the pod does not have")

    for svc in objs.of("Service"):
        sel = svc["spec"].get("selector") or {}
        matched = [w for w in objs.workloads() if selects({"matchLabels": sel}, pod_labels(w))]
        if not sel or not matched:
            failures.append(f"{where}: Service/{svc['metadata']['name']} selects no pod")
        for p in svc["spec"].get("ports") or []:
            target = p.get("targetPort", p["port"])
            for w in matched:
                if resolve_port(target, pod_ports(w)) is None:
                    failures.append(f"{where}: Service/{svc['metadata']['name']} port {p['port']} targets "
                                    f"{target!r}, which {w['metadata']['name']}'s containers do not declare")

    for ing in objs.of("Ingress"):
        backends = []
        for rule in ing["spec"].get("rules") or []:
            for path in (rule.get("http") or {}).get("paths") or []:
                backends.append(path["backend"])
        if ing["spec"].get("defaultBackend"):
            backends.append(ing["spec"]["defaultBackend"])
        for b in backends:
            svc = need("Service", b["service"]["name"], f"Ingress/{ing['metadata']['name']}")
            if svc is None:
                continue
            port = b["service"]["port"]
            ports = svc["spec"].get("ports") or []
            if not any(p.get("name") == port.get("name") if "name" in port else p["port"] == port.get("number")
                       for p in ports):
                failures.append(f"{where}: Ingress/{ing['metadata']['name']} uses port {port} of "
                                f"Service/{svc['metadata']['name']}, which has no such port")
        for tls in ing["spec"].get("tls") or []:
            need("Secret", tls.get("secretName", ""), f"Ingress/{ing['metadata']['name']} tls")

    for pdb in objs.of("PodDisruptionBudget"):
        if not any(selects(pdb["spec"].get("selector"), pod_labels(w)) for w in objs.workloads()):
            failures.append(f"{where}: PodDisruptionBudget/{pdb['metadata']['name']} selects no pod")
    for hpa in objs.of("HorizontalPodAutoscaler"):
        ref = hpa["spec"]["scaleTargetRef"]
        need(ref["kind"], ref["name"], f"HorizontalPodAutoscaler/{hpa['metadata']['name']}")


def effective_security(w, c):
    pod = w["spec"]["template"]["spec"].get("securityContext") or {}
    own = c.get("securityContext") or {}
    merged = {k: own.get(k, pod.get(k)) for k in ("runAsNonRoot", "runAsUser", "seccompProfile")}
    for k in ("allowPrivilegeEscalation", "readOnlyRootFilesystem", "capabilities", "privileged"):
        merged[k] = own.get(k)
    return merged


def check_containers(objs, where, failures):
    commands = compose_commands()
    for w in objs.workloads():
        for c in containers(w):
            cname = f"{w['kind']}/{w['metadata']['name']} container {c['name']}"
            for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
                p = c.get(probe)
                if not p:
                    failures.append(f"{where}: {cname} sets no {probe}")
                    continue
                for kind in ("httpGet", "tcpSocket", "grpc"):
                    if kind in p and resolve_port(p[kind]["port"], container_ports(c)) is None:
                        failures.append(f"{where}: {cname}'s {probe} uses port {p[kind]['port']!r}, "
                                        f"which the container does not declare")
            res = c.get("resources") or {}
            for part, key in (("requests", "cpu"), ("requests", "memory"), ("limits", "memory")):
                if key not in (res.get(part) or {}):
                    failures.append(f"{where}: {cname} sets no resources.{part}.{key}")
            req, lim = (res.get("requests") or {}).get("memory"), (res.get("limits") or {}).get("memory")
            if req and lim and quantity(req) > quantity(lim):
                failures.append(f"{where}: {cname} requests more memory ({req}) than its limit ({lim})")
            sec = effective_security(w, c)
            if sec["runAsNonRoot"] is not True:
                failures.append(f"{where}: {cname} does not set runAsNonRoot: true")
            if not sec["runAsUser"]:
                failures.append(f"{where}: {cname} does not set a non-zero runAsUser")
            if c["image"].split(":")[0] == GEMPOOL_IMAGE and sec["runAsUser"] != GEMPOOL_UID:
                failures.append(f"{where}: {cname} runs as uid {sec['runAsUser']}, not the image's user {GEMPOOL_UID}")
            if sec["readOnlyRootFilesystem"] is not True:
                failures.append(f"{where}: {cname} does not set readOnlyRootFilesystem: true")
            if sec["allowPrivilegeEscalation"] is not False:
                failures.append(f"{where}: {cname} does not set allowPrivilegeEscalation: false")
            if sec["privileged"]:
                failures.append(f"{where}: {cname} is privileged")
            if "ALL" not in ((sec["capabilities"] or {}).get("drop") or []):
                failures.append(f"{where}: {cname} does not drop ALL capabilities")
            if (sec["seccompProfile"] or {}).get("type") != "RuntimeDefault":
                failures.append(f"{where}: {cname} does not use the RuntimeDefault seccomp profile")
            component = pod_labels(w).get(COMPONENT)
            if c["image"].split(":")[0] == GEMPOOL_IMAGE:
                if component not in SERVICES:
                    failures.append(f"{where}: {cname} runs the gempool image but is not a gateway, keybroker "
                                    f"or persistence pod")
                elif c.get("command") != commands[component]:
                    failures.append(f"{where}: {cname} runs {c.get('command')}, docker-compose.yml's "
                                    f"{component} runs {commands[component]}")


def check_gempool(objs, where, failures):
    peaks = benchmark_peaks()
    if set(peaks) != set(SERVICES):
        failures.append(f"{where}: docs/benchmarks.md's memory table gave {peaks}: is the table parser broken?")
    for name in SERVICES:
        w = objs.component(name)
        if w is None or w["kind"] != "Deployment":
            failures.append(f"{where}: no Deployment runs the {name}")
            continue
        wname = f"Deployment/{w['metadata']['name']}"
        spec = w["spec"]["template"]["spec"]
        c = spec["containers"][0]
        env = container_env(objs, c)
        # Graceful termination: the drain fits in the grace period.
        try:
            drain = int(env.get("SHUTDOWN_GRACE_SECONDS", "30"))
        except ValueError:
            drain = 10**6
        sleep = 0
        pre = ((c.get("lifecycle") or {}).get("preStop") or {})
        if "exec" in pre:
            cmd = pre["exec"]["command"]
            if len(cmd) == 2 and cmd[0] == "sleep":
                sleep = int(cmd[1])
        elif "sleep" in pre:
            sleep = int(pre["sleep"]["seconds"])
        grace = spec.get("terminationGracePeriodSeconds", 30)
        if grace <= drain + sleep:
            failures.append(f"{where}: {wname}'s terminationGracePeriodSeconds ({grace}) is not longer than its "
                            f"preStop sleep ({sleep}) + SHUTDOWN_GRACE_SECONDS ({drain})")
        # Memory from docs/benchmarks.md.
        peak = peaks.get(name)
        res = c.get("resources") or {}
        if peak and "memory" in (res.get("requests") or {}) and "memory" in (res.get("limits") or {}):
            if quantity(res["requests"]["memory"]) < peak * 2**20:
                failures.append(f"{where}: {wname} requests {res['requests']['memory']} of memory, below the "
                                f"{peak} MiB docs/benchmarks.md measured")
            if quantity(res["limits"]["memory"]) < 2 * peak * 2**20:
                failures.append(f"{where}: {wname}'s memory limit {res['limits']['memory']} is not twice the "
                                f"{peak} MiB docs/benchmarks.md measured")
        readiness = c.get("readinessProbe") or {}
        if name == "gateway":
            if pre == {} or sleep <= 0:
                failures.append(f"{where}: {wname} has no preStop sleep before its drain")
            http = readiness.get("httpGet") or {}
            if http.get("path") != "/health" or resolve_port(http.get("port", 0), container_ports(c)) != 8000:
                failures.append(f"{where}: {wname}'s readinessProbe is not GET /health on port 8000")
            replicas = w["spec"].get("replicas", 1)
            hpas = [h for h in objs.of("HorizontalPodAutoscaler")
                    if h["spec"]["scaleTargetRef"]["name"] == w["metadata"]["name"]]
            if not hpas:
                failures.append(f"{where}: no HorizontalPodAutoscaler scales {wname}")
            for h in hpas:
                if h["spec"].get("minReplicas", 1) < 2:
                    failures.append(f"{where}: HorizontalPodAutoscaler/{h['metadata']['name']} keeps fewer than "
                                    f"2 gateways")
                if not any(m.get("type") == "Resource" and m["resource"]["name"] == "cpu"
                           for m in h["spec"].get("metrics") or []):
                    failures.append(f"{where}: HorizontalPodAutoscaler/{h['metadata']['name']} does not scale on CPU")
            if replicas < 2 and not hpas:
                failures.append(f"{where}: {wname} runs fewer than 2 gateways")
            if not any(selects(p["spec"].get("selector"), pod_labels(w)) and p["spec"].get("minAvailable", 0) >= 1
                       for p in objs.of("PodDisruptionBudget")):
                failures.append(f"{where}: no PodDisruptionBudget keeps a gateway available")
        else:
            if w["spec"].get("replicas") != 1:
                failures.append(f"{where}: {wname} must run exactly 1 replica")
            if (w["spec"].get("strategy") or {}).get("type") != "Recreate":
                failures.append(f"{where}: {wname} must use strategy Recreate (never two at once)")
            grpc_port = 8001 if name == "keybroker" else 8002
            if (readiness.get("grpc") or {}).get("port") != grpc_port:
                failures.append(f"{where}: {wname}'s readinessProbe is not the gRPC health check on port {grpc_port}")
        # The database passwords reach persistence only; tokens and keys do not.
        for sname in secrets_read(w):
            keys = set(data_of(objs.get("Secret", sname)))
            if name != "persistence" and keys & DB_SECRET_KEYS:
                failures.append(f"{where}: {wname} reads Secret '{sname}' with the database passwords "
                                f"(only persistence may)")
            if name == "persistence" and keys & APP_SECRET_KEYS:
                failures.append(f"{where}: {wname} reads Secret '{sname}' with tokens or Gemini keys it does not need")
        # The addresses in the environment point at the Services.
        for var, target in (("KEYBROKER_ADDR", "keybroker"), ("PERSISTENCE_ADDR", "persistence")):
            host, _, port = env.get(var, "").rpartition(":")
            svc = objs.get("Service", host)
            target_w = objs.component(target)
            if svc is None or target_w is None or not selects({"matchLabels": svc["spec"].get("selector") or {}},
                                                               pod_labels(target_w)):
                failures.append(f"{where}: {wname}'s {var}={env.get(var)!r} is not a Service of the {target}")
            elif not any(str(p["port"]) == port for p in svc["spec"].get("ports") or []):
                failures.append(f"{where}: {wname}'s {var}={env.get(var)!r}: Service/{host} has no port {port}")
        metrics_var = f"{name.upper()}_METRICS_LISTEN"
        listen = env.get(metrics_var, "")
        if listen and container_ports(c).get("metrics") != int(listen.rpartition(":")[2]):
            failures.append(f"{where}: {wname}'s {metrics_var}={listen!r} is not its container port 'metrics'")
        if name == "persistence":
            host = env.get("MYSQL_HOST", "")
            if env.get("DATABASE_TYPE") != "mysql":
                failures.append(f"{where}: {wname} does not use MySQL (DATABASE_TYPE={env.get('DATABASE_TYPE')!r})")
            if "." not in host:  # a Service of this set, not an external host name
                svc = objs.get("Service", host)
                if svc is None or not any(str(p["port"]) == env.get("MYSQL_PORT") for p in svc["spec"]["ports"]):
                    failures.append(f"{where}: MYSQL_HOST={host!r} MYSQL_PORT={env.get('MYSQL_PORT')!r} is not a "
                                    f"Service of this set, nor an external host name")
    for w in objs.workloads():
        if pod_labels(w).get(COMPONENT) == "mysql":
            for sname in secrets_read(w):
                if set(data_of(objs.get("Secret", sname))) & APP_SECRET_KEYS:
                    failures.append(f"{where}: {w['kind']}/{w['metadata']['name']} reads Secret '{sname}' with "
                                    f"tokens or Gemini keys")


# --- NetworkPolicies -------------------------------------------------------

def ingress_allowed(policies, src, dst, port):
    """Whether the policies let pod `src` connect to pod `dst` on `port` (a number).
    Pods are (namespace, namespace labels, pod labels, named ports)."""
    applicable = [p for p in policies
                  if p["metadata"].get("namespace") == dst[0]
                  and "Ingress" in (p["spec"].get("policyTypes") or ["Ingress"])
                  and selects(p["spec"].get("podSelector") or {}, dst[2])]
    if not applicable:
        return True
    for p in applicable:
        for rule in p["spec"].get("ingress") or []:
            ports = rule.get("ports")
            port_ok = not ports or any(
                ("port" not in rp)
                or (rp["port"] == port if isinstance(rp["port"], int) else dst[3].get(rp["port"]) == port)
                or (isinstance(rp["port"], int) and rp.get("endPort", rp["port"]) >= port >= rp["port"])
                for rp in ports)
            if not port_ok:
                continue
            peers = rule.get("from")
            if not peers:
                return True
            for peer in peers:
                if "ipBlock" in peer:
                    continue  # addresses outside the cluster's pods
                ns_ok = (selects(peer["namespaceSelector"], src[1]) if "namespaceSelector" in peer
                         else src[0] == p["metadata"]["namespace"])
                pod_ok = selects(peer["podSelector"], src[2]) if "podSelector" in peer else True
                if ns_ok and pod_ok:
                    return True
    return False


# Who may connect to whom: docs/architecture.md. (source, destination component, port)
EXPECTED = {
    ("gateway", "keybroker", 8001), ("gateway", "persistence", 8002), ("keybroker", "persistence", 8002),
    ("persistence", "mysql", 3306),
    ("monitoring", "gateway", 9464), ("monitoring", "keybroker", 9465), ("monitoring", "persistence", 9466),
}
PUBLIC = {("gateway", 8000)}  # from anywhere


def check_network(objs, where, failures):
    policies = objs.of("NetworkPolicy")
    for p in policies:
        sel = p["spec"].get("podSelector") or {}
        if sel and not any(selects(sel, pod_labels(w)) for w in objs.workloads()):
            failures.append(f"{where}: NetworkPolicy/{p['metadata']['name']} selects no pod")
        for rule in p["spec"].get("ingress") or []:
            for peer in rule.get("from") or []:
                if "podSelector" in peer and "namespaceSelector" not in peer and not any(
                        selects(peer["podSelector"], pod_labels(w)) for w in objs.workloads()):
                    failures.append(f"{where}: NetworkPolicy/{p['metadata']['name']} admits pods that do not exist "
                                    f"({peer['podSelector']})")
    if not any(not (p["spec"].get("podSelector") or {}) and not p["spec"].get("ingress")
               and "Ingress" in (p["spec"].get("policyTypes") or ["Ingress"]) for p in policies):
        failures.append(f"{where}: no default-deny NetworkPolicy (empty podSelector, no ingress rule): a pod added "
                        f"to the namespace would be open to all")
    ns_labels = lambda ns: {"kubernetes.io/metadata.name": ns}  # noqa: E731
    pods = {}
    for w in objs.workloads():
        comp = pod_labels(w).get(COMPONENT)
        pods[comp] = (NAMESPACE, ns_labels(NAMESPACE), pod_labels(w), pod_ports(w))
    sources = dict(pods)
    sources["another pod of the namespace"] = (NAMESPACE, ns_labels(NAMESPACE), {"app": "other"}, {})
    # Labelled like a gateway, but in another namespace.
    gateway_labels = pods.get("gateway", (None, None, {}, None))[2]
    sources["a pod of another namespace"] = ("default", ns_labels("default"), gateway_labels, {})
    sources["monitoring"] = ("monitoring", ns_labels("monitoring"), {"app.kubernetes.io/name": "prometheus"}, {})
    # Every pod must be under a policy (default deny): else anything reaches it.
    for comp, dst in pods.items():
        if not any(selects(p["spec"].get("podSelector") or {}, dst[2]) for p in policies):
            failures.append(f"{where}: no NetworkPolicy covers the {comp} pods: anything may reach them")
    for src_name, src in sources.items():
        for comp, dst in pods.items():
            for port in sorted(set(dst[3].values())):
                allowed = ingress_allowed(policies, src, dst, port)
                expected = (src_name, comp, port) in EXPECTED or (comp, port) in PUBLIC
                if allowed and not expected:
                    failures.append(f"{where}: the NetworkPolicies let {src_name} reach {comp}:{port}")
                if expected and not allowed:
                    failures.append(f"{where}: the NetworkPolicies stop {src_name} from reaching {comp}:{port}")


def check_rendered(docs, where, schema=True):
    failures = []
    check_api_versions(docs, where, failures)
    if failures:
        return failures
    if schema:
        check_schema(docs, where, failures)
    objs = Objects(docs)
    check_references(objs, where, failures)
    check_containers(objs, where, failures)
    check_gempool(objs, where, failures)
    check_network(objs, where, failures)
    return failures


# --- the source files ------------------------------------------------------

def check_sources(failures):
    listed = set()
    documented = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.M))
    documented |= set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)`", (ROOT / "docs/deploy.md").read_text(), re.M))
    for path in sorted(K8S.rglob("*.yaml")):
        rel = path.relative_to(ROOT)
        try:
            docs = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d is not None]
        except yaml.YAMLError as e:
            failures.append(f"{rel} does not parse: {e}")
            continue
        for d in docs:
            if not isinstance(d, dict) or "apiVersion" not in d or "kind" not in d:
                failures.append(f"{rel}: a document without apiVersion and kind")
                continue
            pair = (d["apiVersion"], d["kind"])
            if path.name == "kustomization.yaml":
                if pair not in KUSTOMIZE_KINDS:
                    failures.append(f"{rel} is {pair}, not a kustomize Kustomization or Component")
                for entry in list(d.get("resources") or []) + list(d.get("components") or []):
                    target = (path.parent / entry).resolve()
                    if not target.exists():
                        failures.append(f"{rel} lists {entry}, which does not exist")
                    listed.add(target)
                for gen in list(d.get("configMapGenerator") or []) + list(d.get("secretGenerator") or []):
                    for env in list(gen.get("envs") or []) + list(gen.get("files") or []):
                        env_path = path.parent / env
                        example = env_path.with_name(env_path.name + ".example")
                        if not env_path.exists() and not example.exists():
                            failures.append(f"{rel}: generator {gen['name']} reads {env}, which exists neither "
                                            f"as such nor as {example.name}")
                        if example.exists():
                            ignored = subprocess.run(["git", "-C", str(ROOT), "check-ignore", "-q",
                                                      str(env_path.relative_to(ROOT))]).returncode
                            if ignored not in (0, 1):  # not a git checkout: read .gitignore itself
                                ignored = 0 if f"/{env_path.relative_to(ROOT)}" in (
                                    ROOT / ".gitignore").read_text().splitlines() else 1
                            if ignored != 0:
                                failures.append(f"{env_path.relative_to(ROOT)} (real secrets) is not ignored by git")
                        source = env_path if not example.exists() else example
                        if source.exists():
                            for key in re.findall(r"^([A-Z][A-Z0-9_]*)=", source.read_text(), re.M):
                                if key not in documented:
                                    failures.append(f"{source.relative_to(ROOT)} sets {key}, which neither "
                                                    f".env.example nor docs/deploy.md documents")
            elif pair not in SERVED:
                failures.append(f"{rel}: {d['kind']} uses {d['apiVersion']}, not an API version current "
                                f"Kubernetes serves")
    for path in sorted(K8S.rglob("*.yaml")):
        if path.name != "kustomization.yaml" and path.resolve() not in listed:
            failures.append(f"{path.relative_to(ROOT)} is not listed in any kustomization.yaml: "
                            f"`kubectl apply -k` would leave it out")


def render(kustomize, overlay, failures):
    with tempfile.TemporaryDirectory() as tmp:
        copy_root = pathlib.Path(tmp) / "kubernetes"
        shutil.copytree(K8S, copy_root)
        for example in copy_root.rglob("*.env.example"):
            shutil.copy(example, example.with_name(example.name[: -len(".example")]))
        run = subprocess.run([kustomize, "build", str(copy_root / overlay)], capture_output=True, text=True)
        if run.returncode != 0:
            failures.append(f"kustomize build {overlay} failed: {run.stderr.strip()}")
            return []
        return [d for d in yaml.safe_load_all(run.stdout) if d]


# --- the real services with the rendered settings --------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_services(docs, bin_dir, failures):
    """Starts the three built services on loopback with the environment each
    container gets (ConfigMap and Secrets as rendered), the addresses moved to
    free loopback ports and SQLite instead of the external MySQL; as uid 10001
    when run as root (outside the sanitizer builds), in a directory it cannot write (only /tmp and DATA_DIR
    are writable in the pods). Passes when the gateway's /health says ok, and
    each service then stops by itself on SIGTERM, with exit code 0, within
    SHUTDOWN_GRACE_SECONDS."""
    objs = Objects(docs)
    binaries = {name: pathlib.Path(bin_dir).resolve() / name / f"gempool-{name}" for name in SERVICES}
    for name, path in binaries.items():
        if not path.is_file():
            failures.append(f"{path} is not built (build the tree first: make, or cmake --build)")
    if failures:
        return
    ports = {k: free_port() for k in ("http", "broker", "persistence", "m1", "m2", "m3")}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        cwd, data = tmp / "cwd", tmp / "data"
        cwd.mkdir()
        data.mkdir()
        demote = []
        sanitizers = {k: v for k, v in os.environ.items()
                      if k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS")}
        # Not under the sanitizer builds: their reports go to a directory of the
        # build tree, which uid 10001 could not write.
        if os.geteuid() == 0 and not sanitizers:
            os.chown(data, GEMPOOL_UID, GEMPOOL_UID)
            os.chmod(tmp, 0o755)
            demote = ["setpriv", f"--reuid={GEMPOOL_UID}", f"--regid={GEMPOOL_UID}", "--clear-groups"]
            # The build tree may sit where uid 10001 cannot read (/root/...).
            (tmp / "bin").mkdir()
            for name, path in binaries.items():
                binaries[name] = pathlib.Path(shutil.copy(path, tmp / "bin" / path.name))
        procs = {}
        logs = {}
        try:
            for name in ("persistence", "keybroker", "gateway"):
                c = objs.component(name)["spec"]["template"]["spec"]["containers"][0]
                env = container_env(objs, c)
                env.update(sanitizers)
                env.update({
                    "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(cwd),
                    "DATABASE_TYPE": "sqlite", "DATA_DIR": str(data), "API_KEYS": "[]", "HOST": "127.0.0.1",
                    "PORT": str(ports["http"]),
                    "KEYBROKER_ADDR": f"127.0.0.1:{ports['broker']}",
                    "PERSISTENCE_ADDR": f"127.0.0.1:{ports['persistence']}",
                    "GATEWAY_METRICS_LISTEN": f"127.0.0.1:{ports['m1']}",
                    "KEYBROKER_METRICS_LISTEN": f"127.0.0.1:{ports['m2']}",
                    "PERSISTENCE_METRICS_LISTEN": f"127.0.0.1:{ports['m3']}",
                })
                logs[name] = open(tmp / f"{name}.log", "w+")
                procs[name] = subprocess.Popen(demote + [str(binaries[name])], cwd=cwd, env=env,
                                               stdout=logs[name], stderr=subprocess.STDOUT)
            health, deadline = None, time.monotonic() + 30
            while time.monotonic() < deadline:
                for name, p in procs.items():
                    if p.poll() is not None:
                        raise RuntimeError(f"gempool-{name} exited with code {p.returncode} at start")
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{ports['http']}/health", timeout=3) as r:
                        health = r.read().decode()
                        break
                except (urllib.error.URLError, OSError) as e:
                    health = str(e)
                time.sleep(0.3)
            else:
                raise RuntimeError(f"the gateway's /health did not answer 200 within 30 s: {health}")
            print(f"ok: the services run with the rendered settings; /health: {health}")
            grace = int(container_env(objs, objs.component("gateway")["spec"]["template"]["spec"]["containers"][0])
                        .get("SHUTDOWN_GRACE_SECONDS", "30"))
            for name in ("gateway", "keybroker", "persistence"):
                started = time.monotonic()
                procs[name].send_signal(signal.SIGTERM)
                try:
                    code = procs[name].wait(timeout=grace + 2)
                except subprocess.TimeoutExpired:
                    raise RuntimeError(f"gempool-{name} did not stop within SHUTDOWN_GRACE_SECONDS ({grace} s)")
                if code != 0:
                    raise RuntimeError(f"gempool-{name} exited with code {code} on SIGTERM")
                print(f"ok: gempool-{name} drained and exited 0 in {time.monotonic() - started:.2f} s")
        except RuntimeError as e:
            failures.append(f"running the services: {e}")
            for name, f in logs.items():
                f.seek(0)
                print(f"--- gempool-{name} log:\n" + "".join(f.readlines()[-15:]))
        finally:
            for p in procs.values():
                if p.poll() is None:
                    p.kill()
                    p.wait()
            for f in logs.values():
                f.close()


# --- the mutations: each must be caught ------------------------------------

def find(docs, kind, component=None, name=None):
    for d in docs:
        if d["kind"] != kind:
            continue
        if name and d["metadata"]["name"] != name:
            continue
        if component and d.get("spec", {}).get("template", {}).get("metadata", {}).get("labels", {}).get(
                COMPONENT) != component and d["metadata"].get("labels", {}).get(COMPONENT) != component:
            continue
        return d
    raise KeyError((kind, component, name))


def container_of(docs, component):
    return find(docs, "Deployment", component)["spec"]["template"]["spec"]["containers"][0]


def set_secret_ref(docs):
    container_of(docs, "gateway")["envFrom"][1]["secretRef"]["name"] = "gempool-secrts"


def db_secret_to_gateway(docs):
    db = next(d for d in docs if d["kind"] == "Secret" and "MYSQL_PASSWORD" in (d.get("data") or {}))
    container_of(docs, "gateway")["envFrom"].append({"secretRef": {"name": db["metadata"]["name"]}})


def broker_open_to_all(docs):
    del find(docs, "NetworkPolicy", name="gempool-keybroker-ingress")["spec"]["ingress"][0]["from"]


def no_default_deny(docs):
    docs.remove(find(docs, "NetworkPolicy", name="gempool-default-deny-ingress"))


def broker_cannot_reach_persistence(docs):
    find(docs, "NetworkPolicy", name="gempool-persistence-ingress")["spec"]["ingress"][0]["from"].pop()


def config_value(docs, key, value):
    next(d for d in docs if d["kind"] == "ConfigMap" and key in d.get("data", {}))["data"][key] = value


MUTATIONS = [
    ("no readiness probe on the gateway",
     lambda d: container_of(d, "gateway").pop("readinessProbe"), "sets no readinessProbe"),
    ("the gateway's readiness on another path",
     lambda d: container_of(d, "gateway")["readinessProbe"]["httpGet"].update(path="/"), "GET /health"),
    ("a writable root filesystem",
     lambda d: container_of(d, "keybroker")["securityContext"].update(readOnlyRootFilesystem=False),
     "readOnlyRootFilesystem"),
    ("persistence as root",
     lambda d: (find(d, "Deployment", "persistence")["spec"]["template"]["spec"]["securityContext"].update(
         runAsUser=0, runAsNonRoot=False), container_of(d, "persistence")["securityContext"].update(
         runAsUser=0, runAsNonRoot=False)), "runAsNonRoot"),
    ("capabilities kept",
     lambda d: container_of(d, "gateway")["securityContext"].pop("capabilities"), "capabilities"),
    ("no memory limit",
     lambda d: container_of(d, "persistence")["resources"].pop("limits"), "limits.memory"),
    ("a memory request below the benchmark",
     lambda d: container_of(d, "gateway")["resources"]["requests"].update(memory="32Mi"), "docs/benchmarks.md"),
    ("a Secret that does not exist", set_secret_ref, "Secret 'gempool-secrts'"),
    ("a Service selecting no pod",
     lambda d: find(d, "Service", name="gempool-keybroker")["spec"]["selector"].update(
         {COMPONENT: "key-broker"}), "selects no pod"),
    ("a probe on an undeclared port",
     lambda d: container_of(d, "keybroker")["livenessProbe"]["tcpSocket"].update(port="grcp"), "does not declare"),
    ("the broker open to every pod", broker_open_to_all, "let another pod of the namespace reach keybroker:8001"),
    ("no default deny", no_default_deny, "no default-deny"),
    ("the broker's policy deleted",
     lambda d: d.remove(find(d, "NetworkPolicy", name="gempool-keybroker-ingress")),
     "stop gateway from reaching keybroker:8001"),
    ("the broker cut off from persistence", broker_cannot_reach_persistence,
     "stop keybroker from reaching persistence:8002"),
    ("a NetworkPolicy selecting no pod",
     lambda d: find(d, "NetworkPolicy", name="gempool-keybroker-ingress")["spec"]["podSelector"]["matchLabels"].update(
         {COMPONENT: "broker"}), "selects no pod"),
    ("an API version no longer served",
     lambda d: find(d, "HorizontalPodAutoscaler").update(apiVersion="autoscaling/v2beta2"), "not an API version"),
    ("a misspelt field (schema)",
     lambda d: container_of(d, "gateway").update(readinesProbe={}), "does not validate"),
    ("two brokers during a rollout",
     lambda d: find(d, "Deployment", "keybroker")["spec"].update(strategy={"type": "RollingUpdate"}), "Recreate"),
    ("a grace period shorter than the drain",
     lambda d: find(d, "Deployment", "gateway")["spec"]["template"]["spec"].update(
         terminationGracePeriodSeconds=30), "terminationGracePeriodSeconds"),
    ("the database passwords in the gateway", db_secret_to_gateway, "database passwords"),
    ("KEYBROKER_ADDR on the wrong port",
     lambda d: config_value(d, "KEYBROKER_ADDR", "gempool-keybroker:9001"), "KEYBROKER_ADDR"),
    ("one gateway",
     lambda d: find(d, "HorizontalPodAutoscaler").__getitem__("spec").update(minReplicas=1), "fewer than 2"),
    ("two persistence replicas",
     lambda d: find(d, "Deployment", "persistence")["spec"].update(replicas=2), "exactly 1 replica"),
]

TRIAL_MUTATIONS = [
    ("MySQL open to the gateways",
     lambda d: find(d, "NetworkPolicy", name="gempool-mysql-ingress")["spec"]["ingress"][0]["from"].append(
         {"podSelector": {"matchLabels": {COMPONENT: "gateway"}}}), "let gateway reach mysql:3306"),
    ("MYSQL_HOST naming no Service", lambda d: config_value(d, "MYSQL_HOST", "gempool-db"), "MYSQL_HOST"),
    ("MySQL reading a key its Secret lacks",
     lambda d: find(d, "StatefulSet")["spec"]["template"]["spec"]["containers"][0]["env"][0]["valueFrom"][
         "secretKeyRef"].update(key="ROOT_PASSWORD"), "has no such key"),
]


def self_test(rendered):
    """Each mutation of the (passing) rendered objects must fail with its message."""
    problems = []
    for overlay, title, mutate, expected in ([("base",) + m for m in MUTATIONS] +
                                             [("trial",) + m for m in TRIAL_MUTATIONS]):
        docs = copy.deepcopy(rendered[overlay])
        mutate(docs)
        found = check_rendered(docs, "mutated", schema=(expected in ("does not validate", "not an API version")))
        if not any(expected in f for f in found):
            problems.append(f"the check missed a break: {title} (expected a failure containing {expected!r}; "
                            f"got {found or 'none'})")
        else:
            print(f"ok: caught {title}")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kustomize", required=True)
    parser.add_argument("--bin-dir", help="the build tree's services/ directory: also run the built services "
                                          "with the rendered settings")
    args = parser.parse_args()
    failures = []
    check_sources(failures)
    rendered = {}
    for overlay in OVERLAYS:
        docs = render(args.kustomize, overlay, failures)
        if docs:
            rendered[overlay] = docs
            found = check_rendered(docs, overlay)
            failures += found
            print(f"{overlay}: {len(docs)} objects ({', '.join(sorted({d['kind'] for d in docs}))}): "
                  f"{len(found)} problem(s)")
    if set(rendered) == set(OVERLAYS) and not failures:
        failures += self_test(rendered)
    if args.bin_dir and "base" in rendered and not failures:
        run_services(rendered["base"], args.bin_dir, failures)
    for f in failures:
        print("FAIL:", f)
    if failures:
        print(f"{len(failures)} problem(s) in deploy/kubernetes")
        return 1
    print("deploy/kubernetes: every check passed, and every break was caught")
    return 0


if __name__ == "__main__":
    sys.exit(main())
