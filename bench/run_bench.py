#!/usr/bin/env python3
"""The gempool benchmark (make bench): every case, side by side, in one run.

Starts, on loopback ports only:
  - the fake Gemini upstream (tests/fake_upstream/fake-gemini),
  - nginx as a plain reverse proxy to it (config generated into a temp dir,
    foreground process),
  - gempool: persistence, key broker and gateway (SQLite, request logging on,
    a pool of 100,000 keys from a generated .env file),
  - the Portkey gateway (@portkey-ai/gateway from bench/node_modules, bound to
    127.0.0.1 by bench/portkey/loopback_only.mjs),
then runs each case against each target in turn (wrk for request/response,
bench/stream_load for streams, bench/conn_load for the cases about many open
connections: slowloris and 10,000 idle keep-alive connections, against
gempool only), samples CPU (/proc/PID/stat), memory (VmRSS) and threads, and
writes docs/benchmarks.md (and the raw numbers as JSON).

The cases, in the order they run (--cases picks some; "new" is shorthand for
streams,idle_connections,slowloris, the event-driven gateway's cases):
  idle_memory       gempool's idle memory with default settings (1 and 100,000 keys)
  unary             native generateContent, c=1, 16, 64, 256
  openai            OpenAI chat completions, c=64 (gempool and Portkey)
  sse               SSE streams of 64 chunks 20 ms apart, c=16
  streams           2,000 concurrent streams (TTFC, gaps; gempool's threads and memory)
  idle_connections  10,000 idle keep-alive connections to the gateway (threads, memory)
  slowloris         5,000 connections trickling a header line a second while honest calls run
  keypool           the key pool's Google Benchmark
A run of some cases only writes BUILD/bench/benchmarks-partial.md and
results-partial.json, never docs/benchmarks.md (unless --out says so).

The file descriptor limit (RLIMIT_NOFILE) is raised to the hard limit for
this process and every process it starts (10,000 connections need 10,000+).

Every loop is bounded in count and time; every process it starts is stopped
by its pid when it ends, also on errors and Ctrl-C.

  bench/run_bench.py --build-dir build-bench [--quick] [--wait-quiet 1800]
  bench/run_bench.py --build-dir build-bench --cases new --targets nginx,gempool
"""

import argparse
import datetime
import json
import os
import platform
import resource
import shlex
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

sys.dont_write_bytecode = True  # No __pycache__ in bench/ when report.py is imported.

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024

UPSTREAM_KEY = "AIzaSyBenchDirectKey0000000000000000000"
CLIENT_TOKEN = "bench-client-token-7d2f"
ADMIN_TOKEN = "bench-admin-token-41c9"
POOL_KEYS = 100_000
UNARY_MODEL = "gemini-2.5-flash"       # Unscripted: a normal answer.
STREAM_MODEL = "gemini-2.5-pro"        # Scripted: 64 chunks, 20 ms apart.
STREAM_CHUNKS, STREAM_INTERVAL_MS = 64, 20
MANY_MODEL = "gemini-2.0-flash"        # Scripted: the 2,000-stream shape.
MANY_STREAMS = 2000
MANY_CHUNKS, MANY_INTERVAL_MS = 20, 200
CONCURRENCIES = [1, 16, 64, 256]
TARGETS = ["direct", "nginx", "gempool", "portkey"]
TARGET_NAMES = {"direct": "direct", "nginx": "nginx", "gempool": "gempool", "portkey": "Portkey"}
GATEWAY_THREADS = 2304  # One per open client connection (2,000 streams + headroom).
# The event-driven gateway's connection cases (bench/conn_load.cc).
SLOWLORIS_CONNECTIONS = 5000     # All from 127.0.0.1 (MAX_CONNECTIONS_PER_IP=0 for the gateway).
SLOWLORIS_HOLD_S = 15            # Each trickles a header line a second for up to 15 s.
HEAD_TIMEOUT_S = 10              # REQUEST_HEAD_TIMEOUT's default: the bench leaves it unset.
HONEST_CLIENTS = 4               # From 127.0.0.2, a new connection per call, 50 ms between calls.
HONEST_INTERVAL_MS = 50
HONEST_TIMEOUT_S = 5             # An honest call with no answer by then is lost.
IDLE_CONNECTIONS = 10_000
IDLE_HOLD_S = 10                 # Held idle this long (KEEP_ALIVE_TIMEOUT's default is 60 s).
# Each idle connection first makes one cheap authenticated call: models.get,
# native, through the key pool to the fake. Not /health: the event-driven
# gateway answers /health on its worker pool after asking the broker and
# persistence, so 10,000 of them at once grow the pool (380 threads for 2,000
# /health calls, measured), which is not what an idle connection costs.
IDLE_MODEL_PATH = "/models/" + UNARY_MODEL
CASES = ["idle_memory", "unary", "openai", "sse", "streams", "idle_connections", "slowloris", "keypool"]
CASE_GROUPS = {"all": CASES, "new": ["streams", "idle_connections", "slowloris"]}


def log(*parts):
    print("[bench %s]" % time.strftime("%H:%M:%S"), *parts, flush=True)


def free_port():
    return free_ports(1)[0]


