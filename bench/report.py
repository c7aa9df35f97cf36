"""Turns bench/run_bench.py's results into docs/benchmarks.md and a console table.

render(results) -> the whole Markdown document; summary_table(results) -> the
main table as plain text. Pure functions of the results dict (and of
bench/analysis.md, which is appended verbatim). Also runnable on a saved
results.json: python3 bench/report.py BUILD/bench/results.json > docs/benchmarks.md
"""

import json
import os
import sys

BENCH = os.path.dirname(os.path.abspath(__file__))
TARGETS = ["direct", "nginx", "gempool", "portkey"]
CONCURRENCIES = ["1", "16", "64", "256"]


def ms(us):
    return None if us is None else us / 1000.0


def fmt_ms(v, plus=False):
    if v is None:
        return "–"
    return ("%+.2f" if plus else "%.2f") % v


def fmt_ratio(a, b):
    # Ratios of differences (added latency) mean nothing once a difference is
    # zero or negative (the proxy measured no slower than direct, i.e. noise).
    if a is None or b is None or b <= 0 or a < 0:
        return "–"
    r = a / b
    return "%.2f×" % r if r < 10 else "%.0f×" % r


def fmt_rps(v):
    return "–" if v is None else "{:,.0f}".format(v)


def mib(kb):
    return None if kb is None else kb / 1024.0


def fmt_mib(kb):
    return "–" if kb is None else "%.1f" % mib(kb)


def row(cells):
    return "| " + " | ".join(str(c) for c in cells) + " |"


def unary(results, conc, target):
    return results["cases"].get("unary", {}).get(conc, {}).get(target)


def added(results, conc, target, pct):
    r, d = unary(results, conc, target), unary(results, conc, "direct")
    if not r or not d:
        return None
    return ms(r["latency_us"][pct] - d["latency_us"][pct])


def stream_added(case, target, metric, pct):
    r, d = case.get(target), case.get("direct")
    if not r or not d or r[metric]["n"] == 0 or d[metric]["n"] == 0:
        return None
    return ms(r[metric][pct] - d[metric][pct])


