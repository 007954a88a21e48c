#!/bin/sh
# One-shot setup of the three-node forum in docker-compose.yml (its `setup` service), before any node
# starts: a forum root key, each node's keys, and one config file per node. Idempotent: after a
# complete run it does nothing, so every `docker compose up` may run it again.
#
# The directories are where the compose file mounts the volumes; the variables exist so the same
# script can be run (and tested) outside a container.
set -eu

NETWORK="${FORUM_NETWORK:-example-forum}"
ROOT_DIR="${FORUM_ROOT_DIR:-/forum-root}"
NODES_DIR="${FORUM_NODES_DIR:-/nodes}"
CONFIG_DIR="${FORUM_CONFIG_DIR:-/config}"
# Inside its container every node listens here; the compose file maps the HTTP port to the host.
P2P_PORT=4001
HTTP_PORT=8080

done_marker="$CONFIG_DIR/setup.done"
root_key="$ROOT_DIR/forum-root.key"
root_pub="$ROOT_DIR/forum-root.pub"

# Prints one top-level field of the JSON document on stdin (the image has node, not jq).
json_field () {
  node -e 'let s = ""; process.stdin.on("data", d => { s += d }).on("end", () => { console.log(JSON.parse(s)[process.argv[1]]) })' "$1"
}

# Writes atomically: a node never starts on half a config.
write_config () {
  name=$1 bootstrap=$2
  cat > "$CONFIG_DIR/$name.json.tmp" <<JSON
{
  "dataDir": "/data",
  "network": "$NETWORK",
  "listen": ["/ip4/0.0.0.0/tcp/$P2P_PORT"],
  "announce": ["/dns4/$name/tcp/$P2P_PORT"],
  "bootstrap": [$bootstrap],
  "forum": { "roots": ["$(cat "$root_pub")"] },
  "http": { "host": "0.0.0.0", "port": $HTTP_PORT }
}
JSON
  mv "$CONFIG_DIR/$name.json.tmp" "$CONFIG_DIR/$name.json"
}

# A bootstrap address must end in the peer's id, which the handshake checks.
bootstrap_from () {
  printf '"/dns4/%s/tcp/%s/p2p/%s"' "$1" "$P2P_PORT" "$(json_field peerId < "$CONFIG_DIR/$1.init.json")"
}

if [ -f "$done_marker" ]; then
  echo "forum set up already (configs in $CONFIG_DIR); nothing to do"
  exit 0
fi

if [ ! -f "$root_key" ]; then
  out=$(hashmesh forum init --key "$root_key" --json)
  printf '%s\n' "$out" | json_field rootKey > "$root_pub.tmp"
  mv "$root_pub.tmp" "$root_pub"
elif [ ! -s "$root_pub" ]; then
  echo "$root_key exists without $root_pub: remove the forum-root volume and run again" >&2
  exit 1
fi

for name in a b c; do
  # Keeps existing keys; prints the publisher key and peer id (public), which forum-admit.sh reads too.
  out=$(hashmesh init --data "$NODES_DIR/$name" --json)
  printf '%s\n' "$out" > "$CONFIG_DIR/$name.init.json"
done

# A line a <- b <- c: everything c learns from a has crossed a hop.
write_config a ''
write_config b "$(bootstrap_from a)"
write_config c "$(bootstrap_from b)"
: > "$done_marker"
echo "forum set up: root key $(cat "$root_pub"), configs in $CONFIG_DIR"