def free_ports(n):
    """n distinct free loopback ports: the sockets stay bound until all are
    chosen (one at a time, the kernel can hand the same port out twice: a run
    once gave the gateway the key broker's port, and its /health answered
    in HTTP/2)."""
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def loadavg():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def read_stat_ticks(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0


def read_rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def thread_count(pid):
    try:
        return len(os.listdir("/proc/%d/task" % pid))
    except FileNotFoundError:
        return 0


def read_status(pid):
    """(VmRSS KiB, Threads) from /proc/PID/status; (0, 0) once it is gone."""
    rss = threads = 0
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith("Threads:"):
                    threads = int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return rss, threads


def open_files_limit(pid):
    """The soft "Max open files" of a process (/proc/PID/limits)."""
    try:
        with open("/proc/%d/limits" % pid) as f:
            for line in f:
                if line.startswith("Max open files"):
                    return int(line.split()[3]) if line.split()[3].isdigit() else line.split()[3]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        pass
    return None


def raise_nofile():
    """Raises this process's RLIMIT_NOFILE soft limit to the hard limit (the
    processes it starts inherit it); returns (soft before, soft, hard)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    before = soft
    if hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        soft = hard
    return before, soft, hard


def gateway_http_kind(binary):
    """Which HTTP layer the gateway binary has: the event loop (Boost.Beast)
    or cpp-httplib's thread per connection."""
    try:
        with open(binary, "rb") as f:
            data = f.read()
    except OSError:
        return "unknown"
    if b"beast" in data:
        return "event loop (Boost.Asio/Beast)"
    return "thread per connection (cpp-httplib)" if b"httplib" in data else "unknown"


def children_of(pid):
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                kids.append(int(entry))
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
    return kids


class Proc:
    """A process the benchmark started (with its children, for nginx)."""

    def __init__(self, name, argv, env=None, cwd=None, log_dir=None, include_children=False):
        self.name = name
        self.log_path = os.path.join(log_dir, name + ".log")
        self.include_children = include_children
        self._log = open(self.log_path, "wb")
        self.popen = subprocess.Popen(argv, env=env, cwd=cwd, stdout=self._log, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL, start_new_session=True)
        self.pid = self.popen.pid

    def pids(self):
        if self.popen.poll() is not None:
            return []
        return [self.pid] + (children_of(self.pid) if self.include_children else [])

    def cpu_ticks(self):
        return sum(read_stat_ticks(p) for p in self.pids())

    def rss_kb(self):
        return sum(read_rss_kb(p) for p in self.pids())

    def rss_threads(self):
        """(VmRSS KiB, threads), summed over the process and its children if counted."""
        rss = threads = 0
        for p in self.pids():
            r, t = read_status(p)
            rss, threads = rss + r, threads + t
        return rss, threads

    def running(self):
        return self.popen.poll() is None

    def output(self):
        if not self._log.closed:
            self._log.flush()
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self, timeout=10):
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)
        self._log.close()


