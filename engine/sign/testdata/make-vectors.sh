#!/usr/bin/env bash
# Regenerates vectors.json with openssl, independently of the Go code under
# test. Each vector: secret, body (base64, exact bytes), expected header.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
printf 'Hello, World!' > "$tmp/1"
: > "$tmp/2"
printf '{"action_id":"action_abc123","conversation_id":"conv_xyz789","chatbot_id":"bot_def456","trigger":"ai_intent","payload":{"customer_email":"jane@example.com"},"metadata":{"visitor_id":"visitor_111","timestamp":"2025-05-15T10:30:00Z","chatbot_name":"Support Bot"}}' > "$tmp/3"
printf '{"message":"caf\xc3\xa9 \xe2\x80\xa8 \\u0000"}\n' > "$tmp/4"
head -c 4096 /dev/zero | tr '\0' 'x' > "$tmp/5"
vec() {
  local sig; sig=$(openssl dgst -sha256 -hmac "$1" < "$2" | awk '{print $NF}')
  printf '  {"secret": %s, "body_base64": "%s", "signature": "sha256=%s"}' \
    "$(printf '%s' "$1" | python3 -c 'import json,sys;print(json.dumps(sys.stdin.read(),ensure_ascii=False))')" \
    "$(base64 -w0 < "$2")" "$sig"
}
{
  echo '['
  vec "It's a Secret to Everybody" "$tmp/1"; echo ','
  vec "It's a Secret to Everybody" "$tmp/2"; echo ','
  vec "whsec_live_3b8f" "$tmp/3"; echo ','
  vec "ünïcödé-secret" "$tmp/4"; echo ','
  vec "k" "$tmp/5"; echo
  echo ']'
} > vectors.json
