package web_test

import (
	"io"
	"net/http"
	"testing"

	"truce/internal/auth"
)

// BenchmarkPages measures each main page over HTTP on the demo-sized
// fixture, as a browser would fetch it (the in-process API calls
// included):
//
//	go test ./internal/web -run '^$' -bench Pages
func BenchmarkPages(b *testing.B) {
	fx := shared(b)
	analyst := fx.tokens[auth.Analyst]
	for _, p := range []struct{ name, path, token string }{
		{"dashboard", "/", ""},
		{"report", "/reports/daily/2025-06-01", ""},
		{"incidents", "/incidents", analyst},
		{"incident", "/incidents/" + fx.incident, analyst},
		{"ledger", "/ledger", ""},
	} {
		b.Run(p.name, func(b *testing.B) {
			req, _ := http.NewRequest("GET", fx.url+p.path, nil)
			if p.token != "" {
				req.Header.Set("Authorization", "Bearer "+p.token)
			}
			var n int64
			for b.Loop() {
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				n, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatalf("%s: %d", p.path, resp.StatusCode)
				}
			}
			b.ReportMetric(float64(n), "bytes/page")
		})
	}
}
