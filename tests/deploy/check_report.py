"""How the deploy checks report: one line per check ("ok: ..." or "FAIL: ..."),
the failures kept so the script can sum them up and exit 1 at the end.
Imported by the check_*.py scripts beside it (their directory is on sys.path
when they run)."""

failures = []


def fail(message):
    failures.append(message)
    print("FAIL: " + message)


def ok(message):
    print("ok: " + message)
