#!/usr/bin/env bash
# Starts a Mosquitto with deploy/mosquitto/mosquitto.conf on PORT, keeping its data, log, config
# and pid file in DIR, as a daemon. Stop it with stop-test-broker.sh DIR.
# With TLS_PORT and CERT_DIR (holding ca.crt, broker.crt, broker.key) it also serves MQTTS on
# TLS_PORT, from deploy/mosquitto/tls-listener.conf.
set -euo pipefail

if [[ $# -ne 2 && $# -ne 4 ]]; then
  echo "usage: $0 PORT DIR [TLS_PORT CERT_DIR]" >&2
  exit 2
fi
port=$1
dir=$2
tls_port=${3:-}
cert_dir=${4:-}
if ! [[ $port =~ ^[0-9]+$ ]] || (( port < 1 || port > 65535 )); then
  echo "PORT must be 1-65535, got '$port'" >&2
  exit 2
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mosquitto=${MOSQUITTO:-$(command -v mosquitto || echo /usr/sbin/mosquitto)}
mkdir -p "$dir/data"
dir=$(cd "$dir" && pwd)

if [[ -f $dir/mosquitto.pid ]] && kill -0 "$(cat "$dir/mosquitto.pid")" 2>/dev/null; then
  echo "a broker already runs from $dir (pid $(cat "$dir/mosquitto.pid"))" >&2
  exit 1
fi
rm -f "$dir/mosquitto.pid"

# Mosquitto takes no port or paths on its command line next to -c, so derive a config in DIR.
# As root it would switch to the "mosquitto" user, which may not be able to write DIR.
sed -e "s|^listener [0-9]* |listener $port |" \
    -e "s|^persistence_location .*|persistence_location $dir/data/|" \
    "$here/mosquitto.conf" >"$dir/mosquitto.conf"
if [[ -n $tls_port ]]; then
  cert_dir=$(cd "$cert_dir" && pwd)
  sed -e "s|^listener [0-9]*|listener $tls_port|" \
      -e "s|^cafile .*|cafile $cert_dir/ca.crt|" \
      -e "s|^certfile .*|certfile $cert_dir/broker.crt|" \
      -e "s|^keyfile .*|keyfile $cert_dir/broker.key|" \
      "$here/tls-listener.conf" >>"$dir/mosquitto.conf"
fi
{
  echo "pid_file $dir/mosquitto.pid"
  echo "log_dest file $dir/mosquitto.log"
  echo "user $(id -un)"
} >>"$dir/mosquitto.conf"

"$mosquitto" -c "$dir/mosquitto.conf" -d

# -d returns before the listener is up: wait for the pid file and the port.
for _ in $(seq 1 50); do
  if [[ -f $dir/mosquitto.pid ]] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "mosquitto listening on 127.0.0.1:$port (pid $(cat "$dir/mosquitto.pid"), data in $dir/data)"
    exit 0
  fi
  sleep 0.1
done
echo "mosquitto did not come up on port $port; see $dir/mosquitto.log" >&2
tail -n 20 "$dir/mosquitto.log" >&2 || true
exit 1
