#!/usr/bin/env python3
"""Checks .github/workflows/release.yml, which cannot run here:

  1. actionlint (a pinned version, `go install`ed once into a cache folder)
     passes: workflow syntax, expressions, action inputs, and with shellcheck
     the `run:` scripts;
  2. the workflow does what the release needs: it runs on v* tags, may write
     packages, sets up QEMU and Buildx, builds deploy/Dockerfile for
     linux/amd64 and linux/arm64, pushes to ghcr.io/<owner, lowercased>/gempool
     and to Docker Hub only when DOCKERHUB_USERNAME/DOCKERHUB_TOKEN are set,
     with semver and latest tags from docker/metadata-action, and a build cache.

  check_release_workflow.py [TOOLS_DIR]   (default ~/.cache/gempool/tools)
"""
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

ACTIONLINT = "github.com/rhysd/actionlint/cmd/actionlint"
ACTIONLINT_VERSION = "v1.7.12"

ROOT = pathlib.Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github/workflows/release.yml"

try:
    import yaml
except ImportError:
    # Debian's python3-yaml belongs to /usr/bin/python3; another python3 first in PATH may lack it.
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    sys.exit("FAIL: PyYAML is missing: apt-get install python3-yaml (scripts/install-deps.sh --test)")

from check_report import fail, failures, ok  # noqa: E402 (beside this script)


def actionlint_binary(tools_dir):
    target = pathlib.Path(tools_dir) / ("actionlint-" + ACTIONLINT_VERSION) / "actionlint"
    if target.is_file() and os.access(target, os.X_OK):
        return target
    go = shutil.which("go")
    if not go:
        fail("go is not installed: it builds actionlint %s (`go install %s@%s`); install Go 1.21 or newer "
             "(https://go.dev/doc/install; it fetches the toolchain actionlint needs) and put it in PATH"
             % (ACTIONLINT_VERSION, ACTIONLINT, ACTIONLINT_VERSION))
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    print("installing actionlint %s into %s (once)" % (ACTIONLINT_VERSION, target.parent))
    with tempfile.TemporaryDirectory(dir=target.parent) as gobin:
        env = dict(os.environ, GOBIN=gobin, GOTOOLCHAIN=os.environ.get("GOTOOLCHAIN", "auto"))
        result = subprocess.run([go, "install", "%s@%s" % (ACTIONLINT, ACTIONLINT_VERSION)], env=env,
                                cwd=gobin, capture_output=True, text=True)
        if result.returncode != 0:
            fail("`go install %s@%s` failed (network to the Go module proxy?):\n%s"
                 % (ACTIONLINT, ACTIONLINT_VERSION, result.stderr.strip()))
            return None
        os.replace(pathlib.Path(gobin) / "actionlint", target)   # atomic: a concurrent run sees all or nothing
    return target


def lint(tools_dir):
    binary = actionlint_binary(tools_dir)
    if binary is None:
        return
    if not shutil.which("shellcheck"):
        fail("shellcheck is not installed, so actionlint cannot check the workflow's run: scripts: "
             "apt-get install shellcheck (scripts/install-deps.sh --test)")
        return
    result = subprocess.run([str(binary), "-no-color", str(WORKFLOW.relative_to(ROOT))], cwd=ROOT,
                            capture_output=True, text=True)
    if result.returncode != 0:
        fail("actionlint %s finds problems in %s:\n%s" % (ACTIONLINT_VERSION, WORKFLOW.relative_to(ROOT),
                                                          (result.stdout + result.stderr).strip()))
    else:
        ok("actionlint %s (with shellcheck): no problems" % ACTIONLINT_VERSION)


def steps_using(job, action):
    return [s for s in job.get("steps", []) if str(s.get("uses", "")).split("@")[0] == action]


def lines(value):
    return [l.strip() for l in str(value or "").splitlines() if l.strip()]


