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
GATEWAY = "gempool-gateway"
# How the bench reads "threads stay at the fixed count" (10,000 idle
# connections) and "near the idle count" (2,000 streams): a thread per
# connection or per stream would add 10,000 or 2,000.
IDLE_THREAD_SLACK = 4
STREAM_THREAD_SLACK = 32


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
    for conc in CONCURRENCIES if results["cases"].get("unary") else []:
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
    if not oa:
        pass
    elif oa.get("gempool_serves"):
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
        g = many.get("gempool")
        if g and g.get("threads_peak"):
            rows.append(["2,000 concurrent streams: gateway threads, peak (before)", "–", "–",
                         "%s (%s)" % (g["threads_peak"].get(GATEWAY, "–"),
                                      g.get("before", {}).get(GATEWAY, {}).get("threads", "–")), "–", "", ""])
            rows.append(["2,000 concurrent streams: gateway memory, peak (MiB)", "–", "–",
                         fmt_mib(g["rss_peak_kb"].get(GATEWAY)), "–", "", ""])
    return rows


HEADER = ["Case", "direct", "nginx", "gempool", "Portkey", "gempool ÷ nginx", "gempool ÷ Portkey"]


def markdown_table(header, rows):
    out = [row(header), row(["---"] * len(header))]
    out += [row(r) for r in rows]
    return "\n".join(out)


def plain_table(header, rows):
    rows = [header] + [[str(c).replace("**", "") for c in r] for r in rows]
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(header))]
    lines = []
    for k, r in enumerate(rows):
        lines.append("  ".join(str(c).ljust(widths[i]) if i == 0 else str(c).rjust(widths[i])
                               for i, c in enumerate(r)))
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def summary_table(results):
    return plain_table(HEADER, main_rows(results))


def targets_text(results):
    """The event-driven gateway's targets as plain text (for the console): per
    target, PASS/FAIL and the target, then what was measured and the ratio."""
    lines = ["Targets of the event-driven gateway (gateway measured: %s)" % results.get("gateway_http", "?")]
    for target, measured, versus, result in event_loop_rows(results):
        lines.append("%-4s  %s" % (result.replace("**", ""), target))
        lines.append("      %s  [%s]" % (measured, versus))
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
    if not oa or not nginx64:
        pass
    elif oa.get("gempool_serves"):
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


def pass_fail(ok):
    return "PASS" if ok else "**FAIL**"


def fmt_s(us):
    return "–" if us is None or us < 0 else "%.2f" % (us / 1e6)


def errors_text(errors):
    return ", ".join("%s: %d" % (k, v) for k, v in sorted(errors.items(), key=lambda kv: -kv[1])) or "none"


def case_result(results, case):
    return results["cases"].get(case, {}).get("gempool")


def watched(r, key, field):
    """A conn_load --watch-pid sample of the gateway (before, at_hold_start, peak, end)."""
    return ((r.get("watch") or {}).get(key) or {}).get(field)


def conn_peaks(r):
    """The gateway's peak (VmRSS KiB, threads) over a conn_load run: the larger of
    conn_load's own samples and run_bench.py's."""
    rss = max(watched(r, "peak", "rss_kb") or 0, r.get("rss_peak_kb", {}).get(GATEWAY) or 0)
    threads = max(watched(r, "peak", "threads") or 0, r.get("threads_peak", {}).get(GATEWAY) or 0)
    return rss or None, threads or None


