#!/usr/bin/env python3
"""Checks deploy/monitoring: the Grafana dashboard JSON parses, every panel
queries something, and every metric name its PromQL uses is one the services
export (the names registered in the sources: AddCounter, AddGauge,
AddHistogram with _bucket/_sum/_count, AddCallback, and the process_*
metrics); the Prometheus config passes `promtool check config`."""
import json
import pathlib
import re
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "deploy/monitoring/grafana/dashboards/gempool.json"
PROMETHEUS = ROOT / "deploy/monitoring/prometheus.yml"

REGISTRATION = re.compile(
    r'(AddCounter|AddGauge|AddHistogram|AddCallback)\(\s*(?:MetricType::k\w+,\s*|metrics::MetricType::k\w+,\s*)?"([a-z_:][a-z0-9_:]*)"',
    re.S)


def exported_names():
    names = set()
    for source in list((ROOT / "services").rglob("*.cc")) + list((ROOT / "libs/metrics/src").rglob("*.cc")):
        text = source.read_text(encoding="utf-8", errors="replace")
        for kind, name in REGISTRATION.findall(text):
            names.add(name)
            if kind == "AddHistogram":
                names.update({name + "_bucket", name + "_sum", name + "_count"})
    return names


def main():
    failures = []
    exported = exported_names()
    for required in ("gempool_gateway_requests_total", "process_resident_memory_bytes",
                     "gempool_keybroker_keys", "gempool_grpc_server_handled_total"):
        if required not in exported:
            failures.append(f"the source scan found no {required}: is the scan broken?")
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    panels = dashboard.get("panels", [])
    if not panels:
        failures.append("the dashboard has no panels")
    for panel in panels:
        exprs = [t.get("expr", "") for t in panel.get("targets", [])]
        if not any(exprs):
            failures.append(f"panel {panel.get('title')!r} has no query")
        for expr in exprs:
            # Metric names: identifiers not followed by '(' (functions), outside
            # label matchers and label lists.
            stripped = re.sub(r'\{[^}]*\}', '', expr)
            stripped = re.sub(r'\b(by|without)\s*\([^)]*\)', '', stripped)
            used = {m for m in re.findall(r'\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()', stripped)
                    if "_" in m}
            if not used:
                failures.append(f"panel {panel.get('title')!r}: no metric in {expr!r}")
            for name in sorted(used - exported):
                failures.append(f"panel {panel.get('title')!r} uses {name}, which no service exports")
    promtool = shutil.which("promtool")
    if promtool is None:
        failures.append("promtool is not installed (Debian's prometheus package; scripts/install-deps.sh --test)")
    else:
        check = subprocess.run([promtool, "check", "config", str(PROMETHEUS)], capture_output=True, text=True)
        if check.returncode != 0:
            failures.append("promtool check config: " + check.stdout + check.stderr)
    for failure in failures:
        print("FAIL:", failure)
    if not failures:
        print(f"ok: {len(panels)} panels, every metric exported; prometheus.yml valid")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
