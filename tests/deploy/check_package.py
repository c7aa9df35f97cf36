#!/usr/bin/env python3
"""The .deb (cmake/GempoolPackage.cmake, deploy/debian/): built with cpack from
an already built tree, unpacked into a scratch root and checked.

  check_package.py --build-dir BUILD [--cpack CPACK] [--source-dir SRC]

Checks: the file name, version and architecture; Depends names the package of
every shared library the binaries load directly (as dpkg -S maps them) plus
ca-certificates and tzdata; the four binaries in /usr/bin; the three units and
gempool.target (ExecStart, EnvironmentFile, User, ordering, hardening, a stop
timeout longer than SHUTDOWN_GRACE_SECONDS) and `systemd-analyze verify`
against the scratch root; /etc/gempool/gempool.env is a conffile, mode 0600,
for one host (loopback, SQLite, DATA_DIR=/var/lib/gempool) and readable by
systemd's EnvironmentFile= parser; the maintainer scripts pass `sh -n`, and
postinst, run with DPKG_ROOT on a scratch root, creates the system user and
/var/lib/gempool; every binary answers --help with exit 0.

Needs root (useradd --prefix, chown) and: cpack (cmake), dpkg-dev
(dpkg-shlibdeps), file, binutils (readelf), systemd (systemd-analyze); Debian
bookworm: apt-get install cmake dpkg-dev file binutils systemd.
"""

import argparse
import os
import re
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time

SERVICES = ("persistence", "keybroker", "gateway")
BINARIES = ("gempool-gateway", "gempool-keybroker", "gempool-persistence", "gempoolctl")
UNIT_DIR = "lib/systemd/system"
ENV_FILE = "/etc/gempool/gempool.env"
DATA_DIR = "/var/lib/gempool"
# Settings in .env.example that only docker compose reads.
COMPOSE_ONLY = {"GEMPOOL_IMAGE"}
HELP_TIMEOUT = 8

from check_report import fail, failures, ok  # noqa: E402 (beside this script)


def run(cmd, **kwargs):
    kwargs.setdefault("stdout", subprocess.PIPE)
    kwargs.setdefault("stderr", subprocess.STDOUT)
    return subprocess.run(cmd, text=True, **kwargs)


def need_tools(cpack):
    missing = []
    for tool, package in ((cpack, "cmake"), ("dpkg-deb", "dpkg"), ("dpkg-shlibdeps", "dpkg-dev"),
                          ("file", "file"), ("readelf", "binutils"), ("systemd-analyze", "systemd"),
                          ("useradd", "passwd")):
        if shutil.which(tool) is None:
            missing.append(f"{tool} (Debian package {package})")
    if missing:
        print("FAIL: missing tools: " + ", ".join(missing) +
              "; install them (scripts/install-deps.sh --test, or apt-get install them)")
        sys.exit(1)
    if os.geteuid() != 0:
        print("FAIL: this test needs root (it runs the package's postinst with useradd --prefix and chown "
              "on a scratch root): run ctest as root, as CI does")
        sys.exit(1)


def parse_unit(path):
    """A systemd unit as {section: {key: [values]}} (later assignments append;
    an empty assignment resets, as systemd does for list settings)."""
    sections = {}
    current = None
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.strip()
            if not line or line[0] in "#;":
                continue
            m = re.fullmatch(r"\[(.+)\]", line)
            if m:
                current = sections.setdefault(m.group(1), {})
                continue
            if current is None or "=" not in line:
                raise ValueError(f"{path}: cannot parse line {line!r}")
            key, value = (part.strip() for part in line.split("=", 1))
            if value == "":
                current[key] = []
            else:
                current.setdefault(key, []).append(value)
    return sections


def words(unit, section, key):
    return [w for v in unit.get(section, {}).get(key, []) for w in v.split()]


def one(unit, section, key):
    values = unit.get(section, {}).get(key, [])
    return values[-1] if values else None


def seconds(text):
    """A systemd time span (40, 40s, 1min 30s, 2m) in seconds."""
    total = 0.0
    units = {"": 1, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "ms": 0.001}
    for number, unit in re.findall(r"(\d+(?:\.\d+)?)\s*([a-z]*)", text):
        if unit not in units:
            raise ValueError(f"unknown time unit in {text!r}")
        total += float(number) * units[unit]
    return total


