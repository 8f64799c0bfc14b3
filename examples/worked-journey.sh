#!/usr/bin/env bash
# The README's worked example against a running backbone: posts each step of examples/worked-journey/ in order to the
# app that owns it, then reads the journey on every channel.
#   embedded (npm start):       BASE=http://127.0.0.1:3000 (the default) serves every route on one port.
#   distributed (npm run start:distributed): the producers' and journey-api's URLs are read from .run/urls.env,
#   which the start script writes; or give CHECKOUT_URL, SHIPMENT_URL, CONTACT_URL, RETURNS_URL and API_URL.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ -z "${BASE:-}" ] && [ -z "${API_URL:-}" ] && [ -f "$root/.run/urls.env" ]; then
  # shellcheck disable=SC1091
  . "$root/.run/urls.env"
fi
BASE=${BASE:-http://127.0.0.1:3000}
API_URL=${API_URL:-$BASE}
owner_url() { # the URL of the app that owns a step (its file is NN-<app>-...json)
  case "$1" in
    *-checkout-*) echo "${CHECKOUT_URL:-$BASE}" ;;
    *-shipment-*) echo "${SHIPMENT_URL:-$BASE}" ;;
    *-contact-*) echo "${CONTACT_URL:-$BASE}" ;;
    *-returns-*) echo "${RETURNS_URL:-$BASE}" ;;
    *) echo "no owner in the name of $1" >&2; exit 1 ;;
  esac
}
post() { # file: prints the answer; fails on a refusal or an unreachable app, naming it
  local url
  url="$(owner_url "$1")"
  curl -sS --fail-with-body -X POST "$url/v1/events" -H 'content-type: application/json' --data-binary @"$1" ||
    { echo; echo "posting $1 to $url failed" >&2; exit 1; }
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
  curl -sS --fail-with-body "$API_URL/v1/customers/cust-1001/journey?channel=$channel&minPosition=$position" \
    | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s);const o=v.orders[0];
        console.log(`status=${o.status.code} total=${o.totals.total} refunded=${o.refunded} policy=v${o.policy.returns.version}`);
        for (const m of v.messages) console.log(`  [${m.templateId}] ${m.text.replace(/\n/g," / ")}`);})'
done
