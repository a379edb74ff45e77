package mock

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/actionbench/actionbench/engine/sign"
)

// stampedBody is an echo request of conv sent at at.
func stampedBody(conv string, at time.Time) []byte {
	return []byte(`{"action_id":"echo","conversation_id":"` + conv + `","chatbot_id":"21","trigger":"manual","payload":{},` +
		`"metadata":{"visitor_id":"v1","timestamp":"` + at.UTC().Format(time.RFC3339) + `","chatbot_name":"Bot"}}`)
}

// postSigned sends body to the server's echo route, signed with secret,
// and returns the status and the body of the answer.
func postSigned(t *testing.T, client *http.Client, s *Server, body []byte, secret string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL()+"/actions/echo", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(sign.Header, sign.Sign(secret, body))
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// The strict mock refuses a signed action request stamped more than
// 5 minutes behind the newest its conversation has sent, and nothing
// else: the cases run in order against one server, each conversation's
// memory carried from case to case.
func TestStrictMockRefusesReplayedRequests(t *testing.T) {
	s, log := startServer(t)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: trusting(t, s)}}}
	defer client.CloseIdleConnections()
	t0 := time.Date(2025, 5, 15, 10, 30, 0, 0, time.UTC) // a scenario's virtual date, far from the wall clock
	for _, tc := range []struct {
		name   string
		conv   string
		at     time.Time
		secret string
		status int
		says   string
	}{
		{"first of a conversation", "conv_a", t0, testSecret, 200, "Received echo"},
		{"fresh: a wait step moved the clock on", "conv_a", t0.Add(10 * time.Minute), testSecret, 200, "Received echo"},
		{"equal: the same moment again", "conv_a", t0.Add(10 * time.Minute), testSecret, 200, "Received echo"},
		{"older within 5 minutes", "conv_a", t0.Add(6 * time.Minute), testSecret, 200, "Received echo"},
		{"exactly 5 minutes older", "conv_a", t0.Add(5 * time.Minute), testSecret, 200, "Received echo"},
		{"older by an hour", "conv_a", t0.Add(10*time.Minute - time.Hour), testSecret, 401, "stale request refused as a replay: metadata.timestamp 2025-05-15T09:40:00Z is 1h0m0s behind 2025-05-15T10:40:00Z, the newest conversation conv_a has sent"},
		{"older by 5 minutes and a second", "conv_a", t0.Add(5*time.Minute - time.Second), testSecret, 401, "send each request once"},
		{"an hour older, wrongly signed: the signature speaks first", "conv_a", t0.Add(-time.Hour), "not-the-secret", 401, "invalid signature"},
		{"other conversation, an hour older", "conv_b", t0.Add(-time.Hour), testSecret, 200, "conversation conv_b"},
		{"a refused request moved nothing", "conv_a", t0.Add(5 * time.Minute), testSecret, 200, "Received echo"},
	} {
		status, body := postSigned(t, client, s, stampedBody(tc.conv, tc.at), tc.secret)
		if status != tc.status || !strings.Contains(body, tc.says) {
			t.Errorf("%s: %d %s, want %d with %q", tc.name, status, body, tc.status, tc.says)
		}
		var reply map[string]any
		if err := json.Unmarshal([]byte(body), &reply); err != nil || status == 401 && reply["error"] == nil {
			t.Errorf("%s: the answer is not the mock's JSON error: %s", tc.name, body)
		}
	}
	if n := strings.Count(log.String(), "replay=refused"); n != 2 {
		t.Errorf("%d log lines say replay=refused, want 2:\n%s", n, log)
	}
	if strings.Contains(log.String(), testSecret) {
		t.Error("the secret is in the log")
	}
}

// `mock --lax` keeps no such memory: the hour-old request is accepted.
func TestLaxMockAcceptsReplayedRequests(t *testing.T) {
	s, err := Start(context.Background(), "127.0.0.1:0", Config{Secret: testSecret, Token: testToken, Lax: true}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: trusting(t, s)}}}
	defer client.CloseIdleConnections()
	now := time.Now()
	for _, at := range []time.Time{now, now.Add(-time.Hour)} {
		if status, body := postSigned(t, client, s, stampedBody("conv_a", at), testSecret); status != 200 {
			t.Errorf("request stamped %s: %d %s, want 200", at, status, body)
		}
	}
}

// The memory stays bounded however many conversations a load test opens:
// when full, the half heard from longest ago is forgotten, and the
// conversations still talking keep their protection.
func TestNewestIsBounded(t *testing.T) {
	for _, tc := range []struct {
		name  string
		heard func(i int) time.Time
	}{
		{"a clock that moves", func(i int) time.Time { return fixedNow.Add(time.Duration(i) * time.Millisecond) }},
		{"a clock that stands still", func(int) time.Time { return fixedNow }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := &newest{max: 8}
			for i := range 50 {
				if _, fresh := n.admit("conv_"+string(rune('A'+i)), fixedNow, tc.heard(i)); !fresh {
					t.Fatalf("conversation %d refused on its first request", i)
				}
				if len(n.convs) > 8 {
					t.Fatalf("%d conversations remembered, the cap is 8", len(n.convs))
				}
			}
			last := "conv_" + string(rune('A'+49))
			if _, fresh := n.admit(last, fixedNow.Add(-time.Hour), tc.heard(50)); fresh {
				t.Error("the newest conversation was forgotten: its replay was accepted")
			}
		})
	}
}

// BenchmarkNewest: what the replay memory costs a request. "known" is a
// conversation already remembered (the baseline); "new, memory full" opens
// a conversation each time past the cap, paying for the forgetting too.
func BenchmarkNewest(b *testing.B) {
	b.Run("known", func(b *testing.B) {
		n := &newest{}
		for i := 0; b.Loop(); i++ {
			n.admit("conv_a", fixedNow, fixedNow)
		}
	})
	b.Run("new, memory full", func(b *testing.B) {
		n := &newest{}
		ids := make([]string, 4*maxConversations)
		for i := range ids {
			ids[i] = "conv_" + strconv.Itoa(i)
		}
		for i := 0; b.Loop(); i++ {
			n.admit(ids[i%len(ids)], fixedNow, fixedNow.Add(time.Duration(i)))
		}
	})
}
