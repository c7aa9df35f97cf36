#!/usr/bin/env python3
"""Checks deploy/Dockerfile without a Docker engine.

  check_image.py copies              every path the Dockerfile COPYs exists (and is not
                                     dropped by .dockerignore); the build stage's copied
                                     set alone configures with CMake
  check_image.py build-args          BASE_REGISTRY prefixes every FROM (empty: the
                                     default images); each stage's apt source rewrite
                                     (APT_MIRROR, APT_SECURITY_MIRROR) run on a copy of
                                     bookworm's debian.sources does what it says
  check_image.py runtime BUILD_DIR   the runtime stage is complete: every library the
                                     four binaries in BUILD_DIR link (ldd) belongs
                                     (dpkg -S) to a package the runtime stage's
                                     apt-get install line installs (or its
                                     dependencies, or debian:bookworm-slim's own set:
                                     Essential and Priority required packages and
                                     theirs); no -dev or build-only package in it;
                                     only /out comes from the build stage

Run on Debian with the build dependencies installed (scripts/install-deps.sh).
"""
import fnmatch
import os
import pathlib
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "deploy/Dockerfile"
BINARIES = ["services/gateway/gempool-gateway", "services/keybroker/gempool-keybroker",
            "services/persistence/gempool-persistence", "services/gempoolctl/gempoolctl"]
# Packages the runtime stage installs for data, not for a linked library.
RUNTIME_DATA = {"ca-certificates", "tzdata"}
TOOLCHAIN = re.compile(r"^(build-essential|cmake|make|pkg-config|pkgconf|gcc|g\+\+|cpp|clang|lld|binutils|"
                       r"protobuf-compiler|protobuf-compiler-grpc|libtool|autoconf|automake|ninja-build)"
                       r"(-[0-9.]+)?$")
# /etc/apt/sources.list.d/debian.sources as the debian:bookworm(-slim) images ship it.
BOOKWORM_SOURCES = """Types: deb
# http://snapshot.debian.org/archive/debian/20240101T000000Z
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
# http://snapshot.debian.org/archive/debian-security/20240101T000000Z
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
"""

from check_report import fail, failures, ok  # noqa: E402 (beside this script)


# --- Dockerfile parsing -----------------------------------------------------

class Instruction:
    def __init__(self, keyword, args, line):
        self.keyword, self.args, self.line = keyword, args, line

    def __repr__(self):
        return "%s %s (line %d)" % (self.keyword, self.args, self.line)


class Stage:
    def __init__(self, base, name, index):
        self.base, self.name, self.index = base, name, index
        self.instructions = []

    def label(self):
        return "stage %d (%s)" % (self.index, self.name or "unnamed")


def parse_dockerfile(text):
    """Instructions in order (continuations joined, comment lines dropped, as
    Docker's parser does), then the stages."""
    instructions, current, start = [], None, 0
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if stripped.startswith("#") or (not stripped and current is None):
            continue
        if current is None:
            current, start = "", number
        if raw.rstrip().endswith("\\"):
            current += raw.rstrip()[:-1] + " "
            continue
        current += raw
        keyword, _, args = current.strip().partition(" ")
        instructions.append(Instruction(keyword.upper(), args.strip(), start))
        current = None
    header, stages = [], []
    for ins in instructions:
        if ins.keyword == "FROM":
            words = ins.args.split()
            words = [w for w in words if not w.startswith("--")]
            name = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
            stages.append(Stage(words[0], name, len(stages)))
        elif stages:
            stages[-1].instructions.append(ins)
        else:
            header.append(ins)
    return header, stages


def copy_sources(ins):
    """(flags, sources, destination) of a COPY, shell or JSON form."""
    words = shlex.split(ins.args)
    flags = [w for w in words if w.startswith("--")]
    rest = [w for w in words if not w.startswith("--")]
    if ins.args.lstrip().startswith("["):
        import json
        rest = json.loads(ins.args[ins.args.index("["):])
    return flags, rest[:-1], rest[-1]