def event_loop_rows(results):
    """[target, measured, vs target, PASS/FAIL] rows: the targets of the
    event-driven gateway, all from this run."""
    rows = []
    mem = results.get("memory", {})
    idle_threads = mem.get("idle", {}).get("gateway", {}).get("threads")
    # The connection cases run on a restarted stack: its own idle count.
    conn_idle_threads = mem.get("idle_connection_stack", {}).get("gateway", {}).get("threads")
    sl = case_result(results, "slowloris")
    if sl:
        h, lat = sl["honest"], sl["honest"]["latency_us"]
        p99 = ms(lat["p99"]) if lat["n"] > 0 else None
        rows.append(["Slowloris (%s connections trickling a header line a second): honest calls' p99 < 100 ms" %
                     "{:,}".format(sl["connections"]),
                     "p99 %s ms (p50 %s, max %s; %d answered calls, %d clients)" % (
                         fmt_ms(p99), fmt_ms(ms(lat["p50"]) if lat["n"] else None),
                         fmt_ms(ms(lat["max"]) if lat["n"] else None), lat["n"], h["clients"]),
                     "%.2f× the limit" % (p99 / 100) if p99 is not None else "no call answered",
                     pass_fail(p99 is not None and p99 < 100)])
        rows.append(["Slowloris: no honest call lost (error or no answer in %d s)" % h["call_timeout_s"],
                     "%d of %d calls answered 200; lost: %s" % (h["ok"], h["calls"], errors_text(h["errors"])),
                     "%d lost" % h["error_count"], pass_fail(h["calls"] > 0 and h["error_count"] == 0)])
        head, c, n = sl.get("head_timeout_s", 10), sl["server_close_after_us"], sl["connections"]
        closed = sl["closed_by_server"]
        in_window = (closed == n and c["n"] > 0 and c["min"] >= (head - 0.5) * 1e6 and c["max"] <= (head + 2) * 1e6)
        rows.append(["Slowloris: the gateway closes every trickling connection when the head deadline passes "
                     "(REQUEST_HEAD_TIMEOUT %d s: between %.1f and %d s after connecting)" % (head, head - 0.5,
                                                                                              head + 2),
                     "%s of %s closed by the gateway%s; %s still open when the client gave up at %d s; %s never "
                     "connected" % (
                         "{:,}".format(closed), "{:,}".format(n),
                         ", after min %s / p50 %s / p99 %s / max %s s" % (
                             fmt_s(c["min"]), fmt_s(c["p50"]), fmt_s(c["p99"]), fmt_s(c["max"])) if c["n"] else "",
                         "{:,}".format(sl["held_to_end"]), sl["hold_s"], "{:,}".format(n - sl["connected"])),
                     "%.0f%% closed; p50 at %.2f× the deadline" % (100.0 * closed / n, c["p50"] / 1e6 / head)
                     if c["n"] > 0 else "none closed",
                     pass_fail(in_window)])
    ic = case_result(results, "idle_connections")
    if ic:
        n = ic["connections"]
        held = ic["answered"] == n and ic["open_at_end"] == n
        rows.append(["%s idle keep-alive connections: every one answered its call and still open after %d s" % (
                         "{:,}".format(n), ic["hold_s"]),
                     "%s answered; open at the start of the hold %s, at its end %s; closed by the gateway %d; "
                     "errors: %s" % ("{:,}".format(ic["answered"]), "{:,}".format(max(ic["open_at_hold_start"], 0)),
                                     "{:,}".format(max(ic["open_at_end"], 0)), ic["closed_by_server"],
                                     errors_text(ic["errors"])),
                     "%.0f%% held" % (100.0 * max(ic["open_at_end"], 0) / n), pass_fail(held)])
        peak_rss, peak_threads = conn_peaks(ic)
        before = watched(ic, "before", "threads") or ic["before"]["threads"]
        # The threads and memory only count with every connection open.
        caveat = "" if held else "; only %s of %s held" % ("{:,}".format(max(ic["open_at_end"], 0)),
                                                           "{:,}".format(n))
        rows.append(["%s idle connections: gateway threads stay at the fixed count (≤ the count before + %d)" % (
                         "{:,}".format(n), IDLE_THREAD_SLACK),
                     "%s peak, %s at the start of the hold (%s before the case, %s at idle after the restart)" % (
                         peak_threads, watched(ic, "at_hold_start", "threads") or "–", before,
                         conn_idle_threads if conn_idle_threads is not None else "–"),
                     ("%+d threads" % (peak_threads - before) if peak_threads else "–") + caveat,
                     pass_fail(held and peak_threads is not None and peak_threads <= before + IDLE_THREAD_SLACK)])
        rows.append(["%s idle connections: gateway memory < 100 MiB" % "{:,}".format(n),
                     "%s MiB peak, %s MiB at the start of the hold (%s MiB before)" % (
                         fmt_mib(peak_rss), fmt_mib(watched(ic, "at_hold_start", "rss_kb")),
                         fmt_mib(watched(ic, "before", "rss_kb") or ic["before"]["rss_kb"])),
                     ("%.2f× the limit" % (mib(peak_rss) / 100) if peak_rss else "–") + caveat,
                     pass_fail(held and peak_rss is not None and peak_rss < 100 * 1024)])
    many = results["cases"].get("many", {})
    g, ng = many.get("gempool"), many.get("nginx")
    if g:
        all_ok = g["ok"] == g["total"] and g["error_count"] == 0
        before = g.get("before", {}).get(GATEWAY, {}).get("threads")
        peak = g.get("threads_peak", {}).get(GATEWAY)
        if before is not None and peak:
            rows.append(["2,000 concurrent streams: no thread per stream (gateway threads ≤ the count before + %d)" %
                         STREAM_THREAD_SLACK,
                         "%d peak during (%d before the streams, %s at idle after start); %d of %d streams ok" % (
                             peak, before, idle_threads if idle_threads is not None else "–", g["ok"], g["total"]),
                         "%+d threads (%.2f per stream)" % (peak - before, (peak - before) / float(g["total"])),
                         pass_fail(peak <= before + STREAM_THREAD_SLACK)])
        peak_rss = g.get("rss_peak_kb", {}).get(GATEWAY)
        rows.append(["2,000 concurrent streams: gateway memory < 80 MiB during", "%s MiB peak" % fmt_mib(peak_rss),
                     "%.2f× the limit" % (mib(peak_rss) / 80) if peak_rss else "–",
                     pass_fail(peak_rss is not None and peak_rss < 80 * 1024)])
        if ng:
            gp99 = ms(g["ttfc_us"]["p99"]) if g["ok"] else None
            np99 = ms(ng["ttfc_us"]["p99"]) if ng["ok"] else None
            ratio = gp99 / np99 if gp99 is not None and np99 else None
            rows.append(["2,000 concurrent streams: time to first chunk p99 ≤ 2× the nginx hop's",
                         "gempool %s ms, nginx %s ms; streams ok: gempool %d/%d, nginx %d/%d" % (
                             fmt_ms(gp99), fmt_ms(np99), g["ok"], g["total"], ng["ok"], ng["total"]),
                         "%.2f×" % ratio if ratio is not None else "–",
                         pass_fail(ratio is not None and ratio <= 2.0 and all_ok)])
    nginx64 = (unary(results, "64", "nginx") or {}).get("rps")
    oa = results["cases"].get("openai", {})
    if oa.get("gempool_serves") and nginx64:
        gp, pk = oa["gempool"]["rps"], oa.get("portkey", {}).get("rps")
        r = gp / nginx64
        rows.append(["OpenAI chat c=64 throughput ≥ 0.6× the nginx hop (its native generateContent c=64)",
                     "%s req/s vs nginx %s req/s" % (fmt_rps(gp), fmt_rps(nginx64)), "%.2f×" % r, pass_fail(r >= 0.6)])
        if pk:
            r = gp / pk
            rows.append(["OpenAI chat c=64 throughput ≥ 10× Portkey's", "%s req/s vs Portkey %s req/s" % (
                fmt_rps(gp), fmt_rps(pk)), "%.1f×" % r, pass_fail(r >= 10)])
    gp64 = (unary(results, "64", "gempool") or {}).get("rps")
    if gp64 and nginx64:
        r = gp64 / nginx64
        rows.append(["Native generateContent c=64 throughput ≥ 0.7× the nginx hop",
                     "%s req/s vs nginx %s req/s" % (fmt_rps(gp64), fmt_rps(nginx64)), "%.2f×" % r,
                     pass_fail(r >= 0.7)])
    p99 = added(results, "1", "gempool", "p99")
    if p99 is not None:
        rows.append(["Added latency c=1 p99 ≤ 0.5 ms (gempool's p99 minus direct's)", "%.3f ms" % p99,
                     "%.2f× the limit" % (p99 / 0.5) if p99 > 0 else "≤ 0", pass_fail(p99 <= 0.5)])
    for label, what in (("idle_one_key", "1 key"), ("idle_default_threads", "100,000 keys in API_KEYS")):
        idle = mem.get(label, {})
        if not idle:
            continue
        worst = max(v["rss_kb"] for v in idle.values())
        rows.append(["Idle memory < 30 MiB per service (default settings, %s)" % what,
                     ", ".join("%s %.1f" % (k, mib(v["rss_kb"])) for k, v in sorted(idle.items())) + " MiB",
                     "largest %.2f× the limit" % (mib(worst) / 30), pass_fail(worst < 30 * 1024)])
    return rows


