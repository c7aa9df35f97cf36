#!/usr/bin/env python3
"""Profiles gempool's request path (not part of make bench; minutes, not seconds).

1. callgrind: the gateway and the key broker run under valgrind --tool=callgrind
   with instrumentation off while stream_load sends --base-requests calls
   one at a time (start-up, the 100,000-key load and first-use allocations
   stay out), then with it on (callgrind_control) for --requests calls.
   Writes the inclusive and self cost per request of each function, per
   service.
2. perf (when `perf record -e cpu-clock` works; this machine's VM has no
   hardware counters): the whole system sampled during a wrk run at
   concurrency 64 against the normally built stack, split by process and by
   shared object, to show where the two cores go.

  bench/install.sh --profile     # valgrind and perf
  bench/profile.py --build-dir build-bench [--requests 2000] [--out DIR] [--skip-callgrind]
"""

import argparse
import os
import shutil
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # No __pycache__ in bench/ when run_bench.py is imported.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_bench  # noqa: E402
from run_bench import Bench, log  # noqa: E402


def annotate(path, inclusive):
    """{function: Ir} from callgrind_annotate (every function, self or inclusive)."""
    argv = ["callgrind_annotate", "--inclusive=%s" % ("yes" if inclusive else "no"), "--threshold=100",
            "--auto=no", path]
    text = subprocess.run(argv, capture_output=True, text=True, timeout=600).stdout
    costs = {}
    for line in text.splitlines():
        parts = line.strip().split(None, 2)
        if len(parts) < 3 or not parts[1].startswith("(") or "PROGRAM TOTALS" in line:
            continue
        try:
            ir = int(parts[0].replace(",", ""))
        except ValueError:
            continue
        name = parts[2].strip()
        costs[name] = costs.get(name, 0) + ir
    return costs


def total_ir(path):
    # "totals:" is the events counted; "summary:" can be 0 when instrumentation
    # was switched on and off during the run.
    found = 0
    with open(path) as f:
        for line in f:
            if line.startswith("summary:") or line.startswith("totals:"):
                found = max(found, int(line.split()[1]))
    return found


def short(name, width=150):
    # "file:function [object]" -> "function [object basename]"
    obj = ""
    if name.endswith("]") and " [" in name:
        name, obj = name.rsplit(" [", 1)
        obj = " [" + os.path.basename(obj[:-1]) + "]"
    if ":" in name and not name.startswith("???"):
        name = name.split(":", 1)[1] if name.split(":", 1)[0].endswith((".c", ".cc", ".h", ".S", ".cpp")) else name
    name = name.replace("???:", "")
    text = name + obj
    return text if len(text) <= width else text[:width - 1] + "…"


# Self cost grouped by what it is (first matching pattern wins).
GROUPS = [
    ("std::regex (route matching)", ("std::__detail::", "regex")),
    ("malloc / free / new / delete", ("malloc", "_int_free", "free [", "cfree", "operator new", "operator delete",
                                      "unlink_chunk", "alloc_perturb", "tcache")),
    ("header case folding (tolower)", ("tolower", "toupper")),
    ("memcpy / memcmp / strings", ("memcpy", "memmove", "memcmp", "memset", "strlen", "basic_string")),
    ("absl::Mutex (gRPC's locks)", ("absl::debian3::Mutex", "libabsl_synchronization", "GraphCycles",
                                    "ThreadIdentity", "libabsl_base")),
    ("gRPC", ("grpc", "libgpr", "libupb", "libaddress_sorting")),
    ("protobuf", ("protobuf", ".pb.")),
    ("cpp-httplib", ("libcpp-httplib",)),
    ("thread-local lookups", ("__tls_get_addr", "pthread_getspecific", "TLS init")),
    ("printf / stdio", ("printf", "_IO_", "vfprintf")),
    ("gempool code", ("gempool::",)),
]


def grouped(self_costs):
    totals = {}
    for name, ir in self_costs.items():
        group = "other"
        for label, patterns in GROUPS:
            if any(p in name for p in patterns):
                group = label
                break
        totals[group] = totals.get(group, 0) + ir
    return totals


# Which call send_calls sends (--case).
CASE = "generate"


def callgrind_control(pid, *args):
    """Runs callgrind_control on a service under callgrind. vgdb finds the
    process by files named after $HOST, and the services' environment sets
    HOST (their listen address): callgrind_control must see the same."""
    with open("/proc/%d/environ" % pid, "rb") as f:
        service_env = dict(v.decode(errors="replace").split("=", 1) for v in f.read().split(b"\0") if b"=" in v)
    env = dict(os.environ)
    env.pop("HOST", None)
    if "HOST" in service_env:
        env["HOST"] = service_env["HOST"]
    r = subprocess.run(["callgrind_control"] + list(args) + [str(pid)], capture_output=True, text=True, timeout=120,
                       env=env)
    if r.returncode != 0 or "error" in (r.stdout + r.stderr).lower():
        raise RuntimeError("callgrind_control %s %d failed: %s" % (" ".join(args), pid, (r.stdout + r.stderr)[-400:]))