def parse_env_file(path):
    """The conffile as systemd's EnvironmentFile= reads it, refusing what
    systemd and gempool's own .env parser read differently."""
    values = {}
    problems = []
    with open(path, encoding="utf-8") as f:
        for number, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            stripped = line.strip()
            if not stripped or stripped[0] in "#;":
                continue
            m = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)", stripped)
            if not m:
                problems.append(f"line {number}: not NAME=value (systemd would not read it the same way)")
                continue
            name, value = m.group(1), m.group(2)
            if value[:1] in ("'", '"'):
                if len(value) < 2 or value[-1] != value[0]:
                    problems.append(f"line {number}: {name}: unbalanced quotes")
                value = value[1:-1]
            else:
                if re.search(r"\s#", value):
                    problems.append(f"line {number}: {name}: a comment after the value (systemd keeps it in the value)")
                if "\\" in value:
                    problems.append(f"line {number}: {name}: a backslash (systemd treats it as an escape)")
            values[name] = value
    return values, problems


def documented_settings(env_example):
    with open(env_example, encoding="utf-8") as f:
        return {m.group(1) for m in re.finditer(r"^([A-Z][A-Z0-9_]*)=", f.read(), re.M)}


def is_loopback(address):
    host = address.rsplit(":", 1)[0] if ":" in address else address
    return host.strip("[]") in ("127.0.0.1", "::1", "localhost")


def free_ports(n):
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def owning_packages(paths):
    """{path: Debian package} for shared libraries, in one dpkg-query call.
    dpkg knows a library under the path its package ships (/usr/lib/... or
    /lib/...), which on a merged-/usr system may differ from ldd's."""
    variants = {}
    for path in paths:
        for p in {path, os.path.realpath(path)}:
            variants[p] = path
            variants[p[4:] if p.startswith("/usr/") else "/usr" + p] = path
    r = run(["dpkg-query", "-S"] + sorted(variants), stderr=subprocess.DEVNULL)
    found = {}
    for line in r.stdout.splitlines():
        m = re.match(r"^(\S+?)(?::\S+)?: (/\S+)$", line)
        if m and m.group(2) in variants:
            found.setdefault(variants[m.group(2)], m.group(1).split(",")[0])
    return found


def check_control(deb, version, arch):
    fields = {}
    for field in ("Package", "Version", "Architecture", "Depends", "Maintainer"):
        fields[field] = run(["dpkg-deb", "-f", deb, field]).stdout.strip()
    info = run(["dpkg-deb", "-I", deb])
    if info.returncode != 0:
        fail("dpkg-deb -I cannot read the package:\n" + info.stdout)
    if fields["Package"] == "gempool":
        ok("Package: gempool")
    else:
        fail(f"Package is {fields['Package']!r}, expected gempool")
    if fields["Version"].split("-")[0] == version:
        ok(f"Version {fields['Version']} (project version {version})")
    else:
        fail(f"Version is {fields['Version']!r}, expected the project version {version} (with a Debian revision)")
    if fields["Architecture"] == arch:
        ok(f"Architecture {arch} (dpkg --print-architecture)")
    else:
        fail(f"Architecture is {fields['Architecture']!r}, expected {arch}")
    if not fields["Maintainer"]:
        fail("no Maintainer field")
    depends = {re.split(r"[\s(]", alt.strip(), 1)[0]
               for group in fields["Depends"].split(",") for alt in group.split("|") if alt.strip()}
    return depends