def main_rows(results):
    """[label, direct, nginx, gempool, portkey, gempool÷nginx, gempool÷Portkey] rows."""
    rows = []
    for conc in CONCURRENCIES:
        rps = {t: (unary(results, conc, t) or {}).get("rps") for t in TARGETS}
        errs = {t: (unary(results, conc, t) or {}).get("error_count", 0) for t in TARGETS}
        cells = []
        for t in TARGETS:
            cell = fmt_rps(rps[t])
            if errs[t]:
                cell += " (%d errors)" % errs[t]
            cells.append(cell)
        rows.append(["generateContent c=%s: throughput (req/s)" % conc] + cells +
                    [fmt_ratio(rps["gempool"], rps["nginx"]), fmt_ratio(rps["gempool"], rps["portkey"])])
        for pct in ("p50", "p99"):
            d = unary(results, conc, "direct")
            add = {t: added(results, conc, t, pct) for t in TARGETS[1:]}
            rows.append(["generateContent c=%s: added latency %s (ms)" % (conc, pct),
                         "(%s)" % fmt_ms(ms(d["latency_us"][pct])) if d else "–"] +
                        [fmt_ms(add[t], plus=True) for t in TARGETS[1:]] +
                        [fmt_ratio(add["gempool"], add["nginx"]), fmt_ratio(add["gempool"], add["portkey"])])
    oa = results["cases"].get("openai", {})
    nginx64 = (unary(results, "64", "nginx") or {}).get("rps")
    pk = oa.get("portkey", {}).get("rps")
    if oa.get("gempool_serves"):
        gp = oa["gempool"]["rps"]
        rows.append(["OpenAI chat (non-stream) c=64: throughput (req/s)", "–", "(native %s)" % fmt_rps(nginx64),
                     fmt_rps(gp), fmt_rps(pk), fmt_ratio(gp, nginx64), fmt_ratio(gp, pk)])
    else:
        rows.append(["OpenAI chat (non-stream) c=64: throughput (req/s)", "–", "(native %s)" % fmt_rps(nginx64),
                     "pending OpenAI API", fmt_rps(pk), "pending", "pending"])
    st = results["cases"].get("stream", {})
    if st:
        for metric, pct, label in (("ttfc_us", "p50", "added time to first chunk p50"),
                                   ("ttfc_us", "p99", "added time to first chunk p99"),
                                   ("gap_us", "p99", "inter-chunk gap p99")):
            d = st.get("direct")
            add = {t: stream_added(st, t, metric, pct) for t in TARGETS[1:]}
            if metric == "gap_us":
                vals = {t: ms(st[t][metric][pct]) if st.get(t) else None for t in TARGETS}
                rows.append(["SSE 64 chunks × 20 ms, c=16: %s (ms)" % label] +
                            [fmt_ms(vals[t]) for t in TARGETS] +
                            [fmt_ratio(add["gempool"], add["nginx"]), fmt_ratio(add["gempool"], add["portkey"])])
            else:
                rows.append(["SSE 64 chunks × 20 ms, c=16: %s (ms)" % label,
                             "(%s)" % fmt_ms(ms(d[metric][pct])) if d else "–"] +
                            [fmt_ms(add[t], plus=True) for t in TARGETS[1:]] +
                            [fmt_ratio(add["gempool"], add["nginx"]), fmt_ratio(add["gempool"], add["portkey"])])
        rows.append(["SSE 64 chunks × 20 ms, c=16: streams ok / chunks that arrived together"] +
                    ["%d / %d" % (st[t]["ok"], st[t]["gaps_under_2ms"]) if st.get(t) else "–" for t in TARGETS] +
                    ["", ""])
    many = results["cases"].get("many", {})
    if many:
        rows.append(["2,000 concurrent streams: completed (errors)"] +
                    ["%d (%d)" % (many[t]["ok"], many[t]["error_count"]) if many.get(t) else "–" for t in TARGETS] +
                    ["", ""])
        for metric, pct, label in (("ttfc_us", "p99", "time to first chunk p99"),
                                   ("gap_us", "p99", "inter-chunk gap p99")):
            vals = {t: ms(many[t][metric][pct]) if many.get(t) and many[t]["ok"] else None for t in TARGETS}
            rows.append(["2,000 concurrent streams: %s (ms)" % label] + [fmt_ms(vals[t]) for t in TARGETS] +
                        [fmt_ratio(vals["gempool"], vals["nginx"]), fmt_ratio(vals["gempool"], vals["portkey"])])
        rows.append(["2,000 concurrent streams: chunks that arrived together"] +
                    ["%d" % many[t]["gaps_under_2ms"] if many.get(t) else "–" for t in TARGETS] + ["", ""])
        rows.append(["2,000 concurrent streams: proxy CPU (% of one core)", "–"] +
                    ["%.0f" % many[t]["cpu"]["target_pct"] if many.get(t) else "–" for t in TARGETS[1:]] +
                    ["", ""])
    return rows


HEADER = ["Case", "direct", "nginx", "gempool", "Portkey", "gempool ÷ nginx", "gempool ÷ Portkey"]


def markdown_table(header, rows):
    out = [row(header), row(["---"] * len(header))]
    out += [row(r) for r in rows]
    return "\n".join(out)


def summary_table(results):
    rows = [HEADER] + main_rows(results)
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(HEADER))]
    lines = []
    for k, r in enumerate(rows):
        lines.append("  ".join(str(c).ljust(widths[i]) if i == 0 else str(c).rjust(widths[i])
                               for i, c in enumerate(r)))
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def keypool_ns(results, name):
    for b in results.get("keypool", []):
        if b["name"] == name:
            scale = {"ns": 1, "us": 1e3, "ms": 1e6}.get(b["time_unit"], 1)
            return b["real_ns"] * scale
    return None


def verdict(ok):
    return "met" if ok else "**missed**"


