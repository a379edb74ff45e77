package engine

import (
	"net/http"
	"testing"
	"time"
)

// The steps of a dispatch that are the engine's own work, without the
// network, to see where per-call CPU goes.

func BenchmarkStepBody(b *testing.B) {
	call := benchCall(b, "https://127.0.0.1/hook")
	b.ReportAllocs()
	for b.Loop() {
		actionBody(&call, testStart)
	}
}

func BenchmarkStepEventBody(b *testing.B) {
	call := testEvent("https://127.0.0.1/hook", EventBeforeResponseSent)
	b.ReportAllocs()
	for b.Loop() {
		eventBody(&call, testStart)
	}
}

func BenchmarkStepSign(b *testing.B) {
	d := New(Options{})
	call := benchCall(b, "https://127.0.0.1/hook")
	body, _ := actionBody(&call, testStart)
	s := d.signer(call.Action.Secret)
	b.ReportAllocs()
	for b.Loop() {
		s.Append(nil, body)
	}
}

func BenchmarkStepClassify(b *testing.B) {
	header := http.Header{"Content-Type": {"application/json"}}
	b.ReportAllocs()
	for b.Loop() {
		a := &Attempt{Response: &Response{Status: 200, Header: header, Body: benchReply}}
		classifyAction(a)
	}
}

func BenchmarkStepLimiter(b *testing.B) {
	d := New(Options{})
	now := testStart
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(time.Second)
		d.limiter.Reserve("conv_000123", now)
	}
}

func BenchmarkStepDeliveryID(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		randomDeliveryID()
	}
}