def check_depends(root, depends):
    for extra in ("ca-certificates", "tzdata"):
        if extra in depends:
            ok(f"Depends names {extra}")
        else:
            fail(f"Depends lacks {extra} (TLS to Google / the TIMEZONE setting need it)")
    needed_packages = {}
    wanted = []
    for binary in BINARIES:
        path = os.path.join(root, "usr/bin", binary)
        if not os.path.exists(path):
            continue
        needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", run(["readelf", "-d", path]).stdout)
        resolved = dict(re.findall(r"^\s*(\S+) => (\S+)", run(["ldd", path]).stdout, re.M))
        for soname in needed:
            where = resolved.get(soname)
            if where is None or not where.startswith("/"):
                fail(f"{binary}: {soname} does not resolve on this machine (ldd)")
            else:
                wanted.append((binary, soname, where))
    packages = owning_packages({where for _, _, where in wanted})
    for binary, soname, where in wanted:
        if where not in packages:
            fail(f"{binary}: {soname} ({where}) belongs to no Debian package (dpkg -S)")
        else:
            needed_packages.setdefault(packages[where], set()).add(soname)
    missing = {p: s for p, s in needed_packages.items() if p not in depends}
    for package, sonames in sorted(missing.items()):
        fail(f"Depends lacks {package}, which provides {', '.join(sorted(sonames))}")
    if needed_packages and not missing:
        ok(f"Depends names the {len(needed_packages)} packages of the binaries' shared libraries "
           f"({', '.join(sorted(p for p in needed_packages if p.startswith(('libgrpc++', 'libsoci', 'libprotobuf'))))}, ...)")


def check_files(root, deb):
    for binary in BINARIES:
        path = os.path.join(root, "usr/bin", binary)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            ok(f"/usr/bin/{binary}")
        else:
            fail(f"/usr/bin/{binary} is missing or not executable")
    listing = run(["dpkg-deb", "-c", deb]).stdout
    m = re.search(r"^(\S+)\s+(\S+)\s+\d+\s+\S+\s+\S+\s+\./etc/gempool/gempool\.env$", listing, re.M)
    if not m:
        fail(f"{ENV_FILE} is not in the package")
    elif m.group(1) != "-rw-------" or m.group(2) != "root/root":
        fail(f"{ENV_FILE} is {m.group(1)} {m.group(2)}; it holds secrets: -rw------- root/root")
    else:
        ok(f"{ENV_FILE} is -rw------- root/root")


def check_env_file(root, source_dir):
    path = os.path.join(root, ENV_FILE.lstrip("/"))
    if not os.path.isfile(path):
        return {}
    values, problems = parse_env_file(path)
    for problem in problems:
        fail(f"{ENV_FILE} {problem}")
    # No root password: Debian's MariaDB has none (root logs in through its socket).
    expect = {"DATA_DIR": DATA_DIR, "DATABASE_TYPE": "sqlite", "MYSQL_ROOT_PASSWORD": ""}
    for name, value in expect.items():
        if values.get(name) != value:
            fail(f"{ENV_FILE}: {name}={values.get(name)!r}, expected {value!r}")
    for name in ("HOST", "KEYBROKER_ADDR", "PERSISTENCE_ADDR"):
        if not values.get(name) or not is_loopback(values[name]):
            fail(f"{ENV_FILE}: {name}={values.get(name)!r} is not a loopback address")
    for name in ("KEYBROKER_LISTEN", "PERSISTENCE_LISTEN", "GATEWAY_METRICS_LISTEN", "KEYBROKER_METRICS_LISTEN",
                 "PERSISTENCE_METRICS_LISTEN"):
        if values.get(name) and not is_loopback(values[name]):
            fail(f"{ENV_FILE}: {name}={values[name]!r} listens beyond this host")
    documented = documented_settings(os.path.join(source_dir, ".env.example"))
    absent = sorted(documented - COMPOSE_ONLY - set(values))
    extra = sorted(set(values) - documented)
    if absent:
        fail(f"{ENV_FILE} lacks settings .env.example documents: {', '.join(absent)}")
    if extra:
        fail(f"{ENV_FILE} sets what .env.example does not document: {', '.join(extra)}")
    if not absent and not extra and not problems:
        ok(f"{ENV_FILE}: every documented setting ({len(values)}), one host (loopback, SQLite in {DATA_DIR}), "
           "readable by EnvironmentFile=")
    return values