def targets_rows(results):
    rows = []
    oa = results["cases"].get("openai", {})
    nginx64 = (unary(results, "64", "nginx") or {}).get("rps")
    gp64 = (unary(results, "64", "gempool") or {}).get("rps")
    pk64 = (unary(results, "64", "portkey") or {}).get("rps")
    if oa.get("gempool_serves"):
        gp, pk = oa["gempool"]["rps"], oa.get("portkey", {}).get("rps")
        r1, r2 = gp / nginx64, gp / pk if pk else None
        rows.append(["OpenAI chat c=64 throughput ≥ 50% of nginx", "%.0f%%" % (100 * r1), verdict(r1 >= 0.5),
                     "" if r1 >= 0.5 else "%.0f points short" % (100 * (0.5 - r1))])
        rows.append(["OpenAI chat c=64 throughput ≥ 10× Portkey", fmt_ratio(gp, pk), verdict(r2 and r2 >= 10),
                     "" if r2 and r2 >= 10 else "%.1f× short of 10×" % (10 / r2 if r2 else 0)])
    else:
        rows.append(["OpenAI chat c=64 throughput ≥ 50% of nginx, ≥ 10× Portkey", "pending OpenAI API", "pending",
                     "native generateContent c=64 for now: %s of nginx, %s Portkey" % (
                         "%.0f%%" % (100 * gp64 / nginx64) if gp64 and nginx64 else "–", fmt_ratio(gp64, pk64))])
    p50, p99 = added(results, "1", "gempool", "p50"), added(results, "1", "gempool", "p99")
    if p50 is not None:
        rows.append(["Added latency c=1 p50 ≤ 0.25 ms", "%.3f ms" % p50, verdict(p50 <= 0.25),
                     "" if p50 <= 0.25 else "+%.3f ms (%.1f× the target)" % (p50 - 0.25, p50 / 0.25)])
        rows.append(["Added latency c=1 p99 ≤ 1 ms", "%.3f ms" % p99, verdict(p99 <= 1.0),
                     "" if p99 <= 1.0 else "+%.3f ms (%.1f× the target)" % (p99 - 1.0, p99 / 1.0)])
    st = results["cases"].get("stream", {})
    ttfc = stream_added(st, "gempool", "ttfc_us", "p99") if st else None
    if ttfc is not None:
        rows.append(["Streams: added time to first chunk p99 ≤ 2 ms", "%.2f ms" % ttfc, verdict(ttfc <= 2.0),
                     "" if ttfc <= 2.0 else "+%.2f ms" % (ttfc - 2.0)])
    many = results["cases"].get("many", {})
    mem = results.get("memory", {})
    if many.get("gempool"):
        g, d = many["gempool"], many.get("direct", {})
        ok = g["error_count"] == 0 and g["ok"] == g["total"]
        rows.append(["2,000 concurrent streams complete with no error", "%d ok, %d errors" % (g["ok"], g["error_count"]),
                     verdict(ok), "" if ok else "%d streams failed: %s" % (g["total"] - g["ok"], g["errors"])])
        together, base = g["gaps_under_2ms"], d.get("gaps_under_2ms", 0)
        gap_add = (g["gap_us"]["p99"] - d["gap_us"]["p99"]) / 1e3 if d.get("ok") and g["ok"] else None
        ok = together <= base + max(10, base // 10)
        rows.append(["2,000 streams: every chunk forwarded as it arrives",
                     "%d chunks arrived together (direct: %d); gap p99 %s ms vs direct" % (
                         together, base, fmt_ms(gap_add, plus=True)), verdict(ok),
                     "" if ok else "%d more chunks held back and sent together" % (together - base)])
        peak_gw = g["rss_peak_kb"].get("gempool-gateway")
        ok = peak_gw is not None and peak_gw < 200 * 1024
        rows.append(["2,000 streams: gateway memory < 200 MB during", "%s MiB peak" % fmt_mib(peak_gw), verdict(ok),
                     "" if ok else "+%.0f MiB" % (mib(peak_gw) - 200)])
        idle = mem.get("idle", {}).get("gateway", {}).get("rss_kb")
        after = mem.get("after", {}).get("gateway", {}).get("rss_kb")
        if idle and after:
            ok = after <= idle * 1.25 + 5 * 1024
            rows.append(["2,000 streams: gateway memory back near idle after", "%s MiB after, %s MiB idle" % (
                fmt_mib(after), fmt_mib(idle)), verdict(ok), "" if ok else "%.0f MiB above idle" % mib(after - idle)])
    for label, what in (("idle_one_key", "1 key"), ("idle_default_threads", "100,000 keys in API_KEYS")):
        idle = mem.get(label, {})
        if not idle:
            continue
        worst = max(v["rss_kb"] for v in idle.values())
        over = ["%s +%.1f MiB" % (k, mib(v["rss_kb"]) - 30) for k, v in sorted(idle.items())
                if v["rss_kb"] >= 30 * 1024]
        rows.append(["Idle memory < 30 MB per service (default settings, %s)" % what,
                     ", ".join("%s %.1f" % (k, mib(v["rss_kb"])) for k, v in sorted(idle.items())) + " MiB",
                     verdict(worst < 30 * 1024), "; ".join(over)])
    acq = keypool_ns(results, "BM_AcquireReport/100000")
    if acq is not None:
        rows.append(["Key acquisition < 1 µs with 100,000 keys (Acquire + Report, Google Benchmark)",
                     "%.0f ns" % acq, verdict(acq < 1000), "" if acq < 1000 else "+%.0f ns" % (acq - 1000)])
    logs = results.get("request_log_rows")
    gp_req = sum((unary(results, c, "gempool") or {}).get("requests", 0) for c in CONCURRENCIES)
    rows.append(["Request logging on, nothing on the request path waits on the database",
                 "%s request-log rows in SQLite after the run (%s wrk requests through gempool, plus streams)" % (
                     "{:,}".format(logs) if isinstance(logs, int) else logs, "{:,}".format(gp_req)),
                 "logged", ""])
    return rows


def cpu_rows(results):
    rows = []
    for conc in CONCURRENCIES:
        for t in TARGETS:
            r = unary(results, conc, t)
            if r:
                rows.append(["generateContent c=%s → %s" % (conc, t), "%.0f" % r["cpu"]["fake_pct"],
                             "%.0f" % r["cpu"]["load_pct"], "–" if t == "direct" else "%.0f" % r["cpu"]["target_pct"]])
    for case, label in (("stream", "SSE 64×20 ms c=16"), ("many", "2,000 streams")):
        for t in TARGETS:
            r = results["cases"].get(case, {}).get(t)
            if r:
                rows.append(["%s → %s" % (label, t), "%.0f" % r["cpu"]["fake_pct"], "%.0f" % r["cpu"]["load_pct"],
                             "–" if t == "direct" else "%.0f" % r["cpu"]["target_pct"]])
    return rows


def memory_rows(results):
    mem = results.get("memory", {})
    cases = results["cases"]
    rows = []
    for svc in ("persistence", "keybroker", "gateway"):
        name = "gempool-" + svc
        peak_unary = max([(unary(results, c, "gempool") or {}).get("rss_peak_kb", {}).get(name, 0)
                          for c in CONCURRENCIES] + [0])
        peak_many = cases.get("many", {}).get("gempool", {}).get("rss_peak_kb", {}).get(name)
        d = mem.get("idle_default_threads", {}).get(svc, {})
        one = mem.get("idle_one_key", {}).get(svc, {})
        rows.append([svc,
                     "%s (%s threads)" % (fmt_mib(one.get("rss_kb")), one.get("threads", "–")),
                     "%s (%s threads)" % (fmt_mib(d.get("rss_kb")), d.get("threads", "–")),
                     "%s (%s threads)" % (fmt_mib(mem.get("idle", {}).get(svc, {}).get("rss_kb")),
                                          mem.get("idle", {}).get(svc, {}).get("threads", "–")),
                     fmt_mib(peak_unary or None), fmt_mib(peak_many),
                     "%s (%s threads)" % (fmt_mib(mem.get("after", {}).get(svc, {}).get("rss_kb")),
                                          mem.get("after", {}).get(svc, {}).get("threads", "–"))])
    return rows


def keypool_rows(results):
    rows = []
    for b in results.get("keypool", []):
        scale = {"ns": 1, "us": 1e3, "ms": 1e6}.get(b["time_unit"], 1)
        rows.append([b["name"], "%.0f" % (b["real_ns"] * scale), "%.0f" % (b["cpu_ns"] * scale)])
    return rows


def render(results):
    m = results.get("machine", {})
    s = results.get("settings", {})
    out = []
    w = out.append
    w("# Benchmarks")
    w("")
    w("Generated by `make bench` (bench/run_bench.py) on %s from commit %s%s; the analysis at the end is "
      "bench/analysis.md. Every number below comes from one run on one machine, with all four targets measured "
      "in that run, one after the other, against the same fake upstream. Absolute numbers on a shared 2-core machine "
      "drift from run to run: read the ratios." % (
          results.get("started", "?"), m.get("commit", "?"), " (with uncommitted changes)" if m.get("dirty") else ""))
    if results.get("quick"):
        w("")
        w("**This is a --quick smoke run (2 s per case): not a measurement to quote.**")
    w("")
    w("- **direct**: the client talks to the fake Gemini upstream itself (the baseline).")
    w("- **nginx**: %s as a plain reverse proxy (2 workers, up to 64 idle keep-alive connections per worker "
      "to the upstream, a connection per stream, no buffering, no logging): the cost of one proxy hop that does no "
      "work, our physical limit." % m.get("nginx", "?").replace("nginx version: ", ""))
    w("- **gempool**: the gateway, key broker and persistence (SQLite), request logging on, a pool of {:,} keys, "
      "GATEWAY_THREADS={}.".format(s.get("pool_keys", 0), s.get("gateway_threads", "?")))
    w("- **Portkey**: @portkey-ai/gateway %s on Node.js %s, native pass-through (`/v1/models/...` with "
      "`x-portkey-provider: google` and `x-portkey-custom-host: http://127.0.0.1:PORT/v1beta`; the client's "
      "`x-goog-api-key` goes along), OpenAI chat through its google provider." % (m.get("portkey", "?"),
                                                                                    m.get("node", "?")))
    w("")
    w("## Results")
    w("")
    w("Added latency is the target's percentile minus the direct percentile at the same concurrency (the direct "
      "value is in parentheses). Ratios divide gempool's number by the peer's: for throughput higher is better, "
      "for added latency lower is better.")
    w("")
    w(markdown_table(HEADER, main_rows(results)))
    w("")
    w("## Targets of issue 6")
    w("")
    w(markdown_table(["Target", "Measured", "Verdict", "Gap"], targets_rows(results)))
    w("")
    w("## CPU of the fake upstream and the load generator")
    w("")
    w("Percent of one core over each run (from /proc/PID/stat utime+stime for the fake and the proxy, getrusage for "
      "wrk and stream_load). The machine has %s cores: whatever the fake and the load generator use is not available "
      "to the proxy." % m.get("nproc", "?"))
    w("")
    w(markdown_table(["Run", "fake upstream %", "load generator %", "proxy under test %"], cpu_rows(results)))
    w("")
    w("## Memory of the gempool processes (VmRSS, MiB)")
    w("")
    w("Idle is measured 2 s after start with the pool loaded, for default settings (GATEWAY_THREADS=1024) with one "
      "key and with the 100,000 keys in API_KEYS of the .env file that all three services read (as in the compose "
      "deployment), then for the benchmark's own stack; the peaks are sampled every 100 ms during the runs; after is "
      "measured after the last case, once the streams' connections have closed.")
    w("")
    w(markdown_table(["Service", "idle, 1 key", "idle, 100,000 keys", "idle, 100,000 keys, GATEWAY_THREADS=%s" % s.get(
        "gateway_threads", "?"), "peak, generateContent", "peak, 2,000 streams", "after"], memory_rows(results)))
    w("")
    w("## Key acquisition (Google Benchmark, libs/keypool/bench)")
    w("")
    w("`keypool_bench`: one Acquire and one Report per iteration (the broker's whole work per request, without "
      "gRPC), on pools of 10 to 100,000 keys.")
    w("")
    w(markdown_table(["Benchmark", "real ns/iteration", "CPU ns/iteration"], keypool_rows(results)))
    w("")
    w("## Machine")
    w("")
    w("- %s cores, %s, %s GiB memory, Linux %s" % (m.get("nproc"), m.get("cpu"), m.get("mem_gib"), m.get("kernel")))
    w("- load average (1, 5, 15 min) before the run %s, after %s%s" % (
        " / ".join("%.2f" % x for x in results.get("load_before", [])),
        " / ".join("%.2f" % x for x in results.get("load_after", [])),
        "" if results.get("quiet_wait") in (None, True) else " (the machine never got quiet; run anyway)") +
      "; the load average after includes the benchmark's own threads")
    w("- %s; %s; Node.js %s; @portkey-ai/gateway %s with @hono/node-server %s" % (
        m.get("nginx"), m.get("wrk"), m.get("node"), m.get("portkey"), m.get("hono_node_server", "?")))
    w("- whole run: %.0f s; gempool became healthy with its pool loaded %.1f s after start" % (
        results.get("elapsed_s", 0), results.get("gempool_ready_s", 0)))
    w("")
    w("## How to run it")
    w("")
    w("```")
    w("make bench            # installs wrk, nginx, Node.js and Portkey if missing, builds (Release), runs, "
      "writes this file")
    w("BENCH_ARGS=--quick make bench     # a 4-minute smoke test (numbers not for quoting)")
    w("```")
    w("")
    w("The exact load commands of this run, one per kind (ports and temporary paths vary; the other targets differ "
      "in port, path prefix and headers as listed at the top):")
    w("")
    w("```")
    seen = set()
    for c in results.get("commands", []):
        argv = [a for a in c.split() if not a.startswith("BENCH_")]
        kind = os.path.basename(argv[0]) if argv else c
        for flag in ("-c", "--concurrency"):
            for i, a in enumerate(argv):
                if a.startswith("-c") and kind == "wrk" and flag == "-c":
                    kind += " " + a
                elif a == flag and i + 1 < len(argv):
                    kind += " " + argv[i + 1]
        if kind in seen:
            continue
        seen.add(kind)
        w(c)
    w("```")
    w("")
    w("## What the numbers mean")
    w("")
    w("- **Throughput** is completed 2xx responses per second with `c` connections each sending its next request as "
      "soon as the previous answer arrived (wrk, closed loop). Non-2xx answers are counted as errors.")
    w("- **Latency** percentiles come from wrk's histogram of all requests of the run (`latency:percentile()`), "
      "so p99 at c=1 over a 5 s run is the slowest 1% of several thousand requests.")
    w("- **Time to first chunk** runs from just before the write that completes the request to the moment the first "
      "complete SSE event (`data: ...` and a blank line) was read; **inter-chunk gap** is the time between two consecutive "
      "events of one stream. The fake sends 64 events 20 ms apart (%d events %d ms apart for the 2,000 streams, so "
      "that the fake and the client fit on this machine alongside the proxy). **Chunks that arrived together** counts "
      "gaps under 2 ms: events a proxy held back and released together instead of forwarding as they came." % (
          20, 200))
    w("- **CPU** shows where the machine's two cores went; a proxy that needs more CPU per request than the fake "
      "and the load generator cannot be measured at its own limit here, and that is stated next to the number.")
    w("")
    w("## Caveats")
    w("")
    w("- Everything (load generator, proxy, fake upstream) shares the same 2 cores; the peers' published benchmarks "
      "pin the gateway to its own cores. Throughput here is a ratio to nginx under the same constraint, not the "
      "gateway's limit.")
    w("- The fake upstream answers in microseconds; real Gemini calls take 0.3 to 30 s, so in production the "
      "gateway's added latency is a much smaller fraction, while its per-connection cost (threads, memory) matters "
      "more.")
    w("- gempool's gateway serves each open client connection, and reads each stream's upstream answer, on a thread "
      "(cpp-httplib is blocking); threads start on demand and exit after 3 s idle. GATEWAY_THREADS caps the "
      "connections served at once (default 1024); the benchmark sets %s so that 2,000 streams are served at once. "
      "Connections beyond the cap wait in the accept queue." % s.get("gateway_threads", "?"))
    w("- The fake upstream is a cpp-httplib server, which polls every idle keep-alive connection every 10 ms until "
      "its 5 s keep-alive timeout. A proxy that parks many idle connections on it slows it down: with nginx's "
      "`keepalive 512` the last chunks of the 2,000 streams arrived up to 5.2 s late (inter-chunk gap p99 5.2 s, "
      "against 0.3 s with no upstream keep-alive and 0.5 s with `keepalive 64`, measured on this machine). nginx "
      "therefore keeps 64 idle connections per worker, as gempool's gateway does, and opens one per stream; Portkey "
      "(Node's fetch) keeps its own pool, and the runs are 5.5 s apart so that one target's idle connections do not "
      "load the next.")
    w("- Portkey 1.15.2 as npm installs it today answers every successful call with HTTP 500 (`TypeError: "
      "immutable` in its updateHeaders): its dependency range lets npm pick @hono/node-server 1.19, whose "
      "Response keeps fetch's immutable headers (Portkey-AI/gateway#1389 reports it above 1.14.2 for chat; here "
      "the native pass-through fails with 1.14.2 too). bench/package.json pins @hono/node-server 1.13.8 through "
      "`overrides`, with which both routes work.")
    w("- At concurrency 16 and above the direct baseline is itself limited by this machine: the fake and wrk "
      "together use the two cores (see the CPU table). Added latency at high concurrency therefore compares "
      "queueing, and can come out negative (a proxy spreads the load differently); read throughput ratios there.")
    w("")
    analysis = os.path.join(BENCH, "analysis.md")
    if os.path.exists(analysis):
        with open(analysis) as f:
            w(f.read().rstrip())
        w("")
    return "\n".join(out)


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        print(render(json.load(f)))
