#!/bin/sh
# One-shot admission of the three nodes of docker-compose.yml (its `admit` service), once node a
# answers: the forum root signs a credential for each node's publisher key and submits it to a,
# which stores it and gossips it to b and c. Idempotent: after a complete run it does nothing, and
# after a partial one it resubmits the credentials already signed instead of signing new ones.
#
# It runs in node a's network namespace with a's data directory mounted, so `--data` finds a's
# HTTP address (node.json) and admin token there: no token on any command line.
set -eu

NETWORK="${FORUM_NETWORK:-example-forum}"
ROOT_DIR="${FORUM_ROOT_DIR:-/forum-root}"
NODES_DIR="${FORUM_NODES_DIR:-/nodes}"
CONFIG_DIR="${FORUM_CONFIG_DIR:-/config}"
VALID_DAYS="${FORUM_VALID_DAYS:-365}"

done_marker="$ROOT_DIR/admitted"
node_a="$NODES_DIR/a"

json_field () {
  node -e 'let s = ""; process.stdin.on("data", d => { s += d }).on("end", () => { console.log(JSON.parse(s)[process.argv[1]]) })' "$1"
}

if [ -f "$done_marker" ]; then
  echo "forum members admitted already; nothing to do"
  exit 0
fi

until_day=$(node -p "new Date(Date.now() + $VALID_DAYS * 86400000).toISOString().slice(0, 10)")
mkdir -p "$ROOT_DIR/credentials"
for name in a b c; do
  credential="$ROOT_DIR/credentials/$name.credential"
  if [ -f "$credential" ]; then
    hashmesh join "$credential" --data "$node_a"
  else
    hashmesh forum admit "$(json_field publisherKey < "$CONFIG_DIR/$name.init.json")" \
      --org "Example member $name" --roles publish,opine,consume --until "$until_day" \
      --root-key "$ROOT_DIR/forum-root.key" --network "$NETWORK" --data "$node_a" --out "$credential"
  fi
done
: > "$done_marker"
echo "admitted a, b and c until $until_day; credentials in $ROOT_DIR/credentials"
