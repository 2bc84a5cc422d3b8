package metrics_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"truce/internal/metrics"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestTextFormatGolden(t *testing.T) {
	r := metrics.New()
	c := r.Counter("t_requests_total", "Requests.", "route", "code")
	c.Add(2, "GET /x", "200")
	c.Add(1, "GET /x", "404")
	c.Add(5, `POST /"y"`, "201")
	h := r.Histogram("t_size", "Sizes.", []float64{1, 10, 100})
	for _, v := range []float64{0.5, 1, 5, 50, 500} {
		h.Observe(v)
	}
	var buf bytes.Buffer
	r.WriteText(&buf)
	golden := filepath.Join("testdata", "metrics.golden")
	if *update {
		os.MkdirAll("testdata", 0o755)
		os.WriteFile(golden, buf.Bytes(), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if buf.String() != string(want) {
		t.Errorf("got:\n%s\nwant:\n%s", buf.String(), want)
	}
	if got := c.Value("GET /x", "200"); got != 2 {
		t.Errorf("Value: got %d, want 2", got)
	}
}