def check_units(root, env):
    units = {}
    for name in [f"gempool-{s}.service" for s in SERVICES] + ["gempool.target"]:
        path = os.path.join(root, UNIT_DIR, name)
        if not os.path.isfile(path):
            fail(f"/{UNIT_DIR}/{name} is missing")
            continue
        try:
            units[name] = parse_unit(path)
        except ValueError as e:
            fail(str(e))
    grace = float(env.get("SHUTDOWN_GRACE_SECONDS", "30") or 30)
    for service in SERVICES:
        name = f"gempool-{service}.service"
        unit = units.get(name)
        if unit is None:
            continue
        bad = []
        exec_start = (one(unit, "Service", "ExecStart") or "").split()
        binary = f"/usr/bin/gempool-{service}"
        if not exec_start or exec_start[0].lstrip("@-:+!") != binary:
            bad.append(f"ExecStart={' '.join(exec_start)!r}, expected {binary}")
        elif not os.access(os.path.join(root, binary.lstrip("/")), os.X_OK):
            bad.append(f"ExecStart names {binary}, which the package does not install")
        want = {"User": "gempool", "Group": "gempool", "EnvironmentFile": ENV_FILE, "WorkingDirectory": DATA_DIR,
                "NoNewPrivileges": "yes", "ProtectSystem": "strict", "PrivateTmp": "yes", "Restart": "on-failure"}
        for key, value in want.items():
            if one(unit, "Service", key) != value:
                bad.append(f"{key}={one(unit, 'Service', key)!r}, expected {value!r}")
        if DATA_DIR not in [w.lstrip("-+") for w in words(unit, "Service", "ReadWritePaths")]:
            bad.append(f"ReadWritePaths lacks {DATA_DIR}")
        timeout = one(unit, "Service", "TimeoutStopSec")
        if timeout is None or seconds(timeout) < grace + 5:
            bad.append(f"TimeoutStopSec={timeout!r}: must exceed SHUTDOWN_GRACE_SECONDS ({grace:g} s in "
                       f"{ENV_FILE}) by at least 5 s, or systemd kills the drain")
        unset = words(unit, "Service", "UnsetEnvironment")
        if service == "persistence":
            if "MYSQL_PASSWORD" in unset:
                bad.append("persistence must receive MYSQL_PASSWORD")
        elif not {"MYSQL_PASSWORD", "MYSQL_ROOT_PASSWORD"} <= set(unset):
            bad.append("UnsetEnvironment must drop MYSQL_PASSWORD and MYSQL_ROOT_PASSWORD (only persistence logs in)")
        if "gempool.target" not in words(unit, "Unit", "PartOf"):
            bad.append("PartOf=gempool.target missing (systemctl restart gempool.target would skip it)")
        for problem in bad:
            fail(f"{name}: {problem}")
        if not bad:
            ok(f"{name}: ExecStart {binary}, User=gempool, EnvironmentFile={ENV_FILE}, hardening, "
               f"TimeoutStopSec={timeout}")
    # Start order persistence -> key broker -> gateway (stops run the other way).
    order = [("gempool-keybroker.service", "gempool-persistence.service"),
             ("gempool-gateway.service", "gempool-keybroker.service")]
    for later, earlier in order:
        unit = units.get(later)
        if unit is None:
            continue
        after, wants = words(unit, "Unit", "After"), words(unit, "Unit", "Wants")
        requires = words(unit, "Unit", "Requires") + words(unit, "Unit", "BindsTo")
        if earlier in after and earlier in wants and earlier not in requires:
            ok(f"{later}: After= and Wants= {earlier}")
        elif earlier in requires:
            fail(f"{later}: Requires=/BindsTo={earlier} would restart it whenever {earlier} restarts; "
                 f"use Wants= (the services ride through each other's restarts)")
        else:
            fail(f"{later}: needs After={earlier} and Wants={earlier} (has After={after}, Wants={wants})")
    persistence = units.get("gempool-persistence.service")
    if persistence:
        later_units = {"gempool-keybroker.service", "gempool-gateway.service"}
        if later_units & set(words(persistence, "Unit", "After") + words(persistence, "Unit", "Requires")):
            fail("gempool-persistence.service must not wait for the key broker or the gateway (a cycle)")
    target = units.get("gempool.target")
    if target:
        wants = set(words(target, "Unit", "Wants") + words(target, "Unit", "Requires"))
        expected = {f"gempool-{s}.service" for s in SERVICES}
        if expected <= wants and "multi-user.target" in words(target, "Install", "WantedBy"):
            ok("gempool.target wants the three services and is WantedBy=multi-user.target")
        else:
            fail(f"gempool.target: Wants={sorted(wants)}, WantedBy={words(target, 'Install', 'WantedBy')}; "
                 "expected the three services and multi-user.target")


