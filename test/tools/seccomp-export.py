#!/usr/bin/python3
"""Exports seccomp BPF programs with the system's libseccomp (python3-seccomp), for tests.

Reads one JSON request on stdin and writes one JSON answer on stdout, so a test can build many
programs with a single process. Must run under the interpreter that has the `seccomp` module
(on Debian: /usr/bin/python3 with python3-seccomp).

Request:  {"filters": [{"arches": ["x86_64"], "default": "allow", "badArch": "allow",
                        "rules": [{"action": "errno:1", "syscall": "socket",
                                   "args": [[0, "eq", 17], [2, "masked_eq", 3, 3]]}],
                        "exact": true, "optimize": 1}]}
          arches: libseccomp arch names in context order (the first one replaces the native arch);
          actions: allow, kill (thread), kill_process, trap, log, notify, errno:N, trace:N;
          syscall: a name or a number; ops: ne lt le eq ge gt masked_eq.
Answer:   {"programs": [{"hex": "...", "rules": [{"ok": true} | {"ok": false, "errno": 33}]}]}
"""
import errno
import json
import os
import sys
import tempfile

import seccomp

OPS = {"ne": seccomp.NE, "lt": seccomp.LT, "le": seccomp.LE, "eq": seccomp.EQ,
       "ge": seccomp.GE, "gt": seccomp.GT, "masked_eq": seccomp.MASKED_EQ}


def action(spec):
    name, _, arg = str(spec).partition(":")
    if name == "allow":
        return seccomp.ALLOW
    if name == "kill":
        return seccomp.KILL
    if name == "kill_process":
        return seccomp.KILL_PROCESS
    if name == "trap":
        return seccomp.TRAP
    if name == "log":
        return seccomp.LOG
    if name == "notify":
        return seccomp.NOTIFY
    if name == "errno":
        return seccomp.ERRNO(int(arg))
    if name == "trace":
        return seccomp.TRACE(int(arg))
    raise ValueError("unknown action %r" % spec)


def arch(name):
    return getattr(seccomp.Arch, name.upper())


def token(a):
    """AUDIT_ARCH token as an unsigned 32-bit number (the module mixes signed and unsigned)."""
    return int(a) & 0xFFFFFFFF


def build(spec):
    f = seccomp.SyscallFilter(action(spec.get("default", "allow")))
    arches = spec.get("arches") or []
    native = token(seccomp.system_arch())
    for a in arches:
        if token(arch(a)) != native:
            f.add_arch(arch(a))
    if arches and all(token(arch(a)) != native for a in arches):
        f.remove_arch(seccomp.Arch.NATIVE)
    f.set_attr(seccomp.Attr.ACT_BADARCH, action(spec.get("badArch", "kill")))
    f.set_attr(seccomp.Attr.CTL_NNP, 0)
    if "optimize" in spec:
        f.set_attr(seccomp.Attr.CTL_OPTIMIZE, int(spec["optimize"]))
    results = []
    for r in spec.get("rules", []):
        args = [seccomp.Arg(a[0], OPS[a[1]], *[int(x) for x in a[2:]]) for a in r.get("args", [])]
        add = f.add_rule_exactly if spec.get("exact", True) else f.add_rule
        try:
            add(action(r["action"]), r["syscall"], *args)
            results.append({"ok": True})
        except (RuntimeError, OSError, ValueError) as e:
            code = getattr(e, "errno", None) or (e.args[0] if e.args and isinstance(e.args[0], int) else None)
            results.append({"ok": False, "errno": abs(code) if isinstance(code, int) else errno.EINVAL, "message": str(e)})
    with tempfile.TemporaryFile() as t:
        f.export_bpf(t)
        t.seek(0)
        data = t.read()
    return {"hex": data.hex(), "rules": results}


def main():
    req = json.load(sys.stdin)
    out = {"programs": []}
    for spec in req.get("filters", []):
        try:
            out["programs"].append(build(spec))
        except Exception as e:  # report, keep going: one bad spec must not hide the others
            out["programs"].append({"error": "%s: %s" % (type(e).__name__, e)})
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
