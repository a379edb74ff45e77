package h1

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/actionbench/actionbench/engine/internal/loadtest"
)

// BenchmarkDoVsTransport compares one POST and its read through Client.Do
// with the same request through net/http's Transport, alternating in
// chunks against one loopback TLS server; h1/transport above 1 is faster.
func BenchmarkDoVsTransport(b *testing.B) {
	server := loadtest.StartServer()
	defer server.Close()
	roots := server.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	u, _ := url.Parse(server.URL)
	endpoint, err := NewEndpoint(u)
	if err != nil {
		b.Fatal(err)
	}
	body := bytes.Repeat([]byte("x"), 1100)
	header := http.Header{"Content-Type": {"application/json"}, "User-Agent": {"actionbench"}, "X-DGbot-Delivery": {"dlv_0123456789abcdef01234567"}}

	for _, c := range []int{1, 32} {
		b.Run(fmt.Sprint("c=", c), func(b *testing.B) {
			transport := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, MaxIdleConnsPerHost: 64, DisableCompression: true}
			defer transport.CloseIdleConnections()
			client := New(Options{TLS: &tls.Config{RootCAs: roots}})
			defer client.CloseIdle()
			viaTransport := func() {
				req, _ := http.NewRequest(http.MethodPost, server.URL, bytes.NewReader(body))
				req.Header = header
				resp, err := transport.RoundTrip(req)
				if err != nil {
					b.Error(err)
					return
				}
				io.ReadAll(resp.Body)
				resp.Body.Close()
			}
			viaDo := func() {
				resp, _, err := client.Do(context.Background(), &Request{Method: http.MethodPost, Endpoint: endpoint, Header: header, Body: body, Deadline: time.Now().Add(8 * time.Second)})
				if err != nil {
					b.Error(err)
					return
				}
				io.ReadAll(resp.Body)
				resp.Body.Close()
			}
			loadtest.Run(c, 2*c, viaTransport)
			loadtest.Run(c, 2*c, viaDo)
			b.ResetTimer()
			times := loadtest.Alternate(c, b.N, viaTransport, viaDo)
			b.ReportMetric(times[0].Seconds()/times[1].Seconds(), "h1/transport")
		})
	}
}