def slowloris_rows(r):
    c, h = r["server_close_after_us"], r["honest"]
    lat, lat_open = h["latency_us"], h["latency_all_open_us"]
    hist = ", ".join("%s–%d s: %s" % (k, int(k) + 1, "{:,}".format(v))
                     for k, v in sorted(r["server_close_histogram_s"].items(), key=lambda kv: int(kv[0])))
    rows = [
        ["Trickling connections: started / connected / never connected",
         "%s / %s / %s (%s)" % ("{:,}".format(r["connections"] - r["not_started"]), "{:,}".format(r["connected"]),
                                "{:,}".format(r["connections"] - r["connected"]), errors_text(r["errors"]))],
        ["Connect time p50 / p99 / max (ms)", "%s / %s / %s" % (
            fmt_ms(ms(r["connect_us"]["p50"])), fmt_ms(ms(r["connect_us"]["p99"])),
            fmt_ms(ms(r["connect_us"]["max"])))],
        ["Header lines sent (not accepted by the socket)", "%s (%s)" % ("{:,}".format(r["lines_sent"]),
                                                                       "{:,}".format(r["lines_blocked"]))],
        ["Closed by the gateway (how; its answer before closing)", "%s (%s; %s)" % (
            "{:,}".format(r["closed_by_server"]), errors_text(r["closed_by_server_how"]),
            errors_text(r["answers_before_close"]))],
        ["Closed after connecting, min / p1 / p50 / p90 / p99 / max (s)", " / ".join(
            fmt_s(c[k]) for k in ("min", "p1", "p50", "p90", "p99", "max"))],
        ["Closed after connecting, by second", hist or "–"],
        ["Still open after %d s (closed by the client)" % r["hold_s"], "{:,}".format(r["held_to_end"])],
        ["Honest calls: clients, pause between a client's calls, give-up time", "%d from %s, %d ms, %d s" % (
            h["clients"], h["source"], h["interval_ms"], h["call_timeout_s"])],
        ["Honest calls: made / answered 200 / lost", "%s / %s / %s (%s)" % (
            "{:,}".format(h["calls"]), "{:,}".format(h["ok"]), "{:,}".format(h["error_count"]),
            errors_text(h["errors"]))],
        ["Honest calls: latency p50 / p90 / p99 / max (ms)", " / ".join(
            fmt_ms(ms(lat[k]) if lat["n"] else None) for k in ("p50", "p90", "p99", "max"))],
        ["Honest calls while every trickling connection was open: n, p50 / p99 / max (ms)", "%d, %s" % (
            lat_open["n"], " / ".join(fmt_ms(ms(lat_open[k]) if lat_open["n"] else None)
                                      for k in ("p50", "p99", "max")))],
    ]
    return rows + gateway_rows(r)


