package sign

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// standardVector is one Standard Webhooks signature computed by openssl
// (testdata/make-standard-vectors.sh); the first is the specification's
// published one.
type standardVector struct {
	Secret     string `json:"secret"`
	ID         string `json:"id"`
	Timestamp  int64  `json:"timestamp"`
	BodyBase64 string `json:"body_base64"`
	Signature  string `json:"signature"`
}

func loadStandardVectors(t *testing.T) []standardVector {
	t.Helper()
	data, err := os.ReadFile("testdata/standard-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []standardVector
	if err := json.Unmarshal(data, &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) < 4 {
		t.Fatalf("want at least 4 vectors, got %d", len(vs))
	}
	return vs
}

// TestStandardPublishedVector is the specification's own test vector.
func TestStandardPublishedVector(t *testing.T) {
	got, err := SignStandard("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; err != nil || got != want {
		t.Errorf("SignStandard = %q, %v; want %q", got, err, want)
	}
}

func TestStandardVectors(t *testing.T) {
	for i, v := range loadStandardVectors(t) {
		body, err := base64.StdEncoding.DecodeString(v.BodyBase64)
		if err != nil {
			t.Fatal(err)
		}
		ts := time.Unix(v.Timestamp, 0)
		got, err := SignStandard(v.Secret, v.ID, ts, body)
		if err != nil || got != v.Signature {
			t.Errorf("vector %d: SignStandard = %q, %v; want %q", i, got, err, v.Signature)
		}
		h := standardHeader(v.ID, ts, v.Signature)
		if err := VerifyStandard(v.Secret, body, h, ts.Add(time.Minute)); err != nil {
			t.Errorf("vector %d: VerifyStandard rejected the openssl signature: %v", i, err)
		}
	}
}

func standardHeader(id string, ts time.Time, sig string) http.Header {
	h := http.Header{}
	h.Set(StandardID, id)
	h.Set(StandardTimestamp, strconv.FormatInt(ts.Unix(), 10))
	h.Set(StandardSignature, sig)
	return h
}

// TestVerifyStandardRefuses: what a receiver must refuse, it refuses, each
// for its own reason.
func TestVerifyStandardRefuses(t *testing.T) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	body := []byte(`{"test": 2432232314}`)
	ts := time.Unix(1614265330, 0)
	sig, err := SignStandard(secret, "msg_1", ts, body)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		h    http.Header
		body string
		now  time.Time
		want error
	}{
		{"signed", standardHeader("msg_1", ts, sig), string(body), ts, nil},
		{"one of several signatures", standardHeader("msg_1", ts, "v1,bm9wZQ== "+sig), string(body), ts, nil},
		{"4 minutes old", standardHeader("msg_1", ts, sig), string(body), ts.Add(4 * time.Minute), nil},
		{"6 minutes old", standardHeader("msg_1", ts, sig), string(body), ts.Add(6 * time.Minute), ErrStandardStale},
		{"6 minutes ahead", standardHeader("msg_1", ts, sig), string(body), ts.Add(-6 * time.Minute), ErrStandardStale},
		{"body changed", standardHeader("msg_1", ts, sig), string(body) + " ", ts, ErrStandardSignature},
		{"id changed", standardHeader("msg_2", ts, sig), string(body), ts, ErrStandardSignature},
		{"timestamp changed", standardHeader("msg_1", ts.Add(time.Second), sig), string(body), ts, ErrStandardSignature},
		{"no signature", standardHeader("msg_1", ts, ""), string(body), ts, ErrStandardHeaders},
		{"no id", standardHeader("", ts, sig), string(body), ts, ErrStandardHeaders},
		{"timestamp not a number", func() http.Header { h := standardHeader("msg_1", ts, sig); h.Set(StandardTimestamp, "soon"); return h }(), string(body), ts, ErrStandardHeaders},
	} {
		err := VerifyStandard(secret, []byte(c.body), c.h, c.now)
		if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("%s: VerifyStandard = %v, want %v", c.name, err, c.want)
		}
	}
}

func TestCheckStandardSecret(t *testing.T) {
	for _, c := range []struct {
		secret, want string
	}{
		{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", ""},
		{"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "starts with whsec_"},
		{"whsec_not base64!", "not valid base64"},
		{"whsec_", "needs key bytes"},
	} {
		err := CheckStandardSecret(c.secret)
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("CheckStandardSecret(%q) = %v, want %q", c.secret, err, c.want)
		}
		if err != nil && len(c.secret) > len(StandardSecretPrefix) && strings.Contains(err.Error(), c.secret) {
			t.Errorf("the error quotes the secret: %v", err)
		}
	}
	if _, err := SignStandard("plain-secret", "id", time.Unix(1, 0), nil); err == nil {
		t.Error("SignStandard signed with a secret that is not whsec_")
	}
}

// BenchmarkSignStandard is one Standard Webhooks signature of a 1 KiB body
// through the official library, as each such dispatch makes it; compare
// with BenchmarkSigner (the pooled DGbot signer) in the same run.
func BenchmarkSignStandard(b *testing.B) {
	body := make([]byte, 1024)
	ts := time.Unix(1764806400, 0)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := SignStandard("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "dlv_0123456789abcdef01234567", ts, body); err != nil {
			b.Fatal(err)
		}
	}
}
