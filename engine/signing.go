package engine

import (
	"fmt"
	"strconv"

	"github.com/actionbench/actionbench/engine/sign"
)

// Signing is how a request proves it comes from the platform.
type Signing string

const (
	// SigningDefault is the platform's own: an action carries
	// X-DGbot-Signature, the webhook its Bearer token.
	SigningDefault Signing = ""
	// SigningStandardWebhooks signs with the Standard Webhooks scheme
	// (webhook-id, webhook-timestamp, webhook-signature), for endpoints
	// built for it. The webhook also keeps its Bearer token, if it has one.
	SigningStandardWebhooks Signing = "standard-webhooks"
)

// ParseSigning reads a workspace's signing value.
func ParseSigning(s string) (Signing, error) {
	switch s {
	case "", "dgbot":
		return SigningDefault, nil
	case string(SigningStandardWebhooks):
		return SigningStandardWebhooks, nil
	}
	return "", fmt.Errorf("unknown signing %q (want dgbot, the default, or standard-webhooks)", s)
}

func (s Signing) String() string {
	if s == SigningDefault {
		return "dgbot"
	}
	return string(s)
}

// applySigning rewrites a built request's credentials for the signing
// scheme. Under Standard Webhooks the delivery id is the message id and
// the timestamp is the wall clock — not the conversation's virtual one,
// which a scenario's wait moves ahead — because the receiver compares it
// with its own clock. An error (a secret that is no whsec_ secret; the
// workspace checks this when it loads) means the request cannot be sent.
func (d *Dispatcher) applySigning(r *Request, signing Signing, secret, deliveryID string) error {
	if signing != SigningStandardWebhooks {
		return nil
	}
	ts := d.wall()
	sig, err := sign.SignStandard(secret, deliveryID, ts, r.Body)
	if err != nil {
		return fmt.Errorf("cannot sign with Standard Webhooks: %v; set the secret to whsec_ followed by the base64 key", err)
	}
	delete(r.Header, sign.Header)
	if v := r.Header["Authorization"]; len(v) == 1 && v[0] == "Bearer " {
		delete(r.Header, "Authorization") // a webhook signed without a token
	}
	// Spelled as the specification spells them; see actionRequest.
	r.Header[sign.StandardID] = []string{deliveryID}
	r.Header[sign.StandardTimestamp] = []string{strconv.FormatInt(ts.Unix(), 10)}
	r.Header[sign.StandardSignature] = []string{sig}
	return nil
}