def apt_install_packages(command):
    """Package names of every `apt-get install` in a RUN command."""
    packages = []
    for segment in re.split(r"&&|\|\||;", command):
        words = shlex.split(segment) if "apt-get" in segment else []
        if "apt-get" in words and "install" in words:
            after = words[words.index("install") + 1:]
            packages += [w for w in after if not w.startswith("-")]
    return packages


def runtime_and_build_stages(stages):
    build = [s for s in stages if s.name == "build"]
    if not build:
        fail("deploy/Dockerfile has no stage named build")
    return (build[0] if build else None), stages[-1]


def load():
    header, stages = parse_dockerfile(DOCKERFILE.read_text(encoding="utf-8"))
    if len(stages) < 2:
        fail("deploy/Dockerfile: expected a build and a runtime stage, found %d stage(s)" % len(stages))
        finish()
    return header, stages


# --- copies ------------------------------------------------------------------

def dockerignore_patterns():
    path = ROOT / ".dockerignore"
    if not path.exists():
        return []
    lines = [l.strip() for l in path.read_text().splitlines()]
    return [l for l in lines if l and not l.startswith("#")]


def ignored(rel, patterns):
    """Whether .dockerignore drops rel or a folder above it (last match wins)."""
    parts = pathlib.PurePosixPath(rel).parts
    verdict = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        for i in range(1, len(parts) + 1):
            if fnmatch.fnmatchcase("/".join(parts[:i]), pattern):
                verdict = not negate
                break
    return verdict


def check_copies():
    _, stages = load()
    build, _ = runtime_and_build_stages(stages)
    patterns = dockerignore_patterns()
    for stage in stages:
        for ins in stage.instructions:
            if ins.keyword not in ("COPY", "ADD"):
                continue
            flags, sources, _ = copy_sources(ins)
            if any(f.startswith("--from") for f in flags):
                continue
            for src in sources:
                if not (ROOT / src).exists():
                    fail("deploy/Dockerfile line %d: COPY %s, which does not exist in the repository" % (ins.line, src))
                elif ignored(src, patterns):
                    fail("deploy/Dockerfile line %d: COPY %s, which .dockerignore leaves out of the build context"
                         % (ins.line, src))
                else:
                    ok("%s: COPY %s exists" % (stage.label(), src))
    if build is None:
        return
    # Exactly the build stage's copies, laid out as under its WORKDIR, must configure.
    workdir = "/"
    with tempfile.TemporaryDirectory(prefix="gempool-image-copies-") as tmp:
        tree = pathlib.Path(tmp) / "src"
        tree.mkdir()
        for ins in build.instructions:
            if ins.keyword == "WORKDIR":
                workdir = ins.args.strip()
            if ins.keyword not in ("COPY", "ADD"):
                continue
            flags, sources, dest = copy_sources(ins)
            if any(f.startswith("--from") for f in flags):
                continue
            dest_abs = dest if dest.startswith("/") else os.path.join(workdir, dest)
            rel = os.path.relpath(os.path.normpath(dest_abs), workdir)
            if rel.startswith(".."):
                fail("deploy/Dockerfile line %d: the build stage copies to %s, outside WORKDIR %s" % (ins.line, dest, workdir))
                continue
            target = tree / rel
            for src in sources:
                path = ROOT / src
                if not path.exists():
                    continue
                if path.is_dir():
                    shutil.copytree(path, target, dirs_exist_ok=True, symlinks=True)
                else:
                    into_dir = dest.endswith("/") or len(sources) > 1 or rel == "."
                    out = target / path.name if into_dir else target
                    out.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, out)
        cmake = shutil.which("cmake")
        if not cmake:
            fail("cmake is not installed (scripts/install-deps.sh)")
            return
        result = subprocess.run([cmake, "-S", str(tree), "-B", str(tree / "b"), "-DGEMPOOL_BUILD_TESTS=OFF",
                                 "-DCMAKE_BUILD_TYPE=Release"], capture_output=True, text=True)
        if result.returncode != 0:
            errors = "\n".join(l for l in (result.stdout + result.stderr).splitlines()
                               if not l.startswith("--"))
            fail("the build stage's copied files (%s) do not configure: `cmake -S <copies> -DGEMPOOL_BUILD_TESTS=OFF` "
                 "fails; COPY what it needs in deploy/Dockerfile:\n%s"
                 % (", ".join(sorted(p.name for p in tree.iterdir() if p.name != "b")), errors.replace(str(tree), "<copies>")))
        else:
            ok("the build stage's copied files configure with cmake (GEMPOOL_BUILD_TESTS=OFF)")