def check_systemd_analyze(root):
    # verify resolves the units' dependencies (sysinit.target, ...) inside the
    # root: give it this machine's units next to the package's.
    # (copies: systemd refuses symlinked mount and slice units). Any output
    # fails, warnings included (an unknown key is only a warning).
    unit_dir = os.path.join(root, UNIT_DIR)
    ours = sorted(os.listdir(unit_dir))
    host_dir = "/lib/systemd/system"
    if not os.path.isfile(os.path.join(host_dir, "sysinit.target")):
        fail(f"{host_dir}/sysinit.target is missing: install systemd (apt-get install systemd)")
        return
    r = run(["cp", "-an", host_dir + "/.", unit_dir + "/"])
    if r.returncode != 0:
        fail("copying this machine's units into the scratch root: " + r.stdout)
        return
    r = run(["systemd-analyze", "verify", f"--root={root}"] + [os.path.join(unit_dir, u) for u in ours])
    if r.returncode != 0 or r.stdout.strip():
        fail("systemd-analyze verify --root=<scratch root> " + " ".join(ours) + ":\n" + r.stdout.strip())
    else:
        ok("systemd-analyze verify: " + ", ".join(ours))


def check_maintainer_scripts(deb, work):
    control = os.path.join(work, "control")
    r = run(["dpkg-deb", "-e", deb, control])
    if r.returncode != 0:
        fail("dpkg-deb -e: " + r.stdout)
        return
    conffiles_path = os.path.join(control, "conffiles")
    conffiles = open(conffiles_path).read().split() if os.path.exists(conffiles_path) else []
    if ENV_FILE in conffiles:
        ok(f"conffiles lists {ENV_FILE} (dpkg keeps the user's edits on upgrade)")
    else:
        fail(f"conffiles does not list {ENV_FILE} (upgrades would overwrite the user's settings): {conffiles}")
    for script in ("postinst", "prerm", "postrm"):
        path = os.path.join(control, script)
        if not os.path.isfile(path):
            fail(f"no {script} in the package")
            continue
        mode = stat.S_IMODE(os.stat(path).st_mode)
        first = open(path).readline().strip()
        check = run(["sh", "-n", path])
        if first != "#!/bin/sh" or not mode & 0o111 or check.returncode != 0:
            fail(f"{script}: first line {first!r}, mode {oct(mode)}, sh -n: {check.stdout.strip() or 'ok'}")
        else:
            ok(f"{script}: #!/bin/sh, executable, sh -n passes")

    check_dpkg_lifecycle(deb, work)


def dpkg_root(root, *args):
    """dpkg on a scratch root. Chrootless: the maintainer scripts run here with
    DPKG_ROOT=root (the root holds no shell); dependencies are not installed
    there; the conffile question an upgrade may ask gets the answer
    unattended upgrades give (keep the user's file)."""
    return run(["dpkg", f"--root={root}", "--force-script-chrootless", "--force-depends", "--force-confdef",
                "--force-confold", "--log=/dev/null"] + list(args), stdin=subprocess.DEVNULL)


