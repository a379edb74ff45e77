#!/usr/bin/env bash
# Regenerates standard-vectors.json with openssl, independently of the Go
# code under test. The first vector is the one the Standard Webhooks
# specification publishes; the others add an empty body, binary key bytes,
# a long body and non-ASCII text. Each: secret, id, timestamp, body
# (base64, exact bytes), expected webhook-signature.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
printf '{"test": 2432232314}' > "$tmp/1"
: > "$tmp/2"
printf '{"event_type":"on_message_received","message":"caf\xc3\xa9"}' > "$tmp/3"
head -c 4096 /dev/zero | tr '\0' 'x' > "$tmp/4"
vec() { # secret id timestamp bodyfile
  local hexkey sig
  hexkey=$(printf '%s' "${1#whsec_}" | base64 -d | od -An -tx1 | tr -d ' \n')
  sig=$( { printf '%s.%s.' "$2" "$3"; cat "$4"; } | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$hexkey" -binary | base64 -w0)
  printf '  {"secret": "%s", "id": "%s", "timestamp": %s, "body_base64": "%s", "signature": "v1,%s"}' \
    "$1" "$2" "$3" "$(base64 -w0 < "$4")" "$sig"
}
{
  echo '['
  vec whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw msg_p5jXN8AQM9LWM0D4loKWxJek 1614265330 "$tmp/1"; echo ','
  vec whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw msg_empty 1614265330 "$tmp/2"; echo ','
  vec whsec_AAEC/f7/gICBfn8= dlv_0123456789abcdef01234567 1764806400 "$tmp/3"; echo ','
  vec whsec_c2VjcmV0 msg_long 1 "$tmp/4"; echo
  echo ']'
} > standard-vectors.json