# --- build arguments -----------------------------------------------------------

def mirror_rewrite(run_args):
    """The part of an apt RUN before `apt-get update`: the source rewrite."""
    index = run_args.find("apt-get update")
    return run_args[:index].rstrip().rstrip("&;").rstrip() if index > 0 else ""


def run_rewrite(script, env, sources_text, ca_bundle=False):
    with tempfile.TemporaryDirectory(prefix="gempool-apt-mirror-") as tmp:
        root = pathlib.Path(tmp)
        (root / "etc/apt/sources.list.d").mkdir(parents=True)
        (root / "etc/ssl/certs").mkdir(parents=True)
        if sources_text is not None:
            (root / "etc/apt/sources.list.d/debian.sources").write_text(sources_text)
        if ca_bundle:
            (root / "etc/ssl/certs/ca-certificates.crt").write_text("-----BEGIN CERTIFICATE-----\n")
        local = script.replace("/etc/apt/", str(root) + "/etc/apt/").replace("/etc/ssl/", str(root) + "/etc/ssl/")
        full_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "APT_MIRROR": "", "APT_SECURITY_MIRROR": ""}
        full_env.update(env)
        result = subprocess.run(["sh", "-c", local], env=full_env, capture_output=True, text=True)
        path = root / "etc/apt/sources.list.d/debian.sources"
        return result, (path.read_text() if path.exists() else None)


def uris(text):
    return [l.split(":", 1)[1].strip() for l in text.splitlines() if l.startswith("URIs:")]