def idle_connection_rows(r):
    return [
        ["Connections: started (within the ramp's 20 s) / connected / answered 200", "%s / %s / %s" % (
            "{:,}".format(r["connections"] - r["not_started"]), "{:,}".format(r["connected"]),
            "{:,}".format(r["answered"]))],
        ["Errors", errors_text(r["errors"])],
        ["All answered (or failed) after (s)", fmt_s(r["hold_start_us"])],
        ["Answer time after connecting p50 / p99 / max (ms)", " / ".join(
            fmt_ms(ms(r["answer_us"][k]) if r["answer_us"]["n"] else None) for k in ("p50", "p99", "max"))],
        ["Open at the start / the end of the %d s hold" % r["hold_s"], "%s / %s" % (
            "{:,}".format(max(r["open_at_hold_start"], 0)), "{:,}".format(max(r["open_at_end"], 0)))],
        ["Closed by the gateway after answering (during the hold)", "%s (%s)" % (
            "{:,}".format(r["closed_by_server"]), "{:,}".format(r["closed_by_server_during_hold"]))],
    ] + gateway_rows(r)


def gateway_rows(r):
    peak_rss, peak_threads = conn_peaks(r)
    return [
        ["Gateway threads: before / start of the hold / peak / end", " / ".join(
            str(x) if x is not None else "–" for x in (
                watched(r, "before", "threads"), watched(r, "at_hold_start", "threads"), peak_threads,
                watched(r, "end", "threads")))],
        ["Gateway VmRSS (MiB): before / start of the hold / peak / end", " / ".join(
            fmt_mib(x) for x in (watched(r, "before", "rss_kb"), watched(r, "at_hold_start", "rss_kb"), peak_rss,
                                 watched(r, "end", "rss_kb")))],
        ["CPU (% of one core): gempool / conn_load / fake upstream", "%.0f / %.0f / %.0f" % (
            r["cpu"]["target_pct"], r["cpu"]["load_pct"], r["cpu"]["fake_pct"])],
        ["Gateway's open-files limit; still running after the case", "%s; %s" % (
            r.get("gateway_open_files_limit", "?"), "yes" if r.get("gateway_running_after", True) else "**no**")],
    ]


