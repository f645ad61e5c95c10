#!/usr/bin/python3
"""Builds seccomp filters with the real libseccomp, the way systemd does, and prints their BPF.

Reads JSON from stdin: {"specs": [FilterSpec...], "lib": optional path to a libseccomp.so.2}.
A FilterSpec is the TypeScript shape (server/src/seccomp/filterTypes.ts) with 64-bit datums as
decimal strings. Without "lib" the filters are built with python3-seccomp (Debian's binding to
the system libseccomp; import it with /usr/bin/python3); with "lib" the given shared library is
driven through ctypes, so other libseccomp releases (e.g. from a Debian root) can be compared.
Prints {"version": [maj, min, micro], "results": [{"hex": ..., "rc": [...]} | {"error": ...}]}:
"hex" is the seccomp_export_bpf() output, "rc" the return code of each rule add (0 or -errno).
"""

import ctypes
import json
import re
import sys
import tempfile

# systemd's ABI names (seccomp_arch_to_string) -> libseccomp's arch names (arch_def_lookup_name)
ARCH_NAMES = {
    "x86": "x86", "x86-64": "x86_64", "x32": "x32", "arm": "arm", "arm64": "aarch64",
    "loongarch64": "loongarch64", "mips": "mips", "mips64": "mips64", "mips64-n32": "mips64n32",
    "mips-le": "mipsel", "mips64-le": "mipsel64", "mips64-le-n32": "mipsel64n32",
    "parisc": "parisc", "parisc64": "parisc64", "ppc": "ppc", "ppc64": "ppc64",
    "ppc64-le": "ppc64le", "riscv64": "riscv64", "s390": "s390", "s390x": "s390x",
}
OPS = {"ne": 1, "lt": 2, "le": 3, "eq": 4, "ge": 5, "gt": 6, "masked-eq": 7}
ATTR_ACT_BADARCH = 2
ATTR_CTL_NNP = 3
ATTR_CTL_OPTIMIZE = 8


def action(a):
    kind = a["kind"]
    if kind == "allow":
        return 0x7FFF0000
    if kind == "kill-process":
        return 0x80000000
    if kind == "kill-thread":
        return 0
    if kind == "errno":
        return 0x00050000 | (int(a["errno"]) & 0xFFFF)
    if kind == "log":
        return 0x7FFC0000
    if kind == "trap":
        return 0x00030000
    if kind == "trace":
        return 0x7FF00000 | (int(a["data"]) & 0xFFFF)
    if kind == "notify":
        return 0x7FC00000
    raise ValueError("unknown action " + kind)


def signed(v):
    """python3-seccomp takes actions as C int: SCMP_ACT_KILL_PROCESS is -2**31 there."""
    return v - (1 << 32) if v >= (1 << 31) else v


def args_of(rule):
    return [(int(c["arg"]), OPS[c["op"]], int(c["datumA"]), int(c["datumB"])) for c in rule["args"]]


class ModuleBackend:
    """python3-seccomp (the binding Debian builds against its libseccomp)."""

    def __init__(self):
        import seccomp  # noqa: imported here so the ctypes path works without it
        self.seccomp = seccomp

    def version(self):
        # the binding has no version call; the module's library is already loaded under this name
        lib = ctypes.CDLL("libseccomp.so.2")
        return ctypes_version(lib)

    def build(self, spec):
        sc = self.seccomp
        f = sc.SyscallFilter(signed(action(spec["defaultAction"])))
        native = sc.Arch()
        abis = [sc.Arch(ARCH_NAMES[a]) for a in spec["abis"]]
        if int(abis[0]) != int(native):
            f.remove_arch(native)
            for a in abis:
                f.add_arch(a)
        else:
            for a in abis[1:]:
                f.add_arch(a)
        f.set_attr(sc.Attr.ACT_BADARCH, signed(action(spec["badArchAction"])))
        f.set_attr(sc.Attr.CTL_NNP, 0)
        if spec["optimize"] == 2:
            f.set_attr(sc.Attr.CTL_OPTIMIZE, 2)
        rcs = []
        for rule in spec["rules"]:
            args = [sc.Arg(a, op, da, db) for (a, op, da, db) in args_of(rule)]
            try:
                if spec["exact"]:
                    f.add_rule_exactly(signed(action(rule["action"])), rule["syscall"], *args)
                else:
                    f.add_rule(signed(action(rule["action"])), rule["syscall"], *args)
                rcs.append(0)
            except RuntimeError as e:
                m = re.search(r"errno = (-?\d+)", str(e))
                if not m:
                    raise
                rcs.append(int(m.group(1)))
        with tempfile.TemporaryFile() as tf:
            f.export_bpf(tf)
            tf.seek(0)
            data = tf.read()
        return data, rcs


