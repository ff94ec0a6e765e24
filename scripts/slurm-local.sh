#!/usr/bin/env bash
# Starts (or stops) a one-node Slurm cluster on this machine for the Slurm executor's tests:
# munged, slurmctld and slurmd, all state under $ALIGNBOARD_SLURM_DIR (default /tmp/alignboard-slurm).
# Needs Debian's slurm-wlm and munge, and root (slurmd runs jobs as the submitting user).
# Prints the SLURM_CONF path to export. Usage: scripts/slurm-local.sh start|stop
set -euo pipefail
DIR=${ALIGNBOARD_SLURM_DIR:-/tmp/alignboard-slurm}
CONF=$DIR/slurm.conf

stop() {
  for p in slurmd slurmctld; do
    [ -f "$DIR/$p.pid" ] && kill "$(cat "$DIR/$p.pid")" 2>/dev/null || true
  done
  [ -f "$DIR/munged.pid" ] && kill "$(cat "$DIR/munged.pid")" 2>/dev/null || true
}

start() {
  stop
  rm -rf "$DIR" && mkdir -p "$DIR"/{state,spool,munge}
  chown munge:munge "$DIR/munge" 2>/dev/null || true
  # munge authenticates Slurm's daemons and clients to each other.
  if ! pgrep -x munged >/dev/null; then
    if [ ! -s /etc/munge/munge.key ]; then mungekey --create --keyfile=/etc/munge/munge.key 2>/dev/null || create-munge-key -f; fi
    mkdir -p /run/munge && chown munge:munge /run/munge
    su munge -s /bin/sh -c "munged --pid-file=$DIR/munge/munged.pid" || munged --force
  fi
  local host cpus
  host=$(hostname -s)
  cpus=$(nproc)
  cat >"$CONF" <<CONF
ClusterName=alignboard
SlurmctldHost=$host(127.0.0.1)
AuthType=auth/munge
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
ReturnToService=2
SlurmUser=root
SlurmdUser=root
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmdSpoolDir=$DIR/spool
StateSaveLocation=$DIR/state
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
InactiveLimit=0
KillWait=5
MinJobAge=300
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF=$CONF
  slurmctld -f "$CONF"
  slurmd -f "$CONF"
  for _ in $(seq 1 50); do
    if sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
      echo "$CONF"
      return 0
    fi
    sleep 0.2
  done
  echo "slurm did not become ready; see $DIR/slurmctld.log and $DIR/slurmd.log" >&2
  sinfo >&2 || true
  return 1
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
