#!/usr/bin/env bash
# Start or stop a one-node SLURM cluster on this machine (root; Debian's slurmctld, slurmd,
# slurm-client and munge): for the tests of tsdyn's SLURM executor. The default partition
# (debug) is this host; a second one (wide) adds a node that never comes up (slurm.conf.in).
#
#   scripts/slurm/cluster.sh start STATE_DIR   writes STATE_DIR/slurm.conf, starts munged, slurmctld, slurmd
#   scripts/slurm/cluster.sh stop STATE_DIR    stops the daemons it started, by their PID files
#
# Clients find the cluster through SLURM_CONF=STATE_DIR/slurm.conf (printed on start).
set -euo pipefail
cmd=${1:?usage: cluster.sh start|stop STATE_DIR}
state=$(realpath -m "${2:?usage: cluster.sh start|stop STATE_DIR}")
here=$(cd "$(dirname "$0")" && pwd)

stop_pid() {
  local f=$1
  [ -f "$f" ] || return 0
  local pid; pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

case "$cmd" in
  start)
    for b in munged mungekey slurmctld slurmd sbatch; do
      command -v "$b" >/dev/null || { echo "cluster.sh: $b not found (apt-get install slurmctld slurmd slurm-client munge)" >&2; exit 1; }
    done
    mkdir -p "$state/ctld" "$state/d" "$state/munge"
    host=$(hostname -s)
    cpus=$(nproc)
    mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
    # Ports unique to this state folder, so a second cluster (another test run) does not collide.
    base=$(( 20000 + $(echo -n "$state" | cksum | cut -d' ' -f1) % 20000 ))
    sed -e "s|@HOST@|$host|g" -e "s|@CPUS@|$cpus|g" -e "s|@MEM@|$mem|g" -e "s|@STATE@|$state|g" \
        -e "s|@CTLDPORT@|$base|g" -e "s|@DPORT@|$((base + 1))|g" -e "s|@GHOSTPORT@|$((base + 2))|g" "$here/slurm.conf.in" > "$state/slurm.conf"
    # The node's one GPU slot (slurm.conf's Gres=gpu:1). slurmd drops a GPU without a device file,
    # so it names /dev/null: the job gets the slot; its WebGPU adapter is Mesa's software one.
    echo "NodeName=$host Name=gpu Count=1 File=/dev/null" > "$state/gres.conf"
    # munge: its own key and socket in the state folder.
    [ -f "$state/munge/munge.key" ] || mungekey -c -k "$state/munge/munge.key" >/dev/null 2>&1 || mungekey -c -f -k "$state/munge/munge.key"
    chmod 600 "$state/munge/munge.key"
    munged --force -S "$state/munge/munge.socket" --key-file "$state/munge/munge.key" \
      --pid-file "$state/munge/munged.pid" --log-file "$state/munge/munged.log" --seed-file "$state/munge/munge.seed"
    export SLURM_CONF="$state/slurm.conf"
    # slurmctld/slurmd read the munge socket path from their auth options.
    echo "AuthInfo=socket=$state/munge/munge.socket" >> "$state/slurm.conf"
    slurmctld -f "$state/slurm.conf"
    slurmd -f "$state/slurm.conf"
    for _ in $(seq 100); do
      if sinfo -h -o '%T' 2>/dev/null | grep -qE 'idle|mixed|alloc'; then echo "SLURM_CONF=$state/slurm.conf"; exit 0; fi
      sleep 0.2
    done
    echo "cluster.sh: the node did not come up; see $state/slurmctld.log and $state/slurmd.log" >&2
    sinfo >&2 || true
    exit 1
    ;;
  stop)
    stop_pid "$state/slurmd.pid"
    stop_pid "$state/slurmctld.pid"
    stop_pid "$state/munge/munged.pid"
    ;;
  *) echo "usage: cluster.sh start|stop STATE_DIR" >&2; exit 2 ;;
esac