def check_structure():
    try:
        doc = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        fail("%s is not valid YAML: %s" % (WORKFLOW.relative_to(ROOT), error))
        return
    if not isinstance(doc, dict):
        fail("%s: not a mapping" % WORKFLOW.relative_to(ROOT))
        return
    # YAML 1.1 reads the bare key `on` as true.
    trigger = doc.get("on", doc.get(True))
    tags = (((trigger or {}).get("push") or {}).get("tags") if isinstance(trigger, dict) else None) or []
    if "v*" not in tags:
        fail("the workflow must run on pushed tags v* (on.push.tags), has %r" % (trigger,))
    else:
        ok("runs on pushed tags v*")
    jobs = doc.get("jobs") or {}
    permissions = dict(doc.get("permissions") or {})
    for job in jobs.values():
        permissions.update(job.get("permissions") or {})
    if permissions.get("packages") != "write":
        fail("the workflow needs `permissions: packages: write` to push to GHCR")
    else:
        ok("permissions: packages: write")

    builders = [(name, job) for name, job in jobs.items() if steps_using(job, "docker/build-push-action")]
    if not builders:
        fail("no job uses docker/build-push-action")
        return
    name, job = builders[0]
    # The job's run scripts and expressions, as written.
    text = "\n".join(str(v) for s in job.get("steps", []) for v in [s.get("run", "")] + list((s.get("with") or {}).values()))
    text += "\n" + "\n".join(str(v) for v in (job.get("env") or {}).values())
    for step in job.get("steps", []):
        uses = step.get("uses")
        if uses and not re.search(r"@(v\d[\w.]*|[0-9a-f]{40})$", uses):
            fail("job %s: %s is not pinned to a release (or a commit)" % (name, uses))
    for action in ("actions/checkout", "docker/setup-qemu-action", "docker/setup-buildx-action",
                   "docker/metadata-action", "docker/login-action"):
        if not steps_using(job, action):
            fail("job %s has no %s step" % (name, action))
        else:
            ok("job %s: %s" % (name, action))

    build = steps_using(job, "docker/build-push-action")[0].get("with") or {}
    platforms = {p.strip() for p in str(build.get("platforms", "")).replace("\n", ",").split(",") if p.strip()}
    if not {"linux/amd64", "linux/arm64"} <= platforms:
        fail("build-push-action builds %s, not linux/amd64 and linux/arm64" % sorted(platforms))
    else:
        ok("platforms " + ", ".join(sorted(platforms)))
    qemu = (steps_using(job, "docker/setup-qemu-action") or [{}])[0].get("with") or {}
    if qemu.get("platforms") and "arm64" not in str(qemu["platforms"]):
        fail("setup-qemu-action does not set up arm64 (platforms: %s)" % qemu["platforms"])
    dockerfile = build.get("file")
    if not dockerfile or not (ROOT / str(dockerfile)).is_file():
        fail("build-push-action's file: %r is not the repository's Dockerfile (deploy/Dockerfile)" % dockerfile)
    else:
        ok("builds %s from context %s" % (dockerfile, build.get("context", ".")))
    if str(build.get("push")).lower() != "true":
        fail("build-push-action does not push (push: %r)" % build.get("push"))
    if "steps.meta.outputs.tags" not in str(build.get("tags")) or "steps.meta.outputs.labels" not in str(build.get("labels")):
        fail("build-push-action must take tags and labels from the metadata step (steps.meta.outputs.*)")
    if not build.get("cache-from") or not build.get("cache-to"):
        fail("build-push-action has no cache-from/cache-to (the arm64 build under QEMU is long without a cache)")
    else:
        ok("cache %s -> %s" % (build["cache-from"], build["cache-to"]))

    meta_steps = steps_using(job, "docker/metadata-action")
    meta = (meta_steps[0].get("with") or {}) if meta_steps else {}
    if meta_steps and meta_steps[0].get("id") != "meta":
        fail("the metadata-action step's id must be meta (build-push-action reads steps.meta.outputs)")
    tag_rules = lines(meta.get("tags"))
    if not any("type=semver" in t and "{{version}}" in t for t in tag_rules):
        fail("metadata-action has no type=semver,pattern={{version}} tag")
    else:
        ok("semver tags: " + "; ".join(t for t in tag_rules if "semver" in t))
    flavor = lines(meta.get("flavor"))
    if not any(re.fullmatch(r"latest=(auto|true)", f) for f in flavor) and \
            not any("value=latest" in t for t in tag_rules):
        fail("metadata-action makes no latest tag (flavor latest=auto, or type=raw,value=latest)")
    else:
        ok("latest tag")

    # Registries: GHCR always (owner lowercased), Docker Hub only with its secrets.
    if not re.search(r"ghcr\.io/\$\{OWNER,,\}/gempool|ghcr\.io/\$\{\{\s*[^}]*lower", text):
        fail("the workflow does not push to ghcr.io/<owner lowercased>/gempool")
    else:
        ok("pushes to ghcr.io/<owner lowercased>/gempool")
    logins = steps_using(job, "docker/login-action")
    ghcr = [s for s in logins if (s.get("with") or {}).get("registry") == "ghcr.io"]
    if not ghcr or "GITHUB_TOKEN" not in str(ghcr[0].get("with", {}).get("password")):
        fail("no docker/login-action step for ghcr.io with secrets.GITHUB_TOKEN")
    hub = [s for s in logins if (s.get("with") or {}).get("registry") in (None, "docker.io")]
    if not hub:
        fail("no docker/login-action step for Docker Hub")
    else:
        login = hub[0]
        secrets_used = str(login.get("with"))
        if "secrets.DOCKERHUB_USERNAME" not in secrets_used or "secrets.DOCKERHUB_TOKEN" not in secrets_used:
            fail("the Docker Hub login must use secrets.DOCKERHUB_USERNAME and secrets.DOCKERHUB_TOKEN")
        condition = str(login.get("if", ""))
        job_env = yaml.safe_dump(job.get("env") or {})
        if "DOCKERHUB" not in condition or ("secrets.DOCKERHUB_TOKEN" not in condition + job_env):
            fail("the Docker Hub login must run only when DOCKERHUB_USERNAME and DOCKERHUB_TOKEN are set (if: %r)"
                 % condition)
        else:
            ok("Docker Hub login only when its secrets are set (if: %s)" % condition)
    if not re.search(r"docker\.io/\$\{DOCKERHUB_USERNAME,,\}/gempool", text):
        fail("the Docker Hub image docker.io/<DOCKERHUB_USERNAME>/gempool is not among the pushed images")
    elif "DOCKERHUB_ENABLED" not in text or not re.search(r'if \[ "\$DOCKERHUB_ENABLED" = true \]', text):
        fail("the Docker Hub image must be added only when the Docker Hub secrets are set")
    else:
        ok("Docker Hub image added only when the secrets are set")


def main():
    tools_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.expanduser("~/.cache/gempool/tools")
    if not WORKFLOW.is_file():
        fail("%s does not exist" % WORKFLOW.relative_to(ROOT))
    else:
        check_structure()
        lint(tools_dir)
    if failures:
        print("\n%d problem(s) in %s" % (len(failures), WORKFLOW.relative_to(ROOT)))
        sys.exit(1)
    print("%s: all checks passed" % WORKFLOW.relative_to(ROOT))


if __name__ == "__main__":
    main()
