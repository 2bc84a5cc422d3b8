package ledger_test

import (
	"errors"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"truce/internal/ledger"
)

func TestTilePath(t *testing.T) {
	tests := []struct {
		path string
		tile tlog.Tile
	}{
		// The examples of C2SP tlog-tiles.
		{"tile/0/x001/x234/067", tlog.Tile{H: 8, L: 0, N: 1234067, W: 256}},
		{"tile/0/x001/x234/067.p/8", tlog.Tile{H: 8, L: 0, N: 1234067, W: 8}},
		{"tile/entries/x001/x234/067", tlog.Tile{H: 8, L: -1, N: 1234067, W: 256}},
		{"tile/entries/x001/x234/067.p/255", tlog.Tile{H: 8, L: -1, N: 1234067, W: 255}},
		// A tree of size 70,000: 273 full level-0 tiles, a partial one of
		// width 112, a full level-1 tile, a partial one of width 17 and a
		// partial level-2 tile of width 1.
		{"tile/0/272", tlog.Tile{H: 8, L: 0, N: 272, W: 256}},
		{"tile/0/273.p/112", tlog.Tile{H: 8, L: 0, N: 273, W: 112}},
		{"tile/1/000", tlog.Tile{H: 8, L: 1, N: 0, W: 256}},
		{"tile/1/001.p/17", tlog.Tile{H: 8, L: 1, N: 1, W: 17}},
		{"tile/2/000.p/1", tlog.Tile{H: 8, L: 2, N: 0, W: 1}},
		// Edges of the index encoding.
		{"tile/0/000", tlog.Tile{H: 8, L: 0, N: 0, W: 256}},
		{"tile/0/999", tlog.Tile{H: 8, L: 0, N: 999, W: 256}},
		{"tile/0/x001/000", tlog.Tile{H: 8, L: 0, N: 1000, W: 256}},
		{"tile/0/x001/x000/000", tlog.Tile{H: 8, L: 0, N: 1000000, W: 256}},
		{"tile/63/x009/x223/x372/x036/x854/x775/807", tlog.Tile{H: 8, L: 63, N: 1<<63 - 1, W: 256}},
		{"tile/entries/000.p/1", tlog.Tile{H: 8, L: -1, N: 0, W: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			if got := ledger.TilePath(tt.tile); got != tt.path {
				t.Errorf("TilePath(%+v) = %q, want %q", tt.tile, got, tt.path)
			}
			got, err := ledger.ParseTilePath(tt.path)
			if err != nil {
				t.Fatalf("ParseTilePath(%q): %v", tt.path, err)
			}
			if got != tt.tile {
				t.Errorf("ParseTilePath(%q) = %+v, want %+v", tt.path, got, tt.tile)
			}
		})
	}
}

func TestParseTilePathInvalid(t *testing.T) {
	for _, path := range []string{
		"",
		"tile",
		"tile/0",
		"tile/0/",
		"/tile/0/000",
		"tiles/0/000",
		"tile/00/000",         // leading zero in level
		"tile/64/000",         // level out of range
		"tile/-1/000",         // data level is spelled "entries"
		"tile/data/000",       // the sumdb spelling
		"tile/8/0/000",        // sumdb paths carry the height
		"tile/0/1",            // index elements have three digits
		"tile/0/0001",         //
		"tile/0/x001",         // the last element has no x
		"tile/0/001/234",      // earlier elements have an x
		"tile/0/x000/001",     // no leading zero groups
		"tile/0/x01a/001",     //
		"tile/0/+01",          //
		"tile/0/000.p/0",      // partial width 1..255
		"tile/0/000.p/256",    //
		"tile/0/000.p/08",     // no leading zero in width
		"tile/0/000.p/",       //
		"tile/0/000.p",        //
		"tile/0/000/",         //
		"tile/entries/x1/000", //
		"tile/0/x009/x223/x372/x036/x854/x775/808", // overflows int64
	} {
		t.Run(path, func(t *testing.T) {
			if got, err := ledger.ParseTilePath(path); !errors.Is(err, ledger.ErrInvalid) {
				t.Errorf("ParseTilePath(%q) = %+v, %v, want ErrInvalid", path, got, err)
			}
		})
	}
}
