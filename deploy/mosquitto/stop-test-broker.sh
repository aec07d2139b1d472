#!/usr/bin/env bash
# Stops the broker that start-test-broker.sh started from DIR; SIGTERM lets it save its data.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
pidfile=$1/mosquitto.pid
if [[ ! -f $pidfile ]]; then
  # Nothing to stop: fine for cleanup traps that run twice.
  echo "no broker pid file at $pidfile" >&2
  exit 0
fi
pid=$(cat "$pidfile")
if ! kill -0 "$pid" 2>/dev/null; then
  echo "broker pid $pid is not running" >&2
  rm -f "$pidfile"
  exit 0
fi
kill -TERM "$pid"
for _ in $(seq 1 100); do
  if ! kill -0 "$pid" 2>/dev/null; then
    rm -f "$pidfile"
    echo "mosquitto pid $pid stopped"
    exit 0
  fi
  sleep 0.1
done
echo "mosquitto pid $pid did not stop within 10 s; sending SIGKILL" >&2
kill -KILL "$pid"
rm -f "$pidfile"
