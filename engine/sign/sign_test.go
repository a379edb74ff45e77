package sign

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// vector is one signature computed by openssl (testdata/make-vectors.sh),
// independently of this package.
type vector struct {
	Secret     string `json:"secret"`
	BodyBase64 string `json:"body_base64"`
	Signature  string `json:"signature"`
}

func loadVectors(t *testing.T) []vector {
	t.Helper()
	data, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []vector
	if err := json.Unmarshal(data, &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) < 5 {
		t.Fatalf("want at least 5 vectors, got %d", len(vs))
	}
	return vs
}

func (v vector) body(t *testing.T) []byte {
	b, err := base64.StdEncoding.DecodeString(v.BodyBase64)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPublishedKnownAnswer(t *testing.T) {
	const want = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
	if got := Sign("It's a Secret to Everybody", []byte("Hello, World!")); got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

func TestVectors(t *testing.T) {
	for i, v := range loadVectors(t) {
		body := v.body(t)
		if got := Sign(v.Secret, body); got != v.Signature {
			t.Errorf("vector %d: Sign = %s, want %s", i, got, v.Signature)
		}
		if !Verify(v.Secret, body, v.Signature) {
			t.Errorf("vector %d: Verify rejected the openssl signature", i)
		}
		if Verify(v.Secret+"x", body, v.Signature) {
			t.Errorf("vector %d: Verify accepted a signature under the wrong secret", i)
		}
		if Verify(v.Secret, append(body, ' '), v.Signature) {
			t.Errorf("vector %d: Verify accepted a signature over different bytes", i)
		}
	}
}

func TestSignerReuseIsConcurrencySafe(t *testing.T) {
	vs := loadVectors(t)
	signers := make([]*Signer, len(vs))
	for i, v := range vs {
		signers[i] = NewSigner(v.Secret)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := 0; round < 200; round++ {
				i := (g + round) % len(vs)
				if got := string(signers[i].Append(nil, vs[i].body(t))); got != vs[i].Signature {
					t.Errorf("vector %d: got %s, want %s", i, got, vs[i].Signature)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestReferencePythonVerifier runs the reference document's own
// verify_dgbot_signature over each vector's body and our signature.
func TestReferencePythonVerifier(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed")
	}
	const verifier = `
import hmac, hashlib, json, sys, base64

def verify_dgbot_signature(request_body: bytes, signature: str, secret: str) -> bool:
    expected = hmac.new(
        secret.encode('utf-8'),
        request_body,
        hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(f"sha256={expected}", signature)

for case in json.load(open(sys.argv[1])):
    ok = verify_dgbot_signature(base64.b64decode(case["body_base64"]), case["signature"], case["secret"])
    print("ok" if ok else "bad")
`
	var cases []vector
	for _, v := range loadVectors(t) {
		cases = append(cases, vector{v.Secret, v.BodyBase64, Sign(v.Secret, v.body(t))})
	}
	path := filepath.Join(t.TempDir(), "cases.json")
	data, _ := json.Marshal(cases)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, "-c", verifier, path).CombinedOutput()
	if err != nil {
		t.Fatalf("python verifier: %v\n%s", err, out)
	}
	want := ""
	for range cases {
		want += "ok\n"
	}
	if string(out) != want {
		t.Errorf("reference verifier said:\n%s\nwant every case ok", out)
	}
}

func BenchmarkSigner(b *testing.B) {
	body := make([]byte, 1024)
	s := NewSigner("whsec_bench")
	dst := make([]byte, 0, 80)
	b.ReportAllocs()
	for b.Loop() {
		dst = s.Append(dst[:0], body)
	}
}

// BenchmarkSignBaseline keys a fresh HMAC per call, as a naive signer would.
func BenchmarkSignBaseline(b *testing.B) {
	body := make([]byte, 1024)
	b.ReportAllocs()
	for b.Loop() {
		_ = Sign("whsec_bench", body)
	}
}