class ScmpArgCmp(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int), ("datum_a", ctypes.c_uint64), ("datum_b", ctypes.c_uint64)]


def ctypes_version(lib):
    lib.seccomp_version.restype = ctypes.c_void_p
    p = lib.seccomp_version()
    v = ctypes.cast(p, ctypes.POINTER(ctypes.c_uint * 3)).contents
    return [v[0], v[1], v[2]]


class CtypesBackend:
    """Any libseccomp.so.2 by path, through its C API."""

    def __init__(self, path):
        lib = ctypes.CDLL(path)
        lib.seccomp_init.restype = ctypes.c_void_p
        lib.seccomp_init.argtypes = [ctypes.c_uint32]
        lib.seccomp_release.argtypes = [ctypes.c_void_p]
        lib.seccomp_arch_native.restype = ctypes.c_uint32
        lib.seccomp_arch_resolve_name.restype = ctypes.c_uint32
        lib.seccomp_arch_resolve_name.argtypes = [ctypes.c_char_p]
        lib.seccomp_arch_add.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
        lib.seccomp_arch_remove.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
        lib.seccomp_attr_set.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_uint32]
        lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
        lib.seccomp_syscall_resolve_name.restype = ctypes.c_int
        for fn in (lib.seccomp_rule_add_array, lib.seccomp_rule_add_exact_array):
            fn.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint, ctypes.POINTER(ScmpArgCmp)]
            fn.restype = ctypes.c_int
        lib.seccomp_export_bpf.argtypes = [ctypes.c_void_p, ctypes.c_int]
        self.lib = lib

    def version(self):
        return ctypes_version(self.lib)

    def build(self, spec):
        lib = self.lib
        ctx = lib.seccomp_init(action(spec["defaultAction"]))
        if not ctx:
            raise RuntimeError("seccomp_init failed")
        try:
            native = lib.seccomp_arch_native()
            abis = [lib.seccomp_arch_resolve_name(ARCH_NAMES[a].encode()) for a in spec["abis"]]
            if 0 in abis:
                raise RuntimeError("this libseccomp does not know an ABI of %r" % (spec["abis"],))
            todo = abis
            if abis[0] != native:
                check(lib.seccomp_arch_remove(ctx, native), "seccomp_arch_remove")
            else:
                todo = abis[1:]
            for a in todo:
                check(lib.seccomp_arch_add(ctx, a), "seccomp_arch_add")
            check(lib.seccomp_attr_set(ctx, ATTR_ACT_BADARCH, action(spec["badArchAction"])), "ACT_BADARCH")
            check(lib.seccomp_attr_set(ctx, ATTR_CTL_NNP, 0), "CTL_NNP")
            if spec["optimize"] == 2:
                check(lib.seccomp_attr_set(ctx, ATTR_CTL_OPTIMIZE, 2), "CTL_OPTIMIZE")
            add = lib.seccomp_rule_add_exact_array if spec["exact"] else lib.seccomp_rule_add_array
            rcs = []
            for rule in spec["rules"]:
                nr = lib.seccomp_syscall_resolve_name(rule["syscall"].encode())
                a = args_of(rule)
                arr = (ScmpArgCmp * max(1, len(a)))(*[ScmpArgCmp(x, op, da, db) for (x, op, da, db) in a])
                rcs.append(add(ctx, action(rule["action"]), nr, len(a), arr))
            with tempfile.TemporaryFile() as tf:
                check(lib.seccomp_export_bpf(ctx, tf.fileno()), "seccomp_export_bpf")
                tf.seek(0)
                data = tf.read()
            return data, rcs
        finally:
            lib.seccomp_release(ctx)


def check(rc, what):
    if rc != 0:
        raise RuntimeError("%s failed: %d" % (what, rc))


def main():
    req = json.load(sys.stdin)
    backend = CtypesBackend(req["lib"]) if req.get("lib") else ModuleBackend()
    results = []
    for spec in req["specs"]:
        try:
            data, rcs = backend.build(spec)
            results.append({"hex": data.hex(), "rc": rcs})
        except Exception as e:  # report per spec, keep going
            results.append({"error": "%s: %s" % (type(e).__name__, e)})
    json.dump({"version": backend.version(), "results": results}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
