#!/usr/bin/env python3
"""Where the machine's CPU went during a run, by group of processes (bench/instances.sh).

  cpu_split.py sample OUT loyalty=PID,PID postgres=PID nginx=PID   # before and after the run
  cpu_split.py diff BEFORE AFTER                                   # cores used, per group

A group's time is its processes' user + system time, read from /proc/PID/stat, plus that of
their live children (nginx's workers, PostgreSQL's backends) and of the children they have
already reaped (a backend that exits during the run still counts). `other` is the rest of the
machine's busy time (wrk, and whatever else runs on the VM), `idle` includes I/O wait, and
`steal` is time the hypervisor gave to the VM's neighbours.
"""

import json
import os
import sys
import time


def stat_fields(pid):
    """The fields of /proc/PID/stat after the command name (which may hold spaces)."""
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def process_table():
    """pid -> (ppid, utime + stime) for every process we can read."""
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = stat_fields(entry)
            except OSError:
                continue  # exited meanwhile
            # After the name: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14)
            table[int(entry)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    return table


def group_ticks(pids, table):
    total = 0
    for pid in pids:
        try:
            fields = stat_fields(pid)
        except OSError:
            continue
        total += sum(int(v) for v in fields[11:15])
        total += sum(ticks for ppid, ticks in table.values() if ppid == pid)
    return total


def sample(out, groups):
    table = process_table()
    with open("/proc/stat") as f:
        cpu = [int(v) for v in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal
    result = {"time": time.monotonic(), "busy": cpu[0] + cpu[1] + cpu[2] + cpu[5] + cpu[6],
              "idle": cpu[3] + cpu[4], "steal": cpu[7], "groups": {}}
    for spec in groups:
        name, _, pids = spec.partition("=")
        result["groups"][name] = group_ticks([int(p) for p in pids.split(",") if p], table)
    with open(out, "w") as f:
        json.dump(result, f)


def diff(before_path, after_path):
    before, after = (json.load(open(p)) for p in (before_path, after_path))
    hz = os.sysconf("SC_CLK_TCK")
    seconds = after["time"] - before["time"]
    cores = lambda ticks: ticks / hz / seconds
    parts, groups_total = [], 0
    for name, ticks in after["groups"].items():
        used = ticks - before["groups"].get(name, 0)
        groups_total += used
        parts.append(f"{name}={cores(used):.2f}")
    other = after["busy"] - before["busy"] - groups_total
    parts.append(f"other={max(cores(other), 0):.2f}")
    for key in ("idle", "steal"):
        parts.append(f"{key}={cores(after[key] - before[key]):.2f}")
    print(" ".join(parts))


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "sample":
        sample(sys.argv[2], sys.argv[3:])
    elif len(sys.argv) == 4 and sys.argv[1] == "diff":
        diff(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
