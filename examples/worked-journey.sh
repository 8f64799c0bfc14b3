#!/usr/bin/env bash
# The README's worked example against a running backbone: posts each step of examples/worked-journey/ in order to the
# app that owns it, then reads the journey on every channel.
#   embedded (npm start):       BASE=http://127.0.0.1:3000 (the default) serves every route on one port.
#   distributed (npm run start:distributed): the producers' and journey-api's URLs are read from .run/urls.env,
#   which the start script writes; or give CHECKOUT_URL, SHIPMENT_URL, CONTACT_URL, RETURNS_URL and API_URL.
#   with auth on: each step is sent with its producer's token, the reads with the channel's (see create-keys.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ -z "${BASE:-}" ] && [ -z "${API_URL:-}" ] && [ -f "$root/.run/urls.env" ]; then
  # shellcheck disable=SC1091
  . "$root/.run/urls.env"
fi
# With auth on: the tokens of examples/create-keys.sh (TOKENS_FILE, default .run/tokens.env), or CHECKOUT_TOKEN, ...
TOKENS_FILE=${TOKENS_FILE:-$root/.run/tokens.env}
if [ -z "${CHANNEL_TOKEN:-}" ] && [ -f "$TOKENS_FILE" ]; then
  # shellcheck disable=SC1090
  . "$TOKENS_FILE"
fi
auth() { # VARIABLE: the Authorization header of a token, if there is one
  local token=${!1:-}
  [ -n "$token" ] && printf 'Authorization: Bearer %s' "$token" || printf 'X-No-Token: 1'
}
BASE=${BASE:-http://127.0.0.1:3000}
API_URL=${API_URL:-$BASE}
owner() { # the app that owns a step (its file is NN-<app>-...json)
  case "$1" in
    *-checkout-*) echo CHECKOUT ;;
    *-shipment-*) echo SHIPMENT ;;
    *-contact-*) echo CONTACT ;;
    *-returns-*) echo RETURNS ;;
    *) echo "no owner in the name of $1" >&2; exit 1 ;;
  esac
}
post() { # file: prints the answer; fails on a refusal or an unreachable app, naming it
  local app url url_variable
  app="$(owner "$1")"
  url_variable="${app}_URL"
  url=${!url_variable:-$BASE}
  curl -sS --fail-with-body -X POST "$url/v1/events" -H 'content-type: application/json' -H "$(auth "${app}_TOKEN")" \
    --data-binary @"$1" || { echo; echo "posting $1 to $url failed" >&2; exit 1; }
}
cd "$root/examples/worked-journey"
for step in *.json; do
  printf '%-46s ' "$step"
  post "$step"
  echo
done
# Posted again (an event seen before is not appended twice): its answer holds the position to read at.
position=$(post 10-contact-case-resolved.json | sed -E 's/.*"position":"([^"]+)".*/\1/')
echo
for channel in web email chat phone store; do
  echo "--- $channel"
  curl -sS --fail-with-body -H "$(auth CHANNEL_TOKEN)" \
    "$API_URL/v1/customers/cust-1001/journey?channel=$channel&minPosition=$position" \
    | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s);const o=v.orders[0];
        console.log(`status=${o.status.code} total=${o.totals.total} refunded=${o.refunded} policy=v${o.policy.returns.version}`);
        for (const m of v.messages) console.log(`  [${m.templateId}] ${m.text.replace(/\n/g," / ")}`);})'
done
