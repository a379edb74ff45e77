package audit

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/actionbench/actionbench/engine"
	"github.com/actionbench/actionbench/engine/sign"
)

// The two checks of a Standard Webhooks receiver's own defence against a
// captured message sent again: its timestamp, and its id. Both send
// correctly signed requests, so only those checks can refuse them.
const (
	fixStale  = "reject a webhook-timestamp more than 5 minutes from your clock with 401, after verifying webhook-signature over webhook-id.webhook-timestamp.body"
	fixReused = "remember each webhook-id for at least 5 minutes (the timestamp's tolerance, both ways) and refuse a repeat with 401"
)

var (
	checkStaleTimestamp = Check{"stale_timestamp", "stale timestamp",
		"Standard Webhooks only: a correctly signed request whose webhook-timestamp (and signature over it) is an hour old",
		"pass: refused (4xx); fail: 2xx (accepted a stale timestamp) or 5xx", 1}
	checkReusedID = Check{"reused_id", "reused webhook-id",
		"Standard Webhooks only: one webhook-id sent twice, each time with a fresh timestamp and a valid signature",
		"pass: the second refused (4xx); fail: 2xx twice (accepted a reused webhook-id) or 5xx", 2}
)

// standardOnly are the checks that only a Standard Webhooks receiver can
// pass: the others skip them.
var standardOnly = map[string]bool{checkStaleTimestamp.ID: true, checkReusedID.ID: true}

const skipNotStandard = "not sent: a Standard Webhooks check, and the target signs otherwise"

// standardProbe is what the two checks need from an action's or the
// webhook's run: a correct request, a way to send it, and the secret to
// sign copies with.
type standardProbe struct {
	d       *engine.Dispatcher
	secret  string
	isEvent bool
	correct func() (engine.Request, string)
	send    func(ctx context.Context, res *Result, req engine.Request, conv string) *engine.Attempt
}

// signAt signs req again under Standard Webhooks as sent at ts, keeping
// its webhook-id; false when req carries no Standard Webhooks headers (a
// secret the scheme cannot use).
func signAt(req *engine.Request, secret string, ts time.Time) bool {
	id := req.Header[sign.StandardID]
	if len(id) != 1 {
		return false
	}
	sig, err := sign.SignStandard(secret, id[0], ts, req.Body)
	if err != nil {
		return false
	}
	req.Header[sign.StandardTimestamp] = []string{strconv.FormatInt(ts.Unix(), 10)}
	req.Header[sign.StandardSignature] = []string{sig}
	return true
}

// sentAt reads the webhook-timestamp the engine signed req with.
func sentAt(req engine.Request) (time.Time, bool) {
	v := req.Header[sign.StandardTimestamp]
	if len(v) != 1 {
		return time.Time{}, false
	}
	s, err := strconv.ParseInt(v[0], 10, 64)
	return time.Unix(s, 0), err == nil
}

const unsigned = "not sent: the request could not be signed with Standard Webhooks (is the secret whsec_ and base64?)"

// refused4xx grades a request a careful receiver must refuse: any 4xx
// passes (the scheme names no status), a 2xx or a 5xx fails.
func refused4xx(a *engine.Attempt, accepted string) (Verdict, string) {
	v, why := refused(a, 0, accepted)
	if c := code(a); c >= 400 && c < 500 {
		return Pass, ""
	}
	return v, why
}

func (p standardProbe) stale(ctx context.Context, res *Result) {
	req, conv := p.correct()
	at, ok := sentAt(req)
	if !ok || !signAt(&req, p.secret, at.Add(-time.Hour)) {
		res.Verdict, res.Answer = Skip, unsigned
		return
	}
	a := p.send(ctx, res, req, conv)
	res.Answer = answer(a)
	res.Verdict, res.Why = refused4xx(a, "accepted a stale timestamp")
	if needsFix(res.Verdict) {
		res.Fix = fixStale
	}
}

func (p standardProbe) reused(ctx context.Context, res *Result) {
	first, conv := p.correct()
	if _, ok := sentAt(first); !ok {
		res.Verdict, res.Answer = Skip, unsigned
		return
	}
	again := first
	again.Header = first.Header.Clone()
	a1 := p.send(ctx, res, first, conv)
	// The same id, signed afresh at the wall clock's now.
	p.d.Resign(&again, engine.SigningStandardWebhooks, p.secret, p.isEvent)
	a2 := p.send(ctx, res, again, conv)
	res.Answer = "first " + answer(a1) + "; again " + answer(a2)
	switch c := code(a1); {
	case notSent(a1):
		res.Verdict, res.Why = Skip, skippedByPolicy
		return
	case c < 200 || c >= 300:
		res.Verdict = Warn
		res.Why = fmt.Sprintf("the first delivery was not accepted (%s), so refusing the repeat proves nothing", status(a1))
		res.Fix = "make the baseline pass first, then audit again"
		return
	}
	res.Verdict, res.Why = refused4xx(a2, "accepted a reused webhook-id")
	if needsFix(res.Verdict) {
		res.Fix = fixReused
	}
}