def check_build_args():
    header, stages = load()
    if not any(i.keyword == "ARG" and i.args.replace(" ", "") == "BASE_REGISTRY=" for i in header):
        fail("deploy/Dockerfile: no `ARG BASE_REGISTRY=` (empty default) before the first FROM")
    stage_names = {s.name for s in stages if s.name}
    for stage in stages:
        if stage.base in stage_names:
            continue
        if not stage.base.startswith("${BASE_REGISTRY}"):
            fail("deploy/Dockerfile: %s starts FROM %s: prefix it with ${BASE_REGISTRY} so it can come through a "
                 "registry mirror" % (stage.label(), stage.base))
            continue
        default = stage.base.replace("${BASE_REGISTRY}", "", 1)
        if "$" in default or "/" in default.split(":")[0] and "." in default.split("/")[0]:
            fail("deploy/Dockerfile: %s: with BASE_REGISTRY empty the image is %s, not a Docker Hub name"
                 % (stage.label(), default))
        else:
            ok("%s: FROM ${BASE_REGISTRY}%s (default %s)" % (stage.label(), default, default))

    for stage in stages:
        apt_runs = [i for i in stage.instructions if i.keyword == "RUN" and "apt-get update" in i.args]
        if not apt_runs:
            continue
        args = {i.args.split("=")[0].strip() for i in stage.instructions
                if i.keyword == "ARG" and i.line < apt_runs[0].line}
        for name in ("APT_MIRROR", "APT_SECURITY_MIRROR"):
            if name not in args:
                fail("deploy/Dockerfile: %s runs apt-get without declaring ARG %s in the stage (an ARG before "
                     "FROM does not reach RUN)" % (stage.label(), name))
        for run in apt_runs:
            script = mirror_rewrite(run.args)
            where = "%s, line %d" % (stage.label(), run.line)
            if "APT_MIRROR" not in script or "APT_SECURITY_MIRROR" not in script:
                fail("%s: apt-get update runs without first pointing the sources at APT_MIRROR and "
                     "APT_SECURITY_MIRROR" % where)
                continue
            result, text = run_rewrite(script, {}, BOOKWORM_SOURCES)
            if result.returncode != 0 or text != BOOKWORM_SOURCES:
                fail("%s: with no mirror arguments the apt sources changed or the rewrite failed (%s)"
                     % (where, result.stderr.strip()))
            else:
                ok("%s: no mirror arguments: debian.sources untouched" % where)
            result, text = run_rewrite(script, {"APT_MIRROR": "http://mirrors.example.cn/debian/"}, BOOKWORM_SOURCES)
            if result.returncode != 0 or uris(text or "") != ["http://mirrors.example.cn/debian",
                                                              "http://deb.debian.org/debian-security"]:
                fail("%s: APT_MIRROR=http://mirrors.example.cn/debian/ gave %s (%s)"
                     % (where, uris(text or ""), result.stderr.strip()))
            else:
                ok("%s: APT_MIRROR replaces bookworm and bookworm-updates only" % where)
            result, text = run_rewrite(script, {"APT_MIRROR": "http://mirrors.example.cn/debian",
                                                "APT_SECURITY_MIRROR": "http://mirrors.example.cn/debian-security"},
                                       BOOKWORM_SOURCES)
            if result.returncode != 0 or uris(text or "") != ["http://mirrors.example.cn/debian",
                                                              "http://mirrors.example.cn/debian-security"]:
                fail("%s: APT_MIRROR + APT_SECURITY_MIRROR gave %s (%s)" % (where, uris(text or ""), result.stderr.strip()))
            else:
                ok("%s: APT_SECURITY_MIRROR replaces bookworm-security" % where)
            result, _ = run_rewrite(script, {"APT_MIRROR": "https://mirrors.example.cn/debian"}, BOOKWORM_SOURCES)
            if result.returncode == 0 or "http://" not in result.stderr:
                fail("%s: an https:// mirror in an image without CA certificates should stop the build with a "
                     "message saying to use http:// (got rc %d, %r)" % (where, result.returncode, result.stderr.strip()))
            else:
                ok("%s: an https:// mirror without CA certificates stops with: %s" % (where, result.stderr.strip()))
            result, text = run_rewrite(script, {"APT_MIRROR": "https://mirrors.example.cn/debian"}, BOOKWORM_SOURCES,
                                       ca_bundle=True)
            if result.returncode != 0 or uris(text or "")[0] != "https://mirrors.example.cn/debian":
                fail("%s: an https:// mirror with CA certificates present should be used (%s)" % (where, result.stderr.strip()))
            else:
                ok("%s: an https:// mirror is used as given once CA certificates are there" % where)
            result, _ = run_rewrite(script, {"APT_MIRROR": "http://mirrors.example.cn/debian"},
                                    BOOKWORM_SOURCES.replace("deb.debian.org", "ftp.debian.org"))
            if result.returncode == 0:
                fail("%s: APT_MIRROR given but no deb.debian.org entry to replace: the rewrite should fail, not "
                     "build from the default mirror" % where)
            else:
                ok("%s: a mirror argument with nothing to replace fails: %s" % (where, result.stderr.strip()))


# --- runtime stage --------------------------------------------------------------

