#!/usr/bin/env python3
"""Runs a command and writes its peak resident memory (KiB, from wait4) to a file: how the hostile
peer tests prove that a 100 MB body or an endless stream does not grow LoadGate's memory.
Usage: maxrss.py OUTFILE COMMAND [ARG...]; passes stdin/stdout/stderr through and exits with the
command's exit code (128 + signal number if it was killed)."""
import os
import sys

out, argv = sys.argv[1], sys.argv[2:]
pid = os.fork()
if pid == 0:
    os.execvp(argv[0], argv)
_, status, usage = os.wait4(pid, 0)
with open(out, "w") as handle:
    handle.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))