def check_dpkg_lifecycle(deb, work):
    """Install, edit the settings, upgrade to a package whose settings changed,
    purge: with dpkg itself, on a scratch root."""
    root = os.path.join(work, "dpkg-root")
    for d in ("var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers", "etc"):
        os.makedirs(os.path.join(root, d))
    for name, text, mode in (("var/lib/dpkg/status", "", 0o644), ("var/lib/dpkg/available", "", 0o644),
                             ("etc/passwd", "root:x:0:0:root:/root:/bin/bash\n", 0o644),
                             ("etc/group", "root:x:0:\n", 0o644),
                             ("etc/shadow", "root:*:19000:0:99999:7:::\n", 0o640),
                             ("etc/gshadow", "root:*::\n", 0o640)):
        with open(os.path.join(root, name), "w") as f:
            f.write(text)
        os.chmod(os.path.join(root, name), mode)
    env_path = os.path.join(root, ENV_FILE.lstrip("/"))
    data = os.path.join(root, DATA_DIR.lstrip("/"))

    r = dpkg_root(root, "-i", deb)
    if r.returncode != 0:
        fail(f"dpkg --root -i exited {r.returncode}:\n{r.stdout}")
        return
    users = [line.split(":") for line in open(os.path.join(root, "etc/passwd")) if line.startswith("gempool:")]
    bad = []
    if len(users) != 1:
        bad.append(f"{len(users)} users named gempool, expected one")
    else:
        user = users[0]
        uid, gid = int(user[2]), int(user[3])
        if not 0 < uid < 1000:
            bad.append(f"uid {uid} is not a system uid")
        if user[5] != DATA_DIR or user[6].strip() != "/usr/sbin/nologin":
            bad.append(f"home {user[5]!r} / shell {user[6].strip()!r}, expected {DATA_DIR} and /usr/sbin/nologin")
        if not os.path.isdir(data):
            bad.append(f"{DATA_DIR} was not created")
        else:
            st = os.stat(data)
            if (st.st_uid, st.st_gid) != (uid, gid) or stat.S_IMODE(st.st_mode) != 0o750:
                bad.append(f"{DATA_DIR} is {st.st_uid}:{st.st_gid} {oct(stat.S_IMODE(st.st_mode))}, "
                           f"expected {uid}:{gid} 0o750")
    if not os.path.isfile(env_path) or stat.S_IMODE(os.stat(env_path).st_mode) != 0o600:
        bad.append(f"{ENV_FILE} not installed with mode 0600")
    for problem in bad:
        fail("after dpkg -i: " + problem)
    if bad:
        return
    ok(f"dpkg -i (scratch root): system user gempool (nologin), {DATA_DIR} owned by it (0750), {ENV_FILE} 0600")

    # The user edits the settings; the next version of the package changes them too.
    with open(env_path, "a") as f:
        f.write("# edited by the user\n")
    unpacked = os.path.join(work, "next")
    run(["dpkg-deb", "-R", deb, unpacked])
    control_path = os.path.join(unpacked, "DEBIAN/control")
    control = open(control_path).read()
    control = re.sub(r"^Version: (.+)$", r"Version: \1+next1", control, flags=re.M)
    with open(control_path, "w") as f:
        f.write(control)
    with open(os.path.join(unpacked, ENV_FILE.lstrip("/")), "a") as f:
        f.write("# added by the next version\n")
    sums = run(["sh", "-c", "find . -path ./DEBIAN -prune -o -type f -printf '%P\\0' | xargs -0 md5sum"],
               cwd=unpacked).stdout
    with open(os.path.join(unpacked, "DEBIAN/md5sums"), "w") as f:
        f.write(sums)
    next_deb = os.path.join(work, "gempool-next.deb")
    r = run(["dpkg-deb", "--root-owner-group", "-b", unpacked, next_deb])
    if r.returncode != 0:
        fail("dpkg-deb -b (the next version): " + r.stdout)
        return
    r = dpkg_root(root, "-i", next_deb)
    users = [line for line in open(os.path.join(root, "etc/passwd")) if line.startswith("gempool:")]
    if r.returncode != 0:
        fail(f"upgrade (dpkg --root -i of the next version) exited {r.returncode}:\n{r.stdout}")
    elif "# edited by the user" not in open(env_path).read():
        fail(f"the upgrade replaced the user's {ENV_FILE}")
    elif not os.path.exists(env_path + ".dpkg-dist"):
        fail(f"the upgrade kept the user's {ENV_FILE} but left no {ENV_FILE}.dpkg-dist with the new one")
    elif len(users) != 1:
        fail(f"after the upgrade: {len(users)} users named gempool")
    else:
        ok(f"upgrade (dpkg -i of a newer version): the user's {ENV_FILE} kept, the new one as .dpkg-dist")

    r = dpkg_root(root, "--purge", "gempool")
    if r.returncode != 0:
        fail(f"dpkg --root --purge exited {r.returncode}:\n{r.stdout}")
    elif os.path.exists(env_path) or not os.path.isdir(data):
        fail(f"after purge: {ENV_FILE} {'still there' if os.path.exists(env_path) else 'gone'}, "
             f"{DATA_DIR} {'kept' if os.path.isdir(data) else 'removed (the database!)'}")
    else:
        ok(f"dpkg --purge: settings removed, {DATA_DIR} (the database) kept")


