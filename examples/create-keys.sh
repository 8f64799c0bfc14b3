#!/usr/bin/env bash
# Creates the API keys of the worked example with `journey keys create`: one per producer (its event types, pinned to
# its source) and one for a channel (reads, with personal data). They go to the key file the apps read (AUTH_KEYS_FILE,
# else $DATA_DIR/auth-keys.json); the tokens, shown once, are written to the file given (default .run/tokens.env,
# readable by its owner only) as CHECKOUT_TOKEN, SHIPMENT_TOKEN, CONTACT_TOKEN, RETURNS_TOKEN, CHANNEL_TOKEN and
# OPERATOR_TOKEN (metrics: read), which examples/worked-journey.sh reads.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out=${1:-$root/.run/tokens.env}
mkdir -p "$(dirname "$out")"
[ -f "$root/dist/apps/journey-cli/src/main.js" ] || (cd "$root" && npm run -s build)
key() { # NAME VARIABLE SOURCE SCOPE...: creates a key, appends VARIABLE=token to the file
  local name=$1 variable=$2 source=$3
  shift 3
  local args=(keys create --name "$name" --json)
  for scope in "$@"; do args+=(--scope "$scope"); done
  [ -n "$source" ] && args+=(--source "$source")
  local token
  token=$(node "$root/dist/apps/journey-cli/src/main.js" "${args[@]}" | sed -E 's/.*"token":"([^"]+)".*/\1/')
  echo "$variable=$token" >>"$out"
}
umask 077
: >"$out"
key checkout CHECKOUT_TOKEN '/checkout*' 'events:write:checkout.*' 'events:write:order.*' 'events:write:payment.*' \
  'events:write:identity.*'
key shipment SHIPMENT_TOKEN '/shipment*' 'events:write:shipment.*'
key contact CONTACT_TOKEN '/contact*' 'events:write:contact.*' 'events:write:promise.*' 'events:write:feedback.*' \
  'events:write:channel.*'
key returns RETURNS_TOKEN '/returns*' 'events:write:return.*' 'events:write:refund.*' 'events:write:policy.*'
key channel CHANNEL_TOKEN '' journeys:read pii:read
key operator OPERATOR_TOKEN '' metrics:read
echo "six keys created (checkout, shipment, contact, returns, channel, operator); their tokens are in $out" >&2