def wait_until(predicate, timeout, what, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise RuntimeError("timed out after %.0f s waiting for %s" % (timeout, what))


def http(method, url, body=None, headers=None, timeout=10):
    data = body.encode() if isinstance(body, str) else body
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")
    except (urllib.error.URLError, ConnectionError, socket.timeout) as e:
        return 0, str(e)


class RssSampler:
    """Samples the VmRSS and thread count of some processes every 100 ms,
    keeping the peaks."""

    def __init__(self, procs):
        self.procs = procs
        self.peak = {p.name: 0 for p in procs}
        self.peak_threads = {p.name: 0 for p in procs}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            for p in self.procs:
                rss, threads = p.rss_threads()
                self.peak[p.name] = max(self.peak[p.name], rss)
                self.peak_threads[p.name] = max(self.peak_threads[p.name], threads)
            self._stop.wait(0.1)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(2)


class Bench:
    def __init__(self, args):
        self.args = args
        self.build = os.path.abspath(args.build_dir)
        self.tmp = tempfile.mkdtemp(prefix="gempool-bench-")
        self.procs = []
        self.results = {"cases": {}, "memory": {}, "notes": []}
        self.duration = args.duration
        self.commands = []
        # ab.py and profile.py build a Bench from their own arguments.
        self.cases = list(getattr(args, "cases", None) or CASES)
        self.targets = list(getattr(args, "targets", None) or TARGETS)
        self.conn_load_bin = getattr(args, "conn_load", None)

    def want(self, case):
        return case in self.cases

    # ---------------------------------------------------------------- setup
    def bin(self, rel):
        path = os.path.join(self.build, rel)
        if not os.access(path, os.X_OK):
            raise RuntimeError("%s is not built (run make bench, or build it in %s)" % (path, self.build))
        return path

    def start(self, *a, **kw):
        p = Proc(*a, log_dir=self.tmp, **kw)
        self.procs.append(p)
        return p

    def stop_all(self):
        for p in reversed(self.procs):
            try:
                p.stop()
            except Exception as e:  # Keep stopping the others.
                log("stopping %s: %s" % (p.name, e))

    def write_inputs(self):
        # A prompt of about 700 bytes: the reply is then ~1.1 KB, the size of
        # a short real answer (the peers' benchmarks use 0.1-10 KB).
        prompt = ("Summarise why a key-pool gateway must add little latency. " * 14)[:700]
        body = {"contents": [{"role": "user", "parts": [{"text": prompt}]}],
                "generationConfig": {"temperature": 0.2, "maxOutputTokens": 256}}
        self.body_file = os.path.join(self.tmp, "generate.json")
        with open(self.body_file, "w") as f:
            json.dump(body, f)
        chat = {"model": UNARY_MODEL, "messages": [{"role": "user", "content": prompt}],
                "temperature": 0.2, "max_tokens": 256}
        self.chat_file = os.path.join(self.tmp, "chat.json")
        with open(self.chat_file, "w") as f:
            json.dump(chat, f)
        keys = []
        for i in range(POOL_KEYS):
            k = "AIzaSyBench%07d" % i
            keys.append(k + "abcdefghijklmnopqrstuvwxyz0123456789"[:39 - len(k)])
        self.env_file = os.path.join(self.tmp, "gempool.env")
        with open(self.env_file, "w") as f:
            f.write("API_KEYS=" + json.dumps(keys, separators=(",", ":")) + "\n")

    def start_fake(self):
        fake = self.start("fake-gemini", [self.bin("tests/fake_upstream/fake-gemini"), "--port", "0",
                                          "--max-recorded", "0", "--threads", "4096"])
        port = [0]

        def listening():
            if not fake.running():
                raise RuntimeError("fake-gemini exited:\n" + fake.output())
            out = fake.output()
            if "listening on " in out:
                port[0] = int(out.split("listening on ", 1)[1].split()[0])
                return True
            return False

        wait_until(listening, 15, "fake-gemini")
        self.fake, self.fake_port = fake, port[0]
        base = "http://127.0.0.1:%d" % self.fake_port
        for model, chunks, interval in [(STREAM_MODEL, STREAM_CHUNKS, STREAM_INTERVAL_MS),
                                        (MANY_MODEL, MANY_CHUNKS, MANY_INTERVAL_MS)]:
            script = {"model": model, "repeat": True,
                      "responses": [{"kind": "stream", "chunks": chunks, "intervalMs": interval}]}
            status, text = http("POST", base + "/_fake/script", json.dumps(script),
                                {"Content-Type": "application/json"})
            if status != 200:
                raise RuntimeError("fake-gemini /_fake/script: %s %s" % (status, text))

    def start_nginx(self):
        prefix = os.path.join(self.tmp, "nginx")
        os.makedirs(prefix, exist_ok=True)
        self.nginx_port = free_port()
        user = "user root root;\n" if os.geteuid() == 0 else ""
        conf = """# Generated by bench/run_bench.py: a plain reverse proxy, no work.
daemon off;
master_process on;
worker_processes auto;
{user}pid {p}/nginx.pid;
error_log {p}/error.log warn;
events {{ worker_connections 16384; }}
http {{
  access_log off;
  client_body_temp_path {p}/client_body;
  proxy_temp_path {p}/proxy;
  fastcgi_temp_path {p}/fastcgi;
  uwsgi_temp_path {p}/uwsgi;
  scgi_temp_path {p}/scgi;
  # Up to 64 idle upstream connections per worker, as gempool's gateway keeps
  # (more made the fake, an httplib server that polls each idle keep-alive
  # connection every 10 ms, starve the last chunks of the 2,000 streams for up
  # to 5 s: measured, see docs/benchmarks.md).
  upstream fake {{
    server 127.0.0.1:{fake};
    keepalive 64;
  }}
  # Streams get a connection each, nginx's default (no idle connections left
  # behind at all when 2,000 streams end together).
  upstream fake_streams {{
    server 127.0.0.1:{fake};
  }}
  server {{
    listen 127.0.0.1:{port} backlog=4096;
    location ~ :streamGenerateContent {{
      proxy_pass http://fake_streams;
      proxy_http_version 1.1;
      proxy_buffering off;
      proxy_read_timeout 120s;
    }}
    location / {{
      proxy_pass http://fake;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_read_timeout 120s;
    }}
  }}
}}
""".format(user=user, p=prefix, fake=self.fake_port, port=self.nginx_port)
        conf_path = os.path.join(prefix, "nginx.conf")
        with open(conf_path, "w") as f:
            f.write(conf)
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.nginx = self.start("nginx", [nginx, "-p", prefix, "-c", conf_path, "-e", prefix + "/error.log"],
                                include_children=True)
        self.wait_http_ok("nginx", self.nginx, "http://127.0.0.1:%d/_fake/health" % self.nginx_port)

    def gempool_env(self, ports, keys_env_file, data_dir, threads):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("API_", "GEMPOOL_", "MYSQL_"))}
        env.update({
            "GEMPOOL_ENV_FILE": keys_env_file,
            "ALLOWED_TOKENS": json.dumps([CLIENT_TOKEN]),
            "AUTH_TOKEN": ADMIN_TOKEN,
            "BASE_URL": "http://127.0.0.1:%d/v1beta" % self.fake_port,
            "MAX_RETRIES": "3",
            "TIME_OUT": "60",
            "CHECK_INTERVAL_HOURS": "0",
            "MAX_FAILURES_RECHECK_SECONDS": "0",
            "LOG_LEVEL": "info",
            "HOST": "127.0.0.1",
            "PORT": str(ports["gateway"]),
            "KEYBROKER_ADDR": "127.0.0.1:%d" % ports["keybroker"],
            "PERSISTENCE_ADDR": "127.0.0.1:%d" % ports["persistence"],
            "DATA_DIR": data_dir,
            "DATABASE_TYPE": "sqlite",
            "SQLITE_DATABASE": "gempool.db",
        })
        if threads:
            env["GATEWAY_THREADS"] = str(threads)
        # All the load comes from 127.0.0.1 (5,000 slowloris connections,
        # 10,000 idle ones): no per-address cap. The event-driven gateway's
        # other connection settings (GATEWAY_IO_THREADS, MAX_CONNECTIONS,
        # REQUEST_HEAD_TIMEOUT, KEEP_ALIVE_TIMEOUT) stay at their defaults.
        env["MAX_CONNECTIONS_PER_IP"] = "0"
        return env

    def start_gempool(self, name="gempool", keys_env_file=None, threads=GATEWAY_THREADS, wrap=None):
        """Starts persistence, broker and gateway; `wrap` maps a service to an
        argv prefix (a profiler)."""
        wrap = wrap or {}
        ports = dict(zip(("gateway", "keybroker", "persistence"), free_ports(3)))
        data_dir = os.path.join(self.tmp, name + "-data")
        os.makedirs(data_dir, exist_ok=True)
        env = self.gempool_env(ports, keys_env_file or self.env_file, data_dir, threads)
        t0 = time.monotonic()

        def argv(service, binary):
            return wrap.get(service, []) + [self.bin(binary)]

        persistence = self.start(name + "-persistence", argv("persistence", "services/persistence/gempool-persistence"),
                                 env=env, cwd=data_dir)
        self.wait_port(persistence, ports["persistence"])
        broker = self.start(name + "-keybroker", argv("keybroker", "services/keybroker/gempool-keybroker"), env=env,
                            cwd=data_dir)
        self.wait_port(broker, ports["keybroker"], timeout=120)
        gateway = self.start(name + "-gateway", argv("gateway", "services/gateway/gempool-gateway"), env=env,
                             cwd=data_dir)
        self.wait_http_ok(name + "-gateway", gateway, "http://127.0.0.1:%d/health" % ports["gateway"], timeout=180)
        ready_s = time.monotonic() - t0
        return {"port": ports["gateway"], "keybroker_port": ports["keybroker"],
                "procs": [persistence, broker, gateway], "ready_s": ready_s,
                "db": os.path.join(data_dir, "gempool.db")}

    def start_portkey(self):
        entry = os.path.join(BENCH, "node_modules", "@portkey-ai", "gateway", "build", "start-server.js")
        if not os.path.exists(entry):
            raise RuntimeError("%s missing: run bench/install.sh (npm ci in bench/)" % entry)
        self.portkey_port = free_port()
        env = dict(os.environ, NODE_ENV="production")
        self.portkey = self.start("portkey", ["node", "--import", os.path.join(BENCH, "portkey", "loopback_only.mjs"),
                                              entry, "--port=%d" % self.portkey_port, "--headless"],
                                  env=env, cwd=BENCH)
        self.wait_http_ok("portkey", self.portkey, "http://127.0.0.1:%d/" % self.portkey_port, timeout=60)

    def wait_port(self, proc, port, timeout=60):
        def up():
            if not proc.running():
                raise RuntimeError("%s exited at start-up:\n%s" % (proc.name, proc.output()[-4000:]))
            with socket.socket() as s:
                s.settimeout(0.5)
                return s.connect_ex(("127.0.0.1", port)) == 0

        wait_until(up, timeout, "%s on port %d" % (proc.name, port))

    def wait_http_ok(self, name, proc, url, timeout=30):
        def ok():
            if not proc.running():
                raise RuntimeError("%s exited at start-up:\n%s" % (name, proc.output()[-4000:]))
            return http("GET", url, timeout=2)[0] == 200

        wait_until(ok, timeout, name + " at " + url, interval=0.1)

    # -------------------------------------------------------------- targets
    def target(self, name, api="native"):
        """(port, path prefix, headers) for a target."""
        key = ["x-goog-api-key: " + UPSTREAM_KEY]
        if name == "direct":
            return self.fake_port, "/v1beta", key
        if name == "nginx":
            return self.nginx_port, "/v1beta", key
        if name == "gempool":
            if api == "openai":
                return self.gempool["port"], "", ["Authorization: Bearer " + CLIENT_TOKEN]
            return self.gempool["port"], "/v1beta", ["x-goog-api-key: " + CLIENT_TOKEN]
        if name == "portkey":
            if api == "openai":
                # Portkey's google provider appends /v1beta/models/...:generateContent?key= itself.
                return self.portkey_port, "", ["Authorization: Bearer " + UPSTREAM_KEY, "x-portkey-provider: google",
                                               "x-portkey-custom-host: http://127.0.0.1:%d" % self.fake_port]
            # The native pass-through: Portkey strips /v1 and appends the rest
            # to the custom host; the client's x-goog-api-key goes along.
            return self.portkey_port, "/v1", key + [
                "x-portkey-provider: google", "x-portkey-custom-host: http://127.0.0.1:%d/v1beta" % self.fake_port]
        raise KeyError(name)

    def target_procs(self, name):
        if name == "direct":
            return []
        if name == "nginx":
            return [self.nginx]
        if name == "gempool":
            return self.gempool["procs"]
        return [self.portkey]

    # ---------------------------------------------------------------- loads
    def run_measured(self, name, argv, env=None, timeout=600, rss_procs=(), shown_env=()):
        """Runs a load generator; returns (stdout, wall s, cpu % by role)."""
        out_path = os.path.join(self.tmp, "load-%d.out" % len(self.commands))
        self.commands.append(" ".join(["%s=%s" % (k, shlex.quote(env[k])) for k in shown_env] +
                                      [shlex.quote(a) for a in argv]))
        load1 = loadavg()[0]
        fake0, wall0 = self.fake.cpu_ticks(), time.monotonic()
        targets = self.target_procs(name) if name in TARGETS else []
        tgt0 = sum(p.cpu_ticks() for p in targets)
        with open(out_path, "wb") as out, RssSampler(list(rss_procs)) as rss:
            p = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env, stdin=subprocess.DEVNULL)
            timer = threading.Timer(timeout, p.kill)
            timer.start()
            try:
                _, status, usage = os.wait4(p.pid, 0)
            finally:
                timer.cancel()
            p.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - wall0
        cpu = {
            "fake_pct": 100.0 * (self.fake.cpu_ticks() - fake0) / CLK_TCK / wall,
            "load_pct": 100.0 * (usage.ru_utime + usage.ru_stime) / wall,
            "target_pct": 100.0 * (sum(p.cpu_ticks() for p in targets) - tgt0) / CLK_TCK / wall,
            "load1_before": load1,
        }
        with open(out_path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
        if p.returncode != 0:
            raise RuntimeError("%s failed (exit %s):\n%s" % (argv[0], p.returncode, text[-3000:]))
        self.last_threads_peak = dict(rss.peak_threads)
        return text, wall, cpu, dict(rss.peak)

    def wrk(self, target, path, headers, conc, duration, body_file=None, rss_procs=()):
        port, _, _ = self.target(target)
        threads = 1 if conc == 1 else 2
        env = dict(os.environ, BENCH_BODY_FILE=body_file or self.body_file, BENCH_HEADERS="\n".join(headers))
        argv = ["wrk", "-t%d" % threads, "-c%d" % conc, "-d%ds" % duration, "--timeout", "10s",
                "-s", os.path.join(BENCH, "wrk", "post.lua"), "http://127.0.0.1:%d%s" % (port, path)]
        text, wall, cpu, rss = self.run_measured(target, argv, env=env, timeout=duration + 60, rss_procs=rss_procs,
                                                 shown_env=("BENCH_BODY_FILE", "BENCH_HEADERS"))
        line = [l for l in text.splitlines() if l.startswith("BENCH_JSON ")]
        if not line:
            raise RuntimeError("wrk printed no result:\n" + text[-3000:])
        r = json.loads(line[-1][len("BENCH_JSON "):])
        errors = sum(r["errors"].values())
        r["rps"] = (r["requests"] - r["errors"]["status"]) / (r["duration_us"] / 1e6)
        r["error_count"] = errors
        r["cpu"] = cpu
        r["rss_peak_kb"] = rss
        r["threads_peak"] = self.last_threads_peak
        return r

    def stream_load(self, target, path, headers, conc, total, expect, timeout=300, rss_procs=()):
        port, _, _ = self.target(target)
        argv = [self.stream_load_bin, "--port", str(port), "--path", path, "--body-file", self.body_file,
                "--concurrency", str(conc), "--total", str(total), "--expect-events", str(expect),
                "--max-connecting", "64", "--timeout-s", str(timeout), "--label", target]
        for h in headers:
            argv += ["--header", h]
        text, wall, cpu, rss = self.run_measured(target, argv, timeout=timeout + 30, rss_procs=rss_procs)
        r = json.loads(text.strip().splitlines()[-1])
        r["cpu"] = cpu
        r["rss_peak_kb"] = rss
        r["threads_peak"] = self.last_threads_peak
        return r

    def cool_down(self, seconds=5.5):
        # httplib servers (the fake, the gateway) poll every idle keep-alive
        # connection every ~10 ms until their 5 s keep-alive timeout: after a
        # run with many connections, wait so that this does not load the next.
        time.sleep(seconds)

    # ---------------------------------------------------------------- cases
    def case_unary(self):
        res = self.results["cases"].setdefault("unary", {})
        for t in self.targets:  # Warm-up (JIT, connection pools), not recorded.
            port, prefix, headers = self.target(t)
            self.wrk(t, "%s/models/%s:generateContent" % (prefix, UNARY_MODEL), headers, 16, 2)
        self.cool_down()
        for conc in CONCURRENCIES:
            for t in self.targets:
                port, prefix, headers = self.target(t)
                r = self.wrk(t, "%s/models/%s:generateContent" % (prefix, UNARY_MODEL), headers, conc,
                             self.duration, rss_procs=self.gempool["procs"] if t == "gempool" else ())
                res.setdefault(str(conc), {})[t] = r
                log("generateContent c=%d %-8s %8.0f req/s  p50 %6.2f ms  p99 %7.2f ms  errors %d  load %.2f" % (
                    conc, t, r["rps"], r["latency_us"]["p50"] / 1e3, r["latency_us"]["p99"] / 1e3,
                    r["error_count"], loadavg()[0]))
                if conc >= 64:
                    self.cool_down()

    def case_openai(self):
        port, _, headers = self.target("gempool", "openai")
        status, text = http("POST", "http://127.0.0.1:%d/v1/chat/completions" % port, open(self.chat_file).read(),
                            dict([h.split(": ", 1) for h in headers] + [("Content-Type", "application/json")]))
        res = self.results["cases"].setdefault("openai", {"gempool_status": status, "gempool_probe": text[:300]})
        served = status == 200 and '"choices"' in text
        res["gempool_serves"] = served
        targets = [t for t in ["portkey"] + (["gempool"] if served else []) if t in self.targets]
        for t in targets:
            _, _, headers = self.target(t, "openai")
            r = self.wrk(t, "/v1/chat/completions", headers, 64, self.duration, body_file=self.chat_file,
                         rss_procs=self.gempool["procs"] if t == "gempool" else ())
            res[t] = r
            log("OpenAI chat c=64 %-8s %8.0f req/s  p50 %6.2f ms  p99 %7.2f ms  errors %d" % (
                t, r["rps"], r["latency_us"]["p50"] / 1e3, r["latency_us"]["p99"] / 1e3, r["error_count"]))
            self.cool_down()
        if not served:
            log("gempool does not serve POST /v1/chat/completions yet (HTTP %s): row marked pending" % status)

    def case_stream(self):
        res = self.results["cases"].setdefault("stream", {})
        conc, total = 16, self.args.stream_total
        for t in self.targets:
            port, prefix, headers = self.target(t)
            r = self.stream_load(t, "%s/models/%s:streamGenerateContent?alt=sse" % (prefix, STREAM_MODEL), headers,
                                 conc, total, STREAM_CHUNKS,
                                 rss_procs=self.gempool["procs"] if t == "gempool" else ())
            res[t] = r
            log("SSE 64x20ms c=16 %-8s ok %d/%d  TTFC p50 %6.2f p99 %6.2f ms  gap p99 %6.2f ms  coalesced %d" % (
                t, r["ok"], total, r["ttfc_us"]["p50"] / 1e3, r["ttfc_us"]["p99"] / 1e3, r["gap_us"]["p99"] / 1e3,
                r["gaps_under_2ms"]))

    def case_many_streams(self):
        res = self.results["cases"].setdefault("many", {})
        for t in self.targets:
            port, prefix, headers = self.target(t)
            # The gempool processes' threads and memory just before (the idle
            # count the target compares with) and, sampled, during the run.
            before = {p.name: dict(zip(("rss_kb", "threads"), p.rss_threads())) for p in self.gempool["procs"]}
            r = self.stream_load(t, "%s/models/%s:streamGenerateContent?alt=sse" % (prefix, MANY_MODEL), headers,
                                 MANY_STREAMS, MANY_STREAMS, MANY_CHUNKS,
                                 rss_procs=self.gempool["procs"] if t == "gempool" else ())
            if t == "gempool":
                r["before"] = before
            res[t] = r
            extra = ""
            if t == "gempool":
                gw = "gempool-gateway"
                extra = "  gateway threads %d before, %d peak; RSS peak %.1f MiB" % (
                    before[gw]["threads"], r["threads_peak"].get(gw, 0), r["rss_peak_kb"].get(gw, 0) / 1024)
            log("%d streams %-8s ok %d  errors %s  TTFC p99 %7.1f ms  gap p99 %7.1f ms  %.1f s%s" % (
                MANY_STREAMS, t, r["ok"], r["errors"] or 0, r["ttfc_us"]["p99"] / 1e3, r["gap_us"]["p99"] / 1e3,
                r["elapsed_us"] / 1e6, extra))
            self.cool_down(6)

    def gateway(self):
        return self.gempool["procs"][-1]

    def conn_load(self, argv, timeout):
        """Runs bench/conn_load against gempool's gateway (watching its pid);
        the JSON it printed, with the CPU and the sampled peaks of the run."""
        gw = self.gateway()
        before = dict(zip(("rss_kb", "threads"), gw.rss_threads()))
        argv = [self.conn_load_bin, "--port", str(self.gempool["port"]), "--watch-pid", str(gw.pid),
                "--label", "gempool"] + argv
        text, wall, cpu, rss = self.run_measured("gempool", argv, timeout=timeout, rss_procs=self.gempool["procs"])
        r = json.loads(text.strip().splitlines()[-1])
        r.update(cpu=cpu, rss_peak_kb=rss, threads_peak=self.last_threads_peak, before=before,
                 gateway_open_files_limit=open_files_limit(gw.pid), gateway_running_after=gw.running())
        return r

    def case_idle_connections(self):
        """10,000 keep-alive connections, each answered one cheap authenticated
        call (GET models/{model}) and then left open, idle, for IDLE_HOLD_S:
        the gateway's threads and memory."""
        _, prefix, headers = self.target("gempool")
        argv = ["--mode", "idle", "--connections", str(IDLE_CONNECTIONS), "--hold-s", str(IDLE_HOLD_S),
                "--idle-path", prefix + IDLE_MODEL_PATH, "--max-connecting", "256", "--connect-timeout-s", "5",
                "--ramp-timeout-s", "20", "--response-timeout-s", "20", "--timeout-s", "90"]
        for h in headers:
            argv += ["--header", h]
        r = self.conn_load(argv, timeout=150)
        r["request"] = "GET %s%s (x-goog-api-key: the client token)" % (prefix, IDLE_MODEL_PATH)
        self.results["cases"]["idle_connections"] = {"gempool": r}
        w = r.get("watch", {})
        log("%d idle connections: %d answered, %d open at the start of the %d s hold, %d at its end, errors %s; "
            "gateway threads %s before, %s peak; RSS %.1f MiB before, %.1f MiB with all open, %.1f MiB peak" % (
                IDLE_CONNECTIONS, r["answered"], r["open_at_hold_start"], IDLE_HOLD_S, r["open_at_end"],
                r["errors"] or 0, (w.get("before") or {}).get("threads"), (w.get("peak") or {}).get("threads"),
                (w.get("before") or {}).get("rss_kb", 0) / 1024, (w.get("at_hold_start") or {}).get("rss_kb", 0) / 1024,
                (w.get("peak") or {}).get("rss_kb", 0) / 1024))

    def case_slowloris(self):
        """5,000 connections from 127.0.0.1 trickle a request-header line a
        second, never ending the head, while 4 honest clients (127.0.0.2) call
        generateContent through the gateway."""
        _, prefix, headers = self.target("gempool")
        argv = ["--mode", "slowloris", "--connections", str(SLOWLORIS_CONNECTIONS), "--hold-s", str(SLOWLORIS_HOLD_S),
                "--line-interval-ms", "1000", "--max-connecting", "256", "--connect-timeout-s", "5",
                "--ramp-timeout-s", "15", "--honest-clients", str(HONEST_CLIENTS), "--honest-host", "127.0.0.2",
                "--honest-interval-ms", str(HONEST_INTERVAL_MS), "--call-timeout-s", str(HONEST_TIMEOUT_S),
                "--path", "%s/models/%s:generateContent" % (prefix, UNARY_MODEL), "--body-file", self.body_file,
                "--timeout-s", str(SLOWLORIS_HOLD_S + 45)]
        for h in headers:
            argv += ["--header", h]
        r = self.conn_load(argv, timeout=SLOWLORIS_HOLD_S + 90)
        r["head_timeout_s"] = HEAD_TIMEOUT_S
        self.results["cases"]["slowloris"] = {"gempool": r}
        h, c = r["honest"], r["server_close_after_us"]
        closes = "after min %.2f s, p50 %.2f s, max %.2f s" % (c["min"] / 1e6, c["p50"] / 1e6, c["max"] / 1e6) \
            if c["n"] else "none"
        lat = h["latency_us"]
        log("slowloris: %d/%d connected, %d closed by the gateway (%s), %d held to the end; honest calls %d ok, "
            "%d lost %s, p99 %s ms, max %s ms" % (
                r["connected"], SLOWLORIS_CONNECTIONS, r["closed_by_server"], closes, r["held_to_end"], h["ok"],
                h["error_count"], h["errors"] or "", "%.1f" % (lat["p99"] / 1e3) if lat["n"] else "–",
                "%.1f" % (lat["max"] / 1e3) if lat["n"] else "–"))

    def memory(self, label):
        mem = self.results["memory"].setdefault(label, {})
        for p in self.gempool["procs"]:
            mem[p.name.rsplit("-", 1)[1]] = {"rss_kb": p.rss_kb(), "threads": thread_count(p.pid)}
        return mem

    def keypool_bench(self):
        out = os.path.join(self.tmp, "keypool_bench.json")
        argv = [self.bin("libs/keypool/keypool_bench"), "--benchmark_format=json", "--benchmark_out=" + out,
                "--benchmark_min_time=0.2"]
        self.commands.append(" ".join(argv))
        subprocess.run(argv, stdout=subprocess.DEVNULL, check=True, timeout=300)
        with open(out) as f:
            data = json.load(f)
        self.results["keypool"] = [{"name": b["name"], "real_ns": b["real_time"], "cpu_ns": b["cpu_time"],
                                    "time_unit": b.get("time_unit", "ns")} for b in data["benchmarks"]]

    def request_log_rows(self):
        try:
            with sqlite3.connect("file:%s?mode=ro" % self.gempool["db"], uri=True, timeout=5) as db:
                return db.execute("SELECT COUNT(*) FROM gempool_request_log").fetchone()[0]
        except sqlite3.Error as e:
            return "unreadable (%s)" % e

    # ------------------------------------------------------------------ run
    def run(self):
        t_start = time.monotonic()
        self.results["started"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        self.results["load_before"] = loadavg()
        self.stream_load_bin = self.args.stream_load
        self.results["cases_run"] = self.cases
        self.results["targets_run"] = self.targets
        self.results["gateway_http"] = gateway_http_kind(self.bin("services/gateway/gempool-gateway"))
        log("cases %s; targets %s; gateway HTTP layer: %s" % (",".join(self.cases), ",".join(self.targets),
                                                              self.results["gateway_http"]))
        self.write_inputs()
        self.start_fake()
        if "nginx" in self.targets:
            self.start_nginx()
        if "portkey" in self.targets:
            self.start_portkey()
        # Idle memory of default installs (GATEWAY_THREADS 256): with one key,
        # and with the 100,000 keys in the .env file all three services read.
        self.one_key_env = os.path.join(self.tmp, "one-key.env")
        with open(self.one_key_env, "w") as f:
            f.write('API_KEYS=["AIzaSyBenchOneKey0000000000000000000000"]\n')
        for label, env_file in (("idle_one_key", self.one_key_env), ("idle_default_threads", self.env_file)):
            if not self.want("idle_memory"):
                break
            default = self.start_gempool("gempool-" + label.replace("_", "-"), keys_env_file=env_file, threads=0)
            time.sleep(2)
            self.results["memory"][label] = {
                p.name.rsplit("-", 1)[1]: {"rss_kb": p.rss_kb(), "threads": thread_count(p.pid)}
                for p in default["procs"]}
            for p in reversed(default["procs"]):
                p.stop()
        self.gempool = self.start_gempool()
        self.results["gateway_open_files_limit"] = open_files_limit(self.gateway().pid)
        self.results["gempool_ready_s"] = self.gempool["ready_s"]
        time.sleep(2)
        self.memory("idle")
        log("gempool ready with %d keys in %.1f s; idle RSS %s" % (
            POOL_KEYS, self.gempool["ready_s"],
            {k: v["rss_kb"] // 1024 for k, v in self.results["memory"]["idle"].items()}))

        if self.want("unary"):
            self.case_unary()
            self.memory("after_unary")
        if self.want("openai"):
            self.case_openai()
        if self.want("sse"):
            self.case_stream()
            self.cool_down()
        if self.want("streams"):
            self.case_many_streams()
            self.cool_down(2)
        self.memory("after")
        time.sleep(1)
        self.results["request_log_rows"] = self.request_log_rows()
        # The connection cases last, on a restarted gempool stack (same data
        # directory), so that what the cases before left in the gateway's heap
        # does not count towards their memory; slowloris last of all (on a
        # thread-per-connection gateway it blocks the gateway until the
        # trickling ends).
        if self.want("idle_connections") or self.want("slowloris"):
            for p in reversed(self.gempool["procs"]):
                p.stop()
            self.gempool = self.start_gempool()
            time.sleep(2)
            self.memory("idle_connection_stack")
            log("gempool restarted for the connection cases in %.1f s; idle RSS %s" % (
                self.gempool["ready_s"],
                {k: v["rss_kb"] // 1024 for k, v in self.results["memory"]["idle_connection_stack"].items()}))
        if self.want("idle_connections"):
            self.case_idle_connections()
            self.cool_down()
        if self.want("slowloris"):
            self.case_slowloris()
        if self.want("keypool"):
            self.keypool_bench()
        self.results["load_after"] = loadavg()
        self.results["elapsed_s"] = time.monotonic() - t_start
        self.results["commands"] = self.commands


def machine_info():
    info = {"nproc": os.cpu_count(), "kernel": platform.release()}
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal"):
                info["mem_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)

    def version(argv):
        try:
            p = subprocess.run(argv, capture_output=True, text=True, timeout=10)
            return (p.stdout + p.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "?"

    info["nginx"] = version(["nginx", "-v"])
    info["wrk"] = version(["wrk", "-v"])
    info["node"] = version(["node", "--version"])
    try:
        with open(os.path.join(BENCH, "node_modules", "@portkey-ai", "gateway", "package.json")) as f:
            info["portkey"] = json.load(f)["version"]
        with open(os.path.join(BENCH, "node_modules", "@hono", "node-server", "package.json")) as f:
            info["hono_node_server"] = json.load(f)["version"]
    except OSError:
        info["portkey"] = "?"
    info["commit"] = version(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                           text=True).stdout.strip()
    info["dirty"] = bool(dirty)
    return info


def wait_quiet(max_wait, threshold=1.5):
    deadline = time.monotonic() + max_wait
    while loadavg()[0] >= threshold and time.monotonic() < deadline:
        log("waiting for a quiet machine: load average %.2f >= %.1f" % (loadavg()[0], threshold))
        time.sleep(min(30, max(1, deadline - time.monotonic())))
    return loadavg()[0] < threshold


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build-bench"))
    ap.add_argument("--stream-load", help="the stream_load binary (default: BUILD/bench/stream_load)")
    ap.add_argument("--out", help="the Markdown report (default: docs/benchmarks.md; for a partial run "
                                  "BUILD/bench/benchmarks-partial.md)")
    ap.add_argument("--json", help="raw results (default: BUILD/bench/results.json)")
    ap.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    ap.add_argument("--stream-total", type=int, default=96, help="streams per target in the 64x20 ms case")
    ap.add_argument("--wait-quiet", type=int, default=0, help="wait up to this many seconds for load < 1.5")
    ap.add_argument("--quick", action="store_true", help="2 s runs, fewer streams (a smoke test; not for the report)")
    ap.add_argument("--conn-load", help="the conn_load binary (default: BUILD/bench/conn_load)")
    ap.add_argument("--cases", default="all",
                    help="comma-separated cases to run (default all): %s; 'new' = %s. A partial run writes "
                         "BUILD/bench/benchmarks-partial.md and results-partial.json unless --out/--json say "
                         "otherwise" % (", ".join(CASES), ",".join(CASE_GROUPS["new"])))
    ap.add_argument("--targets", default=",".join(TARGETS),
                    help="comma-separated targets of the per-target cases (default %s; gempool always)" %
                         ",".join(TARGETS))
    args = ap.parse_args()
    if args.quick:
        args.duration, args.stream_total = 2, 32
    cases = []
    for name in args.cases.split(","):
        name = name.strip()
        if name not in CASES and name not in CASE_GROUPS:
            ap.error("unknown case %r (cases: %s; groups: %s)" % (name, ", ".join(CASES), ", ".join(CASE_GROUPS)))
        cases += CASE_GROUPS.get(name, [name])
    args.cases = [c for c in CASES if c in cases]
    partial = args.cases != CASES
    targets = [t.strip() for t in args.targets.split(",")] + ["gempool"]
    unknown = [t for t in targets if t not in TARGETS]
    if unknown:
        ap.error("unknown target(s) %s (targets: %s)" % (", ".join(unknown), ", ".join(TARGETS)))
    args.targets = [t for t in TARGETS if t in targets]
    build_bench = os.path.join(os.path.abspath(args.build_dir), "bench")
    args.stream_load = args.stream_load or os.path.join(build_bench, "stream_load")
    args.conn_load = args.conn_load or os.path.join(build_bench, "conn_load")
    if args.out is None:
        args.out = os.path.join(build_bench, "benchmarks-partial.md") if partial else \
            os.path.join(ROOT, "docs", "benchmarks.md")
    args.json = args.json or os.path.join(build_bench, "results-partial.json" if partial else "results.json")
    for case, binary in (("sse", args.stream_load), ("streams", args.stream_load),
                         ("idle_connections", args.conn_load), ("slowloris", args.conn_load)):
        if case in args.cases and not os.access(binary, os.X_OK):
            ap.error("%s is not built (bench/bench.sh builds it; or: c++ -O2 -std=c++17 -o %s bench/%s.cc)" % (
                binary, binary, os.path.basename(binary)))
    nofile = raise_nofile()
    need = IDLE_CONNECTIONS + 2000
    if ("idle_connections" in args.cases or "slowloris" in args.cases) and nofile[1] < need:
        log("warning: RLIMIT_NOFILE is %d (hard %d): the connection cases need %d+ file descriptors per process; "
            "raise the hard limit (ulimit -Hn, LimitNOFILE=, docker --ulimit nofile=)" % (nofile[1], nofile[2], need))

    quiet = wait_quiet(args.wait_quiet) if args.wait_quiet > 0 else None
    bench = Bench(args)

    def on_term(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    try:
        bench.run()
    except KeyboardInterrupt:
        log("interrupted: stopping every process started")
        raise SystemExit(130)
    except Exception as e:
        log("FAILED: %s" % e)
        for p in bench.procs:
            if not p.running():
                log("%s exited; last output:\n%s" % (p.name, p.output()[-2000:]))
        log("logs kept in " + bench.tmp)
        raise SystemExit(1)
    finally:
        bench.stop_all()
    results = bench.results
    results["machine"] = machine_info()
    results["quiet_wait"] = quiet
    results["quick"] = args.quick
    results["partial"] = partial
    results["settings"] = {"duration_s": args.duration, "stream_total": args.stream_total,
                           "gateway_threads": GATEWAY_THREADS, "pool_keys": POOL_KEYS,
                           "nofile": {"soft_before": nofile[0], "soft": nofile[1], "hard": nofile[2]},
                           "gateway_env": {"MAX_CONNECTIONS_PER_IP": "0"},
                           "gateway_env_inherited": {k: os.environ[k] for k in (
                               "GATEWAY_IO_THREADS", "MAX_CONNECTIONS", "REQUEST_HEAD_TIMEOUT", "REQUEST_BODY_TIMEOUT",
                               "KEEP_ALIVE_TIMEOUT", "MAX_REQUEST_BODY_MB") if k in os.environ},
                           "slowloris": {"connections": SLOWLORIS_CONNECTIONS, "hold_s": SLOWLORIS_HOLD_S,
                                         "head_timeout_s": HEAD_TIMEOUT_S, "honest_clients": HONEST_CLIENTS,
                                         "honest_interval_ms": HONEST_INTERVAL_MS,
                                         "honest_timeout_s": HONEST_TIMEOUT_S},
                           "idle_connections": {"connections": IDLE_CONNECTIONS, "hold_s": IDLE_HOLD_S}}
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump(results, f, indent=1)
    sys.path.insert(0, BENCH)
    import report  # bench/report.py: the tables and docs/benchmarks.md.
    text = report.render(results)
    with open(args.out, "w") as f:
        f.write(text)
    print(report.summary_table(results))
    print()
    print(report.targets_text(results))
    log("wrote %s and %s in %.0f s" % (os.path.relpath(args.out, ROOT), args.json, results["elapsed_s"]))
    shutil.rmtree(bench.tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
