"""Runs a command as a Linux child subreaper and reports how every process it reaps ended.

A process whose parent dies is handed to the nearest subreaper instead of init, so a test can learn the exit
code of a grandchild whose parent it killed. Prints one JSON line per event on stdout: {"started": pid} for the
command, then {"pid": pid, "exitCode": code} for each reaped process (a negative code: killed by that signal).
The command's own stdout goes to stderr, so only these lines are on stdout. Ends when nothing is left to reap.
"""
import ctypes
import json
import os
import subprocess
import sys

PR_SET_CHILD_SUBREAPER = 36


def report(event):
    print(json.dumps(event), flush=True)


libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
    sys.exit(f"prctl(PR_SET_CHILD_SUBREAPER): {os.strerror(ctypes.get_errno())}")
command = subprocess.Popen(sys.argv[1:], stdout=sys.stderr)
report({"started": command.pid})
while True:
    try:
        pid, status = os.wait()
    except ChildProcessError:
        break
    report({"pid": pid, "exitCode": os.waitstatus_to_exitcode(status)})
