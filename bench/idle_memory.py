#!/usr/bin/env python3
"""Idle memory of the three gempool services, as the benchmark measures it.

Starts persistence, key broker and gateway (default settings, GATEWAY_THREADS
unset) with a pool from the API_KEYS of the .env file all three read (as
bench/run_bench.py does for its "idle" rows), waits until the gateway answers
/health and `--settle` seconds more, then prints each process's VmRSS and
where it lives (/proc/PID/smaps_rollup: anonymous memory, i.e. heap and
thread stacks, versus pages of the binary and shared libraries). Each pool
size is measured on a first start (the keys come from API_KEYS and are
stored) and on a restart over that database (the keys come from it).

  bench/idle_memory.py --build-dir build-broker              # 1 key, then 100,000 keys
  bench/idle_memory.py --build-dir build-broker --keys 100000 --repeat 3
  bench/idle_memory.py --build-dir build-broker --keys 100000 --heaptrack keybroker

--heaptrack SERVICE runs that service under heaptrack and ends it with SIGKILL
after the reading, so that the profile's "leaked" allocations are those live
while it idled (heaptrack_print --print-leaks 1). --malloc-stats prints
glibc's malloc_stats() of each service (bytes in use against bytes held).
Every process started is stopped by its pid before the script ends.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import run_bench  # noqa: E402

SERVICES = ("persistence", "keybroker", "gateway")


def smaps_rollup_kb(pid):
    fields = {}
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 3 and parts[2] == "kB":
                    fields[parts[0].rstrip(":")] = int(parts[1])
    except OSError:
        pass
    return fields


def comm(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip()
    except OSError:
        return ""


def malloc_stats(pid):
    """glibc's malloc_stats() of a running process (through gdb): bytes the
    heap holds from the system versus bytes in use, per arena."""
    subprocess.run(["gdb", "-p", str(pid), "-batch", "-nx", "-ex", "call (void)malloc_stats()"],
                   capture_output=True, text=True, timeout=60)


def measure(bench, name, env_file, settle_s, heaptrack, stats, hold_s=0, label=""):
    profile = os.path.join(bench.tmp, "heaptrack.%s.%s%s" % (heaptrack, name, label))
    wrap = {heaptrack: ["heaptrack", "-o", profile]} if heaptrack else None
    t0 = time.monotonic()
    # The data directory is named after `name`: the same name starts on the
    # database the previous start left (keys stored, loaded from persistence).
    started = bench.start_gempool(name, keys_env_file=env_file, threads=0, wrap=wrap)
    ready_s = time.monotonic() - t0
    time.sleep(settle_s)
    rows = {}
    for proc in started["procs"]:
        service = proc.name.rsplit("-", 1)[1]
        pid = proc.pid
        if heaptrack == service:  # heaptrack's shell script runs the service as its child.
            pid = next((c for c in run_bench.children_of(pid) if comm(c).startswith("gempool-")), pid)
        rollup = smaps_rollup_kb(pid)
        if stats:
            malloc_stats(pid)  # Printed on the service's stderr, i.e. its log.
        rows[service] = {"rss_kb": run_bench.read_rss_kb(pid), "threads": run_bench.thread_count(pid),
                         "anon_kb": rollup.get("Anonymous", 0), "file_kb": rollup.get("Rss", 0) -
                         rollup.get("Anonymous", 0)}
    if hold_s > 0:
        print("holding %.0f s: %s" % (hold_s, ", ".join("%s pid %d" % (p.name, p.pid) for p in started["procs"])))
        sys.stdout.flush()
        time.sleep(hold_s)
    if heaptrack:
        # heaptrack runs the service as a child of its shell script: end the
        # service itself, at once, so that the profile's "leaked" allocations
        # are those live while it idled (heaptrack_print --print-leaks 1).
        proc = next(p for p in started["procs"] if p.name.endswith("-" + heaptrack))
        for child in run_bench.children_of(proc.pid):
            if comm(child).startswith("gempool-"):
                os.kill(child, signal.SIGKILL)
        proc.popen.wait(30)
    for proc in reversed(started["procs"]):
        proc.stop(timeout=30)
        if stats:
            with open(proc.log_path, "rb") as f:
                text = f.read().decode("utf-8", "replace")
            at = text.rfind("Arena 0:")
            print("--- %s malloc_stats:\n%s" % (proc.name, text[at:] if at >= 0 else "(none)"))
    return ready_s, rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build-dir", default=os.path.join(run_bench.ROOT, "build-bench"))
    ap.add_argument("--keys", type=int, action="append", help="pool sizes (default: 1 and 100000)")
    ap.add_argument("--settle", type=float, default=2.0, help="seconds after /health before reading (default 2)")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--heaptrack", choices=SERVICES, help="run this service under heaptrack")
    ap.add_argument("--malloc-stats", action="store_true",
                    help="print glibc's malloc_stats() of each service (through gdb) after reading")
    ap.add_argument("--hold", type=float, default=0, help="keep the services running this many seconds "
                    "after reading (to inspect them), printing their pids")
    ap.add_argument("--json", help="write the readings here too")
    args = ap.parse_args()
    args.duration = 0
    sizes = args.keys or [1, run_bench.POOL_KEYS]

    bench = run_bench.Bench(args)
    bench.fake_port = run_bench.free_port()  # BASE_URL only; nothing is sent upstream while idle.
    results = []
    try:
        for keys in sizes:
            env_file = os.path.join(bench.tmp, "keys-%d.env" % keys)
            secrets = []
            for i in range(keys):
                k = "AIzaSyBench%07d" % i
                secrets.append(k + "abcdefghijklmnopqrstuvwxyz0123456789"[:39 - len(k)])
            with open(env_file, "w") as f:
                f.write("API_KEYS=" + json.dumps(secrets, separators=(",", ":")) + "\n")
            for run in range(args.repeat):
                # A first start (the keys come from API_KEYS and are stored),
                # then a restart on that database (the keys come from it).
                for start in ("first start", "restart"):
                    name = "idle-%d-%d" % (keys, run)
                    ready_s, rows = measure(bench, name, env_file, args.settle, args.heaptrack, args.malloc_stats,
                                            args.hold, "-" + start.replace(" ", "-"))
                    results.append({"keys": keys, "run": run, "start": start, "ready_s": ready_s, "services": rows})
                    print("%d keys, %s (run %d, ready in %.1f s, read %.1f s later):" % (
                        keys, start, run + 1, ready_s, args.settle))
                    for service in SERVICES:
                        r = rows[service]
                        print("  %-12s VmRSS %6.1f MiB  (anonymous %6.1f, binary and libraries %5.1f)  %d threads" % (
                            service, r["rss_kb"] / 1024, r["anon_kb"] / 1024, r["file_kb"] / 1024, r["threads"]))
                    sys.stdout.flush()
        if args.heaptrack:
            print("heaptrack profiles (what was live while idle):\n  heaptrack_print --print-leaks 1 -f %s/heaptrack.%s.*"
                  % (bench.tmp, args.heaptrack))
    finally:
        bench.stop_all()
        if not args.heaptrack:
            shutil.rmtree(bench.tmp, ignore_errors=True)  # Databases of 100,000 keys, logs.
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