def send_calls(bench, requests):
    """`requests` calls through the gateway, one at a time."""
    port, prefix, headers = bench.target("gempool")
    path = "%s/models/%s:generateContent" % (prefix, run_bench.UNARY_MODEL)
    body = bench.body_file
    if CASE == "chat":
        # OpenAI chat: the conversion both ways on top of the native path.
        path, body = "/v1/chat/completions", bench.chat_file
    argv = [bench.stream_load_bin, "--port", str(port), "--path", path, "--body-file", body,
            "--mode", "unary", "--concurrency", "1", "--total", str(requests), "--timeout-s", "1200"]
    for h in headers:
        argv += ["--header", h]
    t0 = time.monotonic()
    out = subprocess.run(argv, capture_output=True, text=True, timeout=1300, check=True).stdout
    log("%d requests in %.0f s under callgrind: %s" % (requests, time.monotonic() - t0, out[:120]))


def callgrind(bench, out_dir, requests, base_requests):
    """Gateway and broker under callgrind with instrumentation off; after
    base_requests warm-up calls (start-up, the 100,000-key load and first-use
    allocations stay out) instrumentation is switched on (callgrind_control)
    for `requests` calls, and off again before the services stop, so the
    profile they write at exit holds those calls only. Every thread counts:
    what runs by the clock meanwhile (timers, polls) is charged to the calls
    too, which is small with the stack otherwise idle."""
    bench.write_inputs()
    bench.start_fake()
    services = ("gateway", "keybroker")
    wrap = {svc: ["valgrind", "--tool=callgrind", "--callgrind-out-file=%s/callgrind.%s.%%p" % (out_dir, svc),
                  "--instr-atstart=no"] for svc in services}
    gp = bench.start_gempool("gempool-callgrind", keys_env_file=bench.env_file, threads=64, wrap=wrap)
    bench.gempool = gp
    pids = {p.name.rsplit("-", 1)[1]: p.pid for p in gp["procs"]}
    send_calls(bench, base_requests)
    time.sleep(1.5)  # The warm-up's outcome reports and log rows go out first.
    for svc in services:
        callgrind_control(pids[svc], "--instr=on")
    send_calls(bench, requests)
    time.sleep(1.5)  # Let the outcome reporter and the log writer send their last batch.
    for svc in services:
        callgrind_control(pids[svc], "--instr=off")
    for p in reversed(gp["procs"]):
        p.stop(timeout=120)
    summary = []
    for svc in services:
        dump = os.path.join(out_dir, "callgrind.%s.%d" % (svc, pids[svc]))
        ir = total_ir(dump)
        summary.append("%s: %.0f instructions (Ir) per request (%d requests: %d Ir)" % (svc, ir / requests, requests, ir))
        with open(os.path.join(out_dir, "%s-groups.txt" % svc), "w") as f:
            f.write("# %s, self cost per request by kind (Ir), %d requests at concurrency 1\n" % (svc, requests))
            groups = grouped(annotate(dump, False))
            for d, k in sorted(((v, k) for k, v in groups.items()), reverse=True):
                f.write("%10.0f  %5.1f%%  %s\n" % (d / requests, 100.0 * d / ir, k))
        for inclusive in (True, False):
            costs = annotate(dump, inclusive)
            name = "%s-%s.txt" % (svc, "inclusive" if inclusive else "self")
            with open(os.path.join(out_dir, name), "w") as f:
                f.write("# %s, %s cost per request (Ir), from %d requests at concurrency 1\n" % (
                    svc, "inclusive" if inclusive else "self", requests))
                f.write("# total %.0f Ir/request\n" % (ir / requests))
                for d, k in sorted(((v, k) for k, v in costs.items()), reverse=True)[:(60 if inclusive else 400)]:
                    if d <= 0:
                        break
                    f.write("%10.0f  %5.1f%%  %s\n" % (d / requests, 100.0 * d / ir, short(k)))
    return summary


def rpc_probe_binary(build):
    """bench/rpc_probe.cc, compiled against the build's generated protos."""
    binary = os.path.join(build, "bench", "rpc_probe")
    source = os.path.join(run_bench.BENCH, "rpc_probe.cc")
    if not os.path.exists(binary) or os.path.getmtime(source) > os.path.getmtime(binary):
        flags = subprocess.run(["pkg-config", "--cflags", "--libs", "grpc++", "protobuf"], capture_output=True,
                               text=True, check=True).stdout.split()
        subprocess.run(["c++", "-O2", "-std=c++17", "-o", binary, source, "-I", os.path.join(build, "proto", "gen"),
                        os.path.join(build, "proto", "libgempool_proto.a")] + flags, check=True, timeout=300)
    return binary