def cpu_rows(results):
    rows = []
    for conc in CONCURRENCIES:
        for t in TARGETS:
            r = unary(results, conc, t)
            if r:
                rows.append(["generateContent c=%s → %s" % (conc, t), "%.0f" % r["cpu"]["fake_pct"],
                             "%.0f" % r["cpu"]["load_pct"], "–" if t == "direct" else "%.0f" % r["cpu"]["target_pct"]])
    for case, label in (("stream", "SSE 64×20 ms c=16"), ("many", "2,000 streams"),
                        ("idle_connections", "10,000 idle connections"), ("slowloris", "slowloris")):
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
        peak_idle_conns = cases.get("idle_connections", {}).get("gempool", {}).get("rss_peak_kb", {}).get(name)
        restarted = mem.get("idle_connection_stack", {}).get(svc, {})
        peak_slowloris = cases.get("slowloris", {}).get("gempool", {}).get("rss_peak_kb", {}).get(name)
        d = mem.get("idle_default_threads", {}).get(svc, {})
        one = mem.get("idle_one_key", {}).get(svc, {})
        rows.append([svc,
                     "%s (%s threads)" % (fmt_mib(one.get("rss_kb")), one.get("threads", "–")),
                     "%s (%s threads)" % (fmt_mib(d.get("rss_kb")), d.get("threads", "–")),
                     "%s (%s threads)" % (fmt_mib(mem.get("idle", {}).get(svc, {}).get("rss_kb")),
                                          mem.get("idle", {}).get(svc, {}).get("threads", "–")),
                     fmt_mib(peak_unary or None), fmt_mib(peak_many),
                     "%s (%s threads)" % (fmt_mib(mem.get("after", {}).get(svc, {}).get("rss_kb")),
                                          mem.get("after", {}).get(svc, {}).get("threads", "–")),
                     "%s (%s threads)" % (fmt_mib(restarted.get("rss_kb")), restarted.get("threads", "–")),
                     fmt_mib(peak_idle_conns), fmt_mib(peak_slowloris)])
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
    if results.get("partial"):
        w("")
        w("**A partial run: cases %s, targets %s only.**" % (", ".join(results.get("cases_run", [])),
                                                            ", ".join(results.get("targets_run", []))))
    w("")
    w("- **direct**: the client talks to the fake Gemini upstream itself (the baseline).")
    w("- **nginx**: %s as a plain reverse proxy (2 workers, up to 64 idle keep-alive connections per worker "
      "to the upstream, a connection per stream, no buffering, no logging): the cost of one proxy hop that does no "
      "work, our physical limit." % m.get("nginx", "?").replace("nginx version: ", ""))
    inherited = s.get("gateway_env_inherited") or {}
    w("- **gempool**: the gateway, key broker and persistence (SQLite), request logging on, a pool of {:,} keys, "
      "GATEWAY_THREADS={}, MAX_CONNECTIONS_PER_IP=0 (all the load comes from loopback addresses){}. The gateway "
      "measured: {}; its open-files limit {} (the benchmark raises RLIMIT_NOFILE to the hard limit, {}, for "
      "everything it starts).".format(
          s.get("pool_keys", 0), s.get("gateway_threads", "?"),
          "".join(", %s=%s" % kv for kv in sorted(inherited.items())) or
          "; its other connection settings at their defaults",
          results.get("gateway_http", "?"), results.get("gateway_open_files_limit", "?"),
          (s.get("nofile") or {}).get("hard", "?")))
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
    w("## Targets of the event-driven gateway")
    w("")
    w("The targets of the gateway's HTTP layer on event-loop threads (Boost.Asio/Beast) instead of a thread per "
      "connection, each from this run, measured against the gateway named at the top (%s). Ratios are gempool's "
      "number divided by the peer's, or by the limit. \"Threads stay at the fixed count\" is read as at most %d "
      "above the count just before the case (a thread per connection would add 10,000), \"near the idle count\" "
      "as at most %d above it (a thread per stream would add 2,000)." % (
          results.get("gateway_http", "?"), IDLE_THREAD_SLACK, STREAM_THREAD_SLACK))
    w("")
    w(markdown_table(["Target", "Measured", "vs target", "Result"], event_loop_rows(results)))
    w("")
    sl, ic = case_result(results, "slowloris"), case_result(results, "idle_connections")
    if sl or ic:
        w("## The connection cases")
        w("")
        w("Both run against gempool's gateway only, after the other cases, on a gempool stack restarted for them (same "
          "data directory and settings; what the earlier cases left in the gateway's heap does not count), with "
          "bench/conn_load (one thread, epoll); it and run_bench.py sample the gateway's VmRSS and Threads "
          "(/proc/PID/status) every 100 ms. \"The start of the hold\" is the moment every connection was open "
          "(slowloris: connected; idle: answered).")
        w("")
    if sl:
        w("### Slowloris: %s connections that never finish their request head" % "{:,}".format(sl["connections"]))
        w("")
        w("%s connections from 127.0.0.1 each send a request line (`GET /v1beta/models HTTP/1.1`), then one more "
          "header line every second, and never the blank line that ends the head; the client gives up on one %d s "
          "after it connected. Meanwhile %d honest clients on another source address (%s) call native "
          "generateContent through the gateway to the fake upstream, each on a new connection (`Connection: "
          "close`), %d ms apart; a call with no answer within %d s counts as lost. The gateway should close each "
          "trickling connection once REQUEST_HEAD_TIMEOUT (default %d s, not set by the benchmark) has passed, "
          "and serve the honest calls meanwhile; a gateway with a thread per connection instead spends its threads "
          "on the trickling connections, and the honest calls wait in the accept queue." % (
              "{:,}".format(sl["connections"]), sl["hold_s"], sl["honest"]["clients"], sl["honest"]["source"],
              sl["honest"]["interval_ms"], sl["honest"]["call_timeout_s"], sl.get("head_timeout_s", 10)))
        w("")
        w(markdown_table(["Slowloris", "gempool"], slowloris_rows(sl)))
        w("")
    if ic:
        w("### %s idle keep-alive connections" % "{:,}".format(ic["connections"]))
        w("")
        w("%s connections from 127.0.0.1 (at most 256 handshakes at a time) each make one cheap authenticated call, "
          "`%s`, HTTP/1.1 keep-alive (a key from the pool, forwarded to the fake), read the answer and stay open, "
          "idle, until %d s after the last one was answered. What an open connection costs the gateway: its threads "
          "and resident memory while they are open, against before. (Not `GET /health`: the gateway answers it on "
          "its worker pool after asking the key broker and persistence, so thousands at once grow that pool.)" % (
              "{:,}".format(ic["connections"]), ic.get("request", "GET /health"), ic["hold_s"]))
        w("")
        w(markdown_table(["Idle connections", "gempool"], idle_connection_rows(ic)))
        w("")
    w("## CPU of the fake upstream and the load generator")
    w("")
    w("Percent of one core over each run (from /proc/PID/stat utime+stime for the fake and the proxy, getrusage for "
      "wrk, stream_load and conn_load). The machine has %s cores: whatever the fake and the load generator use is "
      "not available to the proxy." % m.get("nproc", "?"))
    w("")
    w(markdown_table(["Run", "fake upstream %", "load generator %", "proxy under test %"], cpu_rows(results)))
    w("")
    w("## Memory of the gempool processes (VmRSS, MiB)")
    w("")
    w("Idle is measured 2 s after start with the pool loaded, for default settings (GATEWAY_THREADS=1024) with one "
      "key and with the 100,000 keys in API_KEYS of the .env file that all three services read (as in the compose "
      "deployment), then for the benchmark's own stack; the peaks are sampled every 100 ms during the runs; after is "
      "measured after the 2,000 streams, once their connections have closed; the connection cases run on a stack "
      "restarted after that, idle 2 s after the restart.")
    w("")
    w(markdown_table(["Service", "idle, 1 key", "idle, 100,000 keys", "idle, 100,000 keys, GATEWAY_THREADS=%s" % s.get(
        "gateway_threads", "?"), "peak, generateContent", "peak, 2,000 streams", "after",
        "idle, restarted for the connection cases", "peak, 10,000 idle connections", "peak, slowloris"],
        memory_rows(results)))
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
    w("python3 bench/run_bench.py --cases new --targets nginx,gempool   # 2,000 streams, 10,000 idle connections, "
      "slowloris only (about 2 minutes; writes build-bench/bench/benchmarks-partial.md)")
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
        if "--mode" in argv[:-1]:
            kind += " " + argv[argv.index("--mode") + 1]
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
    w("- **Slowloris**: honest calls' latency runs from the start of the connect to the last byte of the answer; "
      "**closed after connecting** is the time from a trickling connection's connect to the gateway closing it "
      "(the client saw end-of-file or a reset), with the gateway's answer before closing, if any (a 408).")
    w("- **Idle connections** and the **2,000 streams**: the gateway's thread count and VmRSS sampled every 100 ms "
      "during the run, against just before it (and the count at idle after start, in the memory table).")
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
    if str(results.get("gateway_http", "")).startswith("event loop"):
        w("- gempool's gateway serves client connections and upstream calls as asynchronous state machines on a "
          "fixed set of event-loop threads (GATEWAY_IO_THREADS, default one per core); work that blocks (/health's "
          "calls to the key broker and persistence, the admin UI) goes to a worker pool. The benchmark still sets "
          "GATEWAY_THREADS=%s, as for the thread-per-connection gateway before it." % s.get("gateway_threads", "?"))
    else:
        w("- gempool's gateway serves each open client connection, and reads each stream's upstream answer, on a "
          "thread (cpp-httplib is blocking); threads start on demand and exit after 3 s idle. GATEWAY_THREADS caps "
          "the connections served at once (default 1024); the benchmark sets %s so that 2,000 streams are served at "
          "once. Connections beyond the cap wait in the accept queue." % s.get("gateway_threads", "?"))
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
