package airwar

import (
	"bytes"
	"encoding/json"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"truce/data"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

func shippedWeapons(tb testing.TB) *Weapons {
	tb.Helper()
	f, err := data.FS().Open(data.Weapons)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	w, bad, err := ReadWeapons(f)
	if err != nil {
		tb.Fatal(err)
	}
	if len(bad) != 0 {
		tb.Fatalf("weapon table: %d bad rows, first %v", len(bad), bad[0])
	}
	return w
}

func shippedBulletins(tb testing.TB) []Bulletin {
	tb.Helper()
	f, err := data.FS().Open(data.Bulletins)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	bs, bad, err := ReadBulletins(f, shippedWeapons(tb))
	if err != nil {
		tb.Fatal(err)
	}
	if len(bad) != 0 {
		tb.Fatalf("bulletins: %d bad rows, first %v", len(bad), bad[0])
	}
	return bs
}

func shippedAlerts(tb testing.TB, name string) []Alert {
	tb.Helper()
	f, err := data.FS().Open(name)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	as, bad, err := ReadAlerts(f)
	if err != nil {
		tb.Fatal(err)
	}
	if len(bad) != 0 {
		tb.Fatalf("%s: %d bad rows, first %v", name, len(bad), bad[0])
	}
	return as
}

func mustDay(tb testing.TB, s string) Day {
	tb.Helper()
	d, err := ParseDay(s)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// compareGoldenJSON marshals v and compares it with testdata/name;
// go test -update rewrites the file.
func compareGoldenJSON(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (go test -update rewrites it); got:\n%s", path, got)
	}
}

func fsReadFile(name string) ([]byte, error) { return fs.ReadFile(data.FS(), name) }