def rpc_split(bench, out_dir, build, calls=5000):
    """The broker's two RPCs timed alone, against the normally built stack."""
    gp = bench.start_gempool("gempool-rpc", keys_env_file=bench.env_file)
    try:
        out = subprocess.run([rpc_probe_binary(build), "--addr", "127.0.0.1:%d" % gp["keybroker_port"], "--calls",
                              str(calls)], capture_output=True, text=True, timeout=600, check=True).stdout.strip()
    finally:
        for p in reversed(gp["procs"]):
            p.stop()
    with open(os.path.join(out_dir, "rpc-latency.json"), "w") as f:
        f.write(out + "\n")
    return ["key broker RPCs one at a time (%d calls, 100,000 keys): %s" % (calls, out)]


def perf_split(bench, out_dir, seconds):
    if shutil.which("perf") is None:
        return ["perf not installed"]
    gp = bench.start_gempool("gempool-perf", keys_env_file=bench.env_file)
    bench.gempool = gp
    port, prefix, headers = bench.target("gempool")
    path = "%s/models/%s:generateContent" % (prefix, run_bench.UNARY_MODEL)
    bench.wrk("gempool", path, headers, 64, 2)  # Warm-up.
    data = os.path.join(out_dir, "perf.data")
    rec = subprocess.Popen(["perf", "record", "-e", "cpu-clock", "-F", "999", "-a", "-g", "-o", data, "--",
                            "sleep", str(seconds)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    r = bench.wrk("gempool", path, headers, 64, seconds)
    rec.wait(seconds + 60)
    lines = ["wrk c=64 through gempool during the profile: %.0f req/s" % r["rps"]]
    # Samples per process (perf script's pid is the process id), split
    # between the kernel and user space.
    script = subprocess.run(["perf", "script", "-i", data, "-F", "pid,ip,dso", "-G"], capture_output=True, text=True,
                            timeout=600).stdout
    names = {p.pid: p.name for p in gp["procs"] + [bench.fake]}
    counts, kernel, total = {}, {}, 0
    for line in script.splitlines():
        parts = line.split(None, 1)
        if not parts or not parts[0].isdigit():
            continue
        name = names.get(int(parts[0]), "other processes (wrk and whatever else ran)")
        counts[name] = counts.get(name, 0) + 1
        kernel[name] = kernel.get(name, 0) + ("[kernel" in line)
        total += 1
    shares = ["%s %.1f%% (kernel %.1f%%)" % (n, 100.0 * c / total, 100.0 * kernel[n] / total)
              for n, c in sorted(counts.items(), key=lambda kv: -kv[1])] if total else ["no samples"]
    lines.append("CPU samples by process (perf record -e cpu-clock -a, %d s; 100%% = both cores): %s" % (
        seconds, "; ".join(shares)))
    for sort, name in (("comm", "perf-by-thread-name.txt"), ("comm,dso", "perf-by-dso.txt"),
                       ("comm,dso,symbol", "perf-by-symbol.txt")):
        text = subprocess.run(["perf", "report", "-i", data, "--no-children", "--sort", sort, "--stdio", "-g", "none",
                               "--percent-limit", "0.5"], capture_output=True, text=True, timeout=300).stdout
        with open(os.path.join(out_dir, name), "w") as f:
            f.write("\n".join(l[:200].rstrip() for l in text.splitlines()) + "\n")
    for p in reversed(gp["procs"]):
        p.stop()
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build-dir", default=os.path.join(run_bench.ROOT, "build-bench"))
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--case", choices=["generate", "chat"], default="generate",
                    help="the call profiled: native generateContent or OpenAI chat completions")
    ap.add_argument("--base-requests", type=int, default=100)
    ap.add_argument("--skip-callgrind", action="store_true")
    ap.add_argument("--perf-seconds", type=int, default=5, help="0 skips the perf part")
    ap.add_argument("--out", help="default: BUILD/bench/profile")
    args = ap.parse_args()
    global CASE
    CASE = args.case
    build = os.path.abspath(args.build_dir)
    out_dir = os.path.abspath(args.out or os.path.join(build, "bench", "profile"))
    os.makedirs(out_dir, exist_ok=True)
    bench_args = argparse.Namespace(build_dir=build, duration=5, stream_total=0, quick=False)
    bench = Bench(bench_args)
    bench.stream_load_bin = os.path.join(build, "bench", "stream_load")
    try:
        summary = [] if args.skip_callgrind else callgrind(bench, out_dir, args.requests, args.base_requests)
        if args.skip_callgrind:
            bench.write_inputs()
            bench.start_fake()
        summary += rpc_split(bench, out_dir, build)
        if args.perf_seconds > 0:
            summary += perf_split(bench, out_dir, args.perf_seconds)
    finally:
        bench.stop_all()
    shutil.rmtree(bench.tmp, ignore_errors=True)
    with open(os.path.join(out_dir, "summary.txt"), "w") as f:
        f.write("\n".join(summary) + "\n")
    print("\n".join(summary))
    log("profiles in " + out_dir)


if __name__ == "__main__":
    main()