def dpkg_database():
    """Installed packages: name -> (priority, essential, [dependency groups], provides)."""
    fmt = "${Package}\\t${db:Status-Abbrev}\\t${Priority}\\t${Essential}\\t${Pre-Depends}\\t${Depends}\\t${Provides}\\n"
    out = subprocess.run(["dpkg-query", "-W", "-f=" + fmt], capture_output=True, text=True, check=True).stdout
    packages, providers = {}, {}
    for line in out.splitlines():
        name, status, priority, essential, pre, deps, provides = (line.split("\t") + [""] * 7)[:7]
        if not status.startswith("ii"):
            continue
        groups = []
        for field in (pre, deps):
            for group in filter(None, (g.strip() for g in field.split(","))):
                groups.append([re.sub(r"\s*\(.*?\)|:\w+$", "", alt.strip()).split(":")[0]
                               for alt in group.split("|")])
        entry = packages.setdefault(name, {"priority": priority, "essential": essential == "yes", "groups": []})
        entry["groups"] += groups
        for p in filter(None, (re.sub(r"\s*\(.*?\)", "", x).strip() for x in provides.split(","))):
            providers.setdefault(p, []).append(name)
    return packages, providers


def closure(roots, packages, providers):
    """The roots and what their Depends/Pre-Depends pull in (the installed alternative apt would have)."""
    seen, todo = set(), list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for group in packages.get(name, {}).get("groups", []):
            chosen = next((a for a in group if a in packages), None)
            if chosen is None:
                # A virtual package: the provider debian:bookworm-slim has (Essential/required) first.
                offered = [p for a in group for p in providers.get(a, [])]
                offered.sort(key=lambda p: (not (packages[p]["essential"] or packages[p]["priority"] == "required"), p))
                chosen = offered[0] if offered else None
            if chosen:
                todo.append(chosen)
    return seen


def owners(paths):
    """path -> packages, trying each path as given, resolved, and across the /usr merge."""
    candidates = {}
    for p in paths:
        real = os.path.realpath(p)
        options = []
        for q in (p, real):
            options += [q, q[4:] if q.startswith("/usr/") else "/usr" + q]
        candidates[p] = list(dict.fromkeys(options))
    flat = sorted({c for options in candidates.values() for c in options})
    out = subprocess.run(["dpkg-query", "-S"] + flat, capture_output=True, text=True).stdout
    found = {}
    for line in out.splitlines():
        if line.startswith("diversion ") or ": " not in line:
            continue
        pkgs, path = line.rsplit(": ", 1)
        found[path.strip()] = [x.strip().split(":")[0] for x in pkgs.split(",")]
    return {p: next((found[c] for c in options if c in found), None) for p, options in candidates.items()}


