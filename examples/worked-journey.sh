#!/usr/bin/env bash
# The README's worked example against a running backbone (default http://127.0.0.1:3000):
# posts each step of examples/worked-journey/ in order, then reads the journey on every channel.
set -euo pipefail
BASE=${BASE:-http://127.0.0.1:3000}
cd "$(dirname "$0")/worked-journey"
for step in *.json; do
  printf '%-46s ' "$step"
  curl -sS -X POST "$BASE/v1/events" -H 'content-type: application/json' --data-binary @"$step"
  echo
done
position=$(curl -sS -X POST "$BASE/v1/events" -H 'content-type: application/json' --data-binary @10-contact-case-resolved.json | sed -E 's/.*"position":"([^"]+)".*/\1/')
echo
for channel in web email chat phone store; do
  echo "--- $channel"
  curl -sS "$BASE/v1/customers/cust-1001/journey?channel=$channel&minPosition=$position" \
    | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s);const o=v.orders[0];
        console.log(`status=${o.status.code} total=${o.totals.total} refunded=${o.refunded} policy=v${o.policy.returns.version}`);
        for (const m of v.messages) console.log(`  [${m.templateId}] ${m.text.replace(/\n/g," / ")}`);})'
done
