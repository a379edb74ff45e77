package sign

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// The Standard Webhooks scheme (an open specification many platforms sign
// with), computed by the scheme's official Go library: headers webhook-id,
// webhook-timestamp (Unix seconds) and webhook-signature ("v1," and the
// base64 HMAC-SHA256 of "id.timestamp.body" under the secret's bytes).
const (
	StandardID        = standardwebhooks.HeaderWebhookID
	StandardTimestamp = standardwebhooks.HeaderWebhookTimestamp
	StandardSignature = standardwebhooks.HeaderWebhookSignature
)

// StandardSecretPrefix starts every Standard Webhooks secret; base64 of the
// key's bytes follows.
const StandardSecretPrefix = "whsec_"

// StandardTolerance is how far a webhook-timestamp may be from the
// receiver's clock, either way, as the specification recommends.
const StandardTolerance = 5 * time.Minute

// Errors of VerifyStandard, for callers that tell them apart.
var (
	ErrStandardHeaders   = errors.New("webhook-id, webhook-timestamp or webhook-signature is missing or malformed")
	ErrStandardSignature = errors.New("no webhook-signature matches the body")
	ErrStandardStale     = errors.New("webhook-timestamp is more than 5 minutes from now")
)

// CheckStandardSecret says why secret cannot sign, without quoting it.
func CheckStandardSecret(secret string) error {
	rest, ok := strings.CutPrefix(secret, StandardSecretPrefix)
	if !ok {
		return errors.New("a Standard Webhooks secret starts with whsec_ followed by base64")
	}
	key, err := base64.StdEncoding.DecodeString(rest)
	if err != nil {
		return errors.New("a Standard Webhooks secret is whsec_ followed by base64, and the part after whsec_ is not valid base64")
	}
	if len(key) == 0 {
		return errors.New("a Standard Webhooks secret needs key bytes after whsec_")
	}
	return nil
}

// SignStandard returns the webhook-signature value for a message id, a
// timestamp and the exact body bytes.
func SignStandard(secret, id string, ts time.Time, body []byte) (string, error) {
	if err := CheckStandardSecret(secret); err != nil {
		return "", err
	}
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		return "", err
	}
	return wh.Sign(id, ts, body)
}

// VerifyStandard checks a request's Standard Webhooks headers over body:
// one of the signatures matches, and the timestamp is within
// StandardTolerance of now (passed in, so a receiver's clock can be
// injected; the library's own check reads time.Now).
func VerifyStandard(secret string, body []byte, h http.Header, now time.Time) error {
	if err := CheckStandardSecret(secret); err != nil {
		return err
	}
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		return err
	}
	unix, err := strconv.ParseInt(h.Get(StandardTimestamp), 10, 64)
	if err != nil || h.Get(StandardID) == "" || h.Get(StandardSignature) == "" {
		return ErrStandardHeaders
	}
	if err := wh.VerifyIgnoringTimestamp(body, h); err != nil {
		if errors.Is(err, standardwebhooks.ErrNoMatchingSignature) {
			return ErrStandardSignature
		}
		return fmt.Errorf("%w: %v", ErrStandardHeaders, err)
	}
	if d := now.Sub(time.Unix(unix, 0)); d > StandardTolerance || d < -StandardTolerance {
		return ErrStandardStale
	}
	return nil
}
