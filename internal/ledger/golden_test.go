package ledger_test

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"truce/internal/ledger"
	"truce/internal/ledger/ledgertest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// The golden ledger's keys. They are test keys, published on purpose: the
// golden ledger must be reproducible byte for byte.
const (
	goldenLogSkey     = "PRIVATE+KEY+golden.truce.test/ledger+aa0b9306+Ab1o+Ruwl4SEkiSyL43EjgJfi8A9YxYM6vMFC+l7I+Sr"
	goldenLogVkey     = "golden.truce.test/ledger+aa0b9306+AYFwkHWRR7Zas1gKMDTzFSsXQjSMaq8csIl47Bzgdv00"
	goldenWitnessSkey = "PRIVATE+KEY+witness.truce.test/w1+2d9f026a+BLvT7pXnib2Uo6ElCOG8YVnDGg2NIZ7oIqhc7YZa8Ng3"
	goldenWitnessVkey = "witness.truce.test/w1+2d9f026a+BPkXZakD55oKRzpjDfhLo0QOUmNCo1XQyOo5psgQRNin"
	goldenSize        = 300
	goldenDir         = "testdata/golden"
)

// buildGolden builds the golden ledger in memory: goldenSize test entries
// (see testEntry), a checkpoint signed by the golden log key and cosigned
// by the golden witness at a fixed time, laid out as tlog-tiles files.
func buildGolden(t *testing.T) map[string][]byte {
	t.Helper()
	ctx := t.Context()
	m := ledgertest.New()
	if err := m.AppendLeaves(ctx, testLeaves(t, goldenSize)); err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(goldenLogSkey)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := m.Sign(ctx, signer)
	if err != nil {
		t.Fatal(err)
	}
	w, err := ledger.NewWitnessSigner(goldenWitnessSkey, func() time.Time { return time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC) })
	if err != nil {
		t.Fatal(err)
	}
	line, err := ledger.Cosign(cp, w)
	if err != nil {
		t.Fatal(err)
	}
	if cp, err = ledger.AddCosignatures(cp, []byte(line)); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"checkpoint":   cp,
		"log.vkey":     []byte(goldenLogVkey + "\n"),
		"witness.vkey": []byte(goldenWitnessVkey + "\n"),
	}
	for _, tile := range ledger.Tiles(goldenSize) {
		data, err := ledger.TileData(ctx, m, tile, goldenSize)
		if err != nil {
			t.Fatal(err)
		}
		files[ledger.TilePath(tile)] = data
	}
	return files
}

// TestGolden checks that the code reproduces the golden ledger in
// testdata/golden byte for byte. Rebuild it with
//
//	go test ./internal/ledger -run TestGolden -update
//
// and review the diff: a change means the entry encoding, the tree, the
// tiles or the signatures changed, which breaks every existing ledger.
func TestGolden(t *testing.T) {
	want := buildGolden(t)
	if *update {
		if err := os.RemoveAll(goldenDir); err != nil {
			t.Fatal(err)
		}
		for name, data := range want {
			p := filepath.Join(goldenDir, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	var got []string
	err := fs.WalkDir(os.DirFS(goldenDir), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		got = append(got, name)
		data, err := os.ReadFile(filepath.Join(goldenDir, filepath.FromSlash(name)))
		if err != nil {
			return err
		}
		if w, ok := want[name]; !ok {
			t.Errorf("%s: not in the golden ledger the code builds", name)
		} else if !bytes.Equal(data, w) {
			t.Errorf("%s: differs from what the code builds (run with -update and review the diff)", name)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for name := range want {
		if !slices.Contains(got, name) {
			t.Errorf("%s: missing from %s", name, goldenDir)
		}
	}
	// The golden checkpoint verifies with the published keys.
	v, _ := note.NewVerifier(goldenLogVkey)
	c, err := ledger.OpenCheckpoint(want["checkpoint"], v)
	if err != nil || c.Size != goldenSize {
		t.Errorf("golden checkpoint: %+v, %v", c, err)
	}
	wv, _ := ledger.NewWitnessVerifier(goldenWitnessVkey)
	if n, err := ledger.CountCosignatures(want["checkpoint"], []note.Verifier{wv}); n != 1 || err != nil {
		t.Errorf("golden checkpoint has %d valid cosignatures (%v), want 1", n, err)
	}
}

func TestTiles(t *testing.T) {
	paths := func(n int64) []string {
		var p []string
		for _, t := range ledger.Tiles(n) {
			p = append(p, ledger.TilePath(t))
		}
		return p
	}
	tests := []struct {
		n    int64
		want []string
	}{
		{0, nil},
		{1, []string{"tile/0/000.p/1", "tile/entries/000.p/1"}},
		{256, []string{"tile/0/000", "tile/1/000.p/1", "tile/entries/000"}},
		{300, []string{"tile/0/000", "tile/0/001.p/44", "tile/1/000.p/1", "tile/entries/000", "tile/entries/001.p/44"}},
	}
	for _, tt := range tests {
		if got := paths(tt.n); !slices.Equal(got, tt.want) {
			t.Errorf("Tiles(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
	// The C2SP example: a tree of size 70,000.
	var hashTiles []string
	for _, p := range paths(70000) {
		if p[:7] != "tile/en" {
			hashTiles = append(hashTiles, p)
		}
	}
	if len(hashTiles) != 273+1+1+1+1 {
		t.Errorf("Tiles(70000) has %d hash tiles, want 277", len(hashTiles))
	}
	for _, p := range []string{"tile/0/273.p/112", "tile/1/000", "tile/1/001.p/17", "tile/2/000.p/1"} {
		if !slices.Contains(hashTiles, p) {
			t.Errorf("Tiles(70000) lacks %s", p)
		}
	}
}
