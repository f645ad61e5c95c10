#!/usr/bin/python3
"""Times the real libseccomp building the same filters as unit-harden, for `npm run bench`.

Reads {"specs": [FilterSpec...], "rounds": N} on stdin (the shape of test/tools/libseccomp_export.py),
builds and exports every spec N times with python3-seccomp (seccomp_init, the rules, the
attributes, seccomp_export_bpf), and prints {"version", "rounds", "seconds": [per round],
"instructions": total}. The binding's own overhead is part of the figure; it is what a Python
caller of libseccomp pays, and the closest in-process comparison available without a C harness.
"""

import importlib.util
import json
import os
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
spec_path = os.path.join(here, "..", "test", "tools", "libseccomp_export.py")
loader = importlib.util.spec_from_file_location("libseccomp_export", spec_path)
mod = importlib.util.module_from_spec(loader)
loader.loader.exec_module(mod)


def main():
    req = json.load(sys.stdin)
    backend = mod.ModuleBackend()
    specs = req["specs"]
    rounds = int(req.get("rounds", 5))
    seconds = []
    insns = 0
    for _ in range(rounds):
        start = time.perf_counter()
        total = 0
        for s in specs:
            data, _rcs = backend.build(s)
            total += len(data) // 8
        seconds.append(time.perf_counter() - start)
        insns = total
    json.dump({"version": backend.version(), "rounds": rounds, "seconds": seconds, "instructions": insns}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
