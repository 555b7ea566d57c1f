"""Runs a command; writes its wall, user and system seconds (every thread, to the
microsecond: getrusage of the child) as one line to FILE; exits with the command's status.

    python3 benches/peers/cputime.py FILE CMD...

GNU time prints two decimals only: 10 ms, a fifth of a 1,000-credential batch of gx-attest.
"""
import resource
import subprocess
import sys
import time

out, cmd = sys.argv[1], sys.argv[2:]
before = resource.getrusage(resource.RUSAGE_CHILDREN)
start = time.perf_counter()
status = subprocess.call(cmd)
wall = time.perf_counter() - start
after = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(out, "w") as f:
    f.write(f"{wall:.6f} {after.ru_utime - before.ru_utime:.6f} {after.ru_stime - before.ru_stime:.6f}\n")
sys.exit(status)