def check_help(root, work):
    # A binary that ignores --help would start its service: keep it on free
    # loopback ports, a scratch data directory, and no drain.
    ports = free_ports(3)
    home = os.path.join(work, "help-home")
    os.makedirs(home)
    env = {"PATH": "/usr/bin:/bin", "HOME": home, "GEMPOOL_ENV_FILE": "/dev/null", "DATA_DIR": home,
           "HOST": "127.0.0.1", "PORT": str(ports[0]), "KEYBROKER_ADDR": f"127.0.0.1:{ports[1]}",
           "PERSISTENCE_ADDR": f"127.0.0.1:{ports[2]}", "SHUTDOWN_GRACE_SECONDS": "0", "API_KEYS": "[]"}
    # All four at once: a service that ignores --help costs HELP_TIMEOUT once.
    running = {}
    for binary in BINARIES:
        path = os.path.join(root, "usr/bin", binary)
        if os.path.exists(path):
            running[binary] = subprocess.Popen([path, "--help"], cwd=home, env=env, text=True,
                                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + HELP_TIMEOUT
    for binary, process in running.items():
        try:
            out, err = process.communicate(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            fail(f"{binary} --help did not exit within {HELP_TIMEOUT} s: it ignores --help and started the "
                 f"service instead (its main() reads no arguments)")
            continue
        if process.returncode == 0 and out.strip():
            ok(f"{binary} --help exits 0 ({len(out.splitlines())} lines of help)")
        else:
            fail(f"{binary} --help exited {process.returncode} with {len(out)} bytes on stdout "
                 f"(stderr: {err.strip()[:300]!r}); expected help on stdout and exit 0")


def check_services_start(root, env_values, units_dir, work):
    """The three services from the scratch root, each with the environment its
    unit gives it (the conffile, Environment=, UnsetEnvironment=), on free
    loopback ports and a scratch data directory: none refuses the packaged
    settings, the gateway answers /health, and SIGTERM stops each with exit 0
    well within TimeoutStopSec."""
    import urllib.request
    import urllib.error
    ports = free_ports(3)
    data = os.path.join(work, "start-data")
    os.makedirs(data)
    override = {"DATA_DIR": data, "PORT": str(ports[0]), "KEYBROKER_ADDR": f"127.0.0.1:{ports[1]}",
                "PERSISTENCE_ADDR": f"127.0.0.1:{ports[2]}", "SHUTDOWN_GRACE_SECONDS": "2",
                "CHECK_INTERVAL_HOURS": "0"}
    processes = []
    try:
        for service in SERVICES:
            unit = parse_unit(os.path.join(units_dir, f"gempool-{service}.service"))
            env = {"PATH": "/usr/bin:/bin"}
            for assignment in words(unit, "Service", "Environment"):
                name, _, value = assignment.partition("=")
                env[name] = value
            env.update(env_values)  # EnvironmentFile= wins over Environment=
            for name in words(unit, "Service", "UnsetEnvironment"):
                env.pop(name, None)
            env.update(override)
            binary = os.path.join(root, one(unit, "Service", "ExecStart").split()[0].lstrip("/"))
            log = open(os.path.join(work, f"start-{service}.log"), "w+")
            processes.append((service, subprocess.Popen([binary], cwd=data, env=env, stdout=log,
                                                        stderr=subprocess.STDOUT), log))
        deadline = time.monotonic() + 20
        answered, last = None, "no answer"
        while time.monotonic() < deadline and answered is None:
            if any(p.poll() is not None for _, p, _ in processes):
                break
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{ports[0]}/health", timeout=1) as r:
                    answered = r.status
            except urllib.error.HTTPError as e:
                last = f"{e.code} {e.read()[:400].decode(errors='replace')}"
                time.sleep(0.2)
            except OSError as e:
                last = str(e)
                time.sleep(0.2)
        exited = [(s, p.returncode) for s, p, _ in processes if p.poll() is not None]
        if exited:
            for service, code in exited:
                log = [l for s, _, l in processes if s == service][0]
                log.seek(0)
                fail(f"gempool-{service} exited {code} with the packaged settings:\n{log.read()[-1500:]}")
            return
        if answered != 200:
            fail(f"the gateway's GET /health was not 200 within 20 s with the packaged settings: {last}")
        else:
            ok("the three services run with the packaged settings: GET /health is 200; SIGTERM stops them")
    finally:
        for service, process, log in reversed(processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
                    fail(f"gempool-{service} did not stop within 15 s of SIGTERM")
                    continue
                if process.returncode != 0:
                    fail(f"gempool-{service} exited {process.returncode} on SIGTERM, expected 0")
            log.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--cpack", default="cpack")
    parser.add_argument("--source-dir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "../.."))
    args = parser.parse_args()
    build = os.path.abspath(args.build_dir)
    source = os.path.abspath(args.source_dir)
    need_tools(args.cpack)

    config = os.path.join(build, "CPackConfig.cmake")
    if not os.path.isfile(config):
        print(f"FAIL: {config} does not exist: configure the tree (cmake -S . -B build) with GEMPOOL_PACKAGE=ON")
        sys.exit(1)
    cache = open(os.path.join(build, "CMakeCache.txt")).read()
    m = re.search(r"^CMAKE_PROJECT_VERSION:STATIC=(\S+)", cache, re.M)
    version = m.group(1) if m else "?"
    arch = run(["dpkg", "--print-architecture"]).stdout.strip()

    with tempfile.TemporaryDirectory(prefix="gempool-deb-") as work:
        out = os.path.join(work, "out")
        # Packages what is built; CPACK_CMAKE_GENERATOR=Ninja skips the Makefile
        # generator's `preinstall` step, which would first build every target
        # (the test runs after the build and must not start one). gzip: quicker
        # than the release's xz, same contents.
        cmd = [args.cpack, "-G", "DEB", "--config", config, "-B", out, "-D", "CPACK_CMAKE_GENERATOR=Ninja",
               "-D", "CPACK_DEBIAN_COMPRESSION_TYPE=gzip"]
        r = run(cmd, cwd=build)
        debs = [f for f in os.listdir(out) if f.endswith(".deb")] if os.path.isdir(out) else []
        if r.returncode != 0 or len(debs) != 1:
            print(r.stdout)
            print(f"FAIL: {' '.join(cmd)} exited {r.returncode} and made {debs} (are the four binaries built? "
                  "cmake --build <dir> --target gempool-gateway gempool-keybroker gempool-persistence gempoolctl)")
            sys.exit(1)
        deb = os.path.join(out, debs[0])
        expected_name = rf"gempool_{re.escape(version)}-[^_]+_{re.escape(arch)}\.deb"
        if re.fullmatch(expected_name, debs[0]):
            ok(f"cpack -G DEB made {debs[0]}")
        else:
            fail(f"package file {debs[0]}, expected gempool_{version}-<revision>_{arch}.deb")

        root = os.path.join(work, "root")
        r = run(["dpkg-deb", "-x", deb, root])
        if r.returncode != 0:
            print("FAIL: dpkg-deb -x: " + r.stdout)
            sys.exit(1)
        depends = check_control(deb, version, arch)
        check_files(root, deb)
        check_depends(root, depends)
        env = check_env_file(root, source)
        check_units(root, env)
        check_systemd_analyze(root)
        check_maintainer_scripts(deb, work)
        check_services_start(root, env, os.path.join(root, UNIT_DIR), work)
        check_help(root, work)

    if failures:
        print(f"\n{len(failures)} problem(s) with the .deb:")
        for f in failures:
            print("  - " + f.splitlines()[0])
        sys.exit(1)
    print("\nthe .deb is complete")


if __name__ == "__main__":
    main()
