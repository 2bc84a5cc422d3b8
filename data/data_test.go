package data

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"path"
	"testing"
)

func TestFiles(t *testing.T) {
	for _, name := range Files() {
		t.Run(name, func(t *testing.T) {
			b, err := fs.ReadFile(FS(), name)
			if err != nil {
				t.Fatal(err)
			}
			if len(b) == 0 {
				t.Fatalf("%s is empty", name)
			}
			if _, err := fs.Stat(FS(), path.Join(path.Dir(name), "SOURCE.md")); err != nil {
				t.Errorf("no SOURCE.md beside %s: %v", name, err)
			}
		})
	}
}

// TestOblastsUnchanged checks the boundaries file is byte-for-byte the one
// SOURCE.md describes.
func TestOblastsUnchanged(t *testing.T) {
	b, err := fs.ReadFile(FS(), Oblasts)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	const want = "4a5947e7497574d51f93255dfa7e03dce0c7acf6ecee52d25773a5205854a399"
	if got := hex.EncodeToString(sum[:]); got != want {
		t.Errorf("sha256(%s) = %s, want %s", Oblasts, got, want)
	}
}
