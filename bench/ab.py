#!/usr/bin/env python3
"""Compares gempool variants on one case, interleaved (not part of make bench).

A change worth a few percent is smaller than this machine's drift between two
runs minutes apart (docs/benchmarks.md: the chat case moved by 10% for one
build), so comparing a full `make bench` before and after says little. This
runs one request/response case through gempool for each variant in turn,
round after round, each on a fresh stack (fake upstream, persistence, broker,
gateway; 100,000 keys, request logging on, as in make bench), and reports
calls/s and the CPU each gempool process spent per call (from /proc/PID/stat;
less sensitive to drift than throughput), then the median of each.

A variant is NAME=BUILD_DIR, optionally followed by environment settings for
the gateway only:

  bench/ab.py --case chat --variant before=build-a --variant after=build-b
  bench/ab.py --variant two-arenas=build-bench,MALLOC_ARENA_MAX=2 \\
              --variant default=build-bench --rounds 4
"""
import argparse
import os
import shutil
import statistics
import sys
import time
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_bench  # noqa: E402


def parse_variant(text):
    name, sep, rest = text.partition("=")
    if not sep or not name or not rest:
        raise argparse.ArgumentTypeError("expected NAME=BUILD_DIR[,VAR=VALUE...], got %r" % text)
    parts = rest.split(",")
    env = []
    for setting in parts[1:]:
        if "=" not in setting:
            raise argparse.ArgumentTypeError("expected VAR=VALUE after the build directory, got %r" % setting)
        env.append(setting)
    return types.SimpleNamespace(name=name, build_dir=parts[0], env=env)


def run_once(variant, args):
    ns = types.SimpleNamespace(build_dir=variant.build_dir, duration=args.duration, quick=False,
                               stream_total=96, stream_load=None, wait_quiet=0, json=None, out=None)
    bench = run_bench.Bench(ns)
    try:
        bench.write_inputs()
        bench.start_fake()
        wrap = {"gateway": ["env"] + variant.env} if variant.env else None
        bench.gempool = bench.start_gempool(wrap=wrap)
        time.sleep(2)  # The replica's snapshot, the first connections.
        before = {p.name: p.cpu_ticks() for p in bench.gempool["procs"]}
        if args.case == "chat":
            _, _, headers = bench.target("gempool", "openai")
            result = bench.wrk("gempool", "/v1/chat/completions", headers, args.concurrency, args.duration,
                               body_file=bench.chat_file)
        else:
            _, prefix, headers = bench.target("gempool")
            result = bench.wrk("gempool", "%s/models/%s:generateContent" % (prefix, run_bench.UNARY_MODEL), headers,
                               args.concurrency, args.duration)
        calls = max(1, result.get("requests") or int(result["rps"] * args.duration))
        cpu_us = {p.name.replace("gempool-", ""): 1e6 * (p.cpu_ticks() - before[p.name]) / run_bench.CLK_TCK / calls
                  for p in bench.gempool["procs"]}
        return result["rps"], result["latency_us"]["p99"] / 1e3, cpu_us
    finally:
        bench.stop_all()
        shutil.rmtree(bench.tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--variant", type=parse_variant, action="append", required=True,
                    help="NAME=BUILD_DIR[,VAR=VALUE...] (two or more)")
    ap.add_argument("--case", choices=["chat", "generate"], default="chat",
                    help="OpenAI chat completions or native generateContent")
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--duration", type=int, default=6, help="seconds per run")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    if len(args.variant) < 2:
        ap.error("give at least two --variant")
    runs = {v.name: [] for v in args.variant}
    for r in range(args.rounds):
        for v in args.variant:
            rps, p99, cpu = run_once(v, args)
            runs[v.name].append((rps, cpu))
            print("round %d %-12s %8.0f calls/s  p99 %7.2f ms  CPU µs per call: %s" %
                  (r + 1, v.name, rps, p99, ", ".join("%s %.1f" % kv for kv in sorted(cpu.items()))), flush=True)
    print("median over %d rounds (%s, c=%d, %d s runs):" % (args.rounds, args.case, args.concurrency, args.duration))
    for v in args.variant:
        rps = statistics.median(x[0] for x in runs[v.name])
        gateway = statistics.median(x[1].get("gateway", 0) for x in runs[v.name])
        print("  %-12s %8.0f calls/s  gateway %.1f µs per call" % (v.name, rps, gateway))


if __name__ == "__main__":
    main()