def check_runtime(build_dir):
    _, stages = load()
    build, runtime = runtime_and_build_stages(stages)
    for tool in ("ldd", "dpkg-query"):
        if not shutil.which(tool):
            fail("%s is missing: run on Debian (libc-bin, dpkg)" % tool)
            finish()
    runtime_list = [p for i in runtime.instructions if i.keyword == "RUN" for p in apt_install_packages(i.args)]
    build_list = [p for i in build.instructions if i.keyword == "RUN" for p in apt_install_packages(i.args)] if build else []
    if not runtime_list:
        fail("deploy/Dockerfile: the runtime stage has no `apt-get install` line")
        finish()
    ok("runtime stage installs: " + " ".join(runtime_list))

    for ins in runtime.instructions:
        if ins.keyword in ("COPY", "ADD"):
            flags, sources, _ = copy_sources(ins)
            if any(f.startswith("--from") for f in flags):
                bad = [s for s in sources if not s.rstrip("/").startswith("/out")]
                if bad:
                    fail("deploy/Dockerfile line %d: the runtime stage copies %s from the build stage; only the "
                         "stripped binaries under /out belong in it" % (ins.line, " ".join(bad)))
                else:
                    ok("runtime stage copies only %s from the build stage" % " ".join(sources))

    for name in runtime_list:
        if re.search(r"-(dev|dbg|dbgsym)$", name) or TOOLCHAIN.match(name):
            fail("deploy/Dockerfile: the runtime stage installs %s, a build-only package: remove it" % name)
        elif name in build_list and name not in RUNTIME_DATA:
            fail("deploy/Dockerfile: the runtime stage installs %s, which the build stage installs for the build: "
                 "remove it from the runtime stage" % name)

    packages, providers = dpkg_database()
    base_roots = [n for n, e in packages.items() if e["essential"] or e["priority"] == "required"]
    base = closure(base_roots, packages, providers)
    not_here = [n for n in runtime_list if n not in packages]
    if not_here:
        print("note: not installed here, so their dependencies are not followed: " + " ".join(not_here))
    installed = closure(runtime_list, packages, providers)
    leaked = sorted(n for n in installed - base
                    if re.search(r"-(dev|dbg)$", n) or TOOLCHAIN.match(n))
    if leaked:
        fail("deploy/Dockerfile: the runtime stage's packages pull in build-only packages: " + " ".join(leaked))
    print("note: debian:bookworm-slim's own set (Essential/required and their dependencies here): %d packages"
          % len(base))

    used, absent = set(), {}
    for rel in BINARIES:
        binary = pathlib.Path(build_dir) / rel
        label = pathlib.Path(rel).name
        if not binary.is_file():
            fail("%s is not built in %s: build the tree first (cmake --build %s)" % (label, build_dir, build_dir))
            continue
        result = subprocess.run(["ldd", str(binary)], capture_output=True, text=True)
        if result.returncode != 0:
            fail("ldd %s failed: %s" % (binary, result.stderr.strip()))
            continue
        libs, missing = {}, []
        for line in result.stdout.splitlines():
            m = re.match(r"\s*(\S+)\s+=>\s+(.*?)\s+\(0x", line)
            if m:
                libs[m.group(1)] = m.group(2)
            elif "=> not found" in line:
                missing.append(line.split("=>")[0].strip())
            else:
                m = re.match(r"\s*(/\S+)\s+\(0x", line)
                if m:
                    libs[os.path.basename(m.group(1))] = m.group(1)
        for lib in missing:
            fail("%s: ldd cannot resolve %s: install the package that ships it here and add it to the runtime "
                 "stage's apt-get install line (apt-file search %s)" % (label, lib, lib))
        owned = owners(list(libs.values()))
        problems = 0
        for soname, path in sorted(libs.items()):
            pkgs = owned.get(path)
            if not pkgs:
                fail("%s: %s (%s) belongs to no Debian package: the image cannot install it with apt"
                     % (label, soname, path))
                problems += 1
                continue
            used.update(pkgs)
            if not any(p in installed or p in base for p in pkgs):
                absent.setdefault(pkgs[0], {}).setdefault(label, []).append(soname)
                problems += 1
        if not problems and not missing:
            via = sorted({p for path in libs.values() for p in (owned.get(path) or [])})
            ok("%s: %d libraries, all from packages the image has (%s)" % (label, len(libs), " ".join(via)))
    for package, needers in sorted(absent.items()):
        fail("add %s to the runtime stage's apt-get install line in deploy/Dockerfile: the image does not have it, "
             "and %s" % (package, "; ".join("%s links %s" % (b, ", ".join(sorted(libs))) for b, libs in needers.items())))
    unused = [n for n in runtime_list if n not in RUNTIME_DATA and n not in used]
    if unused:
        print("note: installed by the runtime stage but linked by no binary here: " + " ".join(unused))


def finish():
    if failures:
        print("\n%d problem(s) in deploy/Dockerfile" % len(failures))
        sys.exit(1)
    print("deploy/Dockerfile: all checks passed")
    sys.exit(0)


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ("copies", "build-args", "runtime"):
        sys.exit(__doc__)
    if sys.argv[1] == "copies":
        check_copies()
    elif sys.argv[1] == "build-args":
        check_build_args()
    else:
        if len(sys.argv) != 3:
            sys.exit("usage: check_image.py runtime BUILD_DIR")
        check_runtime(sys.argv[2])
    finish()


if __name__ == "__main__":
    main()
