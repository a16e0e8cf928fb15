"""A few lines of TAP for the client tests: each check prints `ok N - name`
or `not ok N - name` (with the reason), and done() exits non-zero when one
failed."""
import sys
import traceback

_count = 0
_failed = 0


def check(name, fn):
    """Run fn(); a check passes when fn returns without raising."""
    global _count, _failed
    _count += 1
    try:
        fn()
        print("ok %d - %s" % (_count, name), flush=True)
    except Exception as exc:  # a failed assert or an unexpected error
        _failed += 1
        print("not ok %d - %s" % (_count, name), flush=True)
        for line in traceback.format_exception_only(type(exc), exc):
            for part in line.rstrip().splitlines():
                print("#   " + part, flush=True)


def raises(exc_type, fn, sqlstate=None):
    """Assert that fn() raises exc_type (whose pgcode is sqlstate, if given);
    return the exception."""
    try:
        fn()
    except exc_type as exc:
        code = getattr(exc, "pgcode", None) or getattr(getattr(exc, "__cause__", None), "pgcode", None) \
            or getattr(getattr(exc, "orig", None), "pgcode", None)
        assert sqlstate is None or code == sqlstate, "SQLSTATE %s, expected %s: %s" % (code, sqlstate, exc)
        return exc
    raise AssertionError("no %s raised" % exc_type.__name__)


def done():
    print("1..%d" % _count)
    sys.exit(1 if _failed else 0)
