package ledger

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"
)

const (
	// TileHeight is the height of C2SP tlog-tiles tiles: each full tile holds
	// 2^8 hashes.
	TileHeight = 8
	// TileWidth is the number of hashes in a full tile and of entries in a
	// full entry bundle.
	TileWidth = 1 << TileHeight
	// maxTileLevel is the largest level tlog-tiles allows.
	maxTileLevel = 63
)

// TilePath returns the C2SP tlog-tiles path of tile t, relative to the log's
// prefix:
//
//	tile/<L>/<N>             a full hash tile (t.W = 256)
//	tile/<L>/<N>.p/<W>       a partial hash tile (1 ≤ t.W < 256)
//	tile/entries/<N>         a full entry bundle (t.L = -1)
//	tile/entries/<N>.p/<W>   a partial entry bundle
//
// <N> is written in zero-padded groups of three digits, all but the last
// prefixed with "x": 1234067 is x001/x234/067. t.H is ignored; tiles of this
// package always have height TileHeight.
func TilePath(t tlog.Tile) string {
	var b strings.Builder
	b.WriteString("tile/")
	if t.L < 0 {
		b.WriteString("entries")
	} else {
		b.WriteString(strconv.Itoa(t.L))
	}
	b.WriteByte('/')
	b.WriteString(encodeIndex(t.N))
	if t.W > 0 && t.W < TileWidth {
		b.WriteString(".p/")
		b.WriteString(strconv.Itoa(t.W))
	}
	return b.String()
}

// encodeIndex encodes n as tlog-tiles path elements.
func encodeIndex(n int64) string {
	s := strconv.FormatInt(n, 10)
	if pad := (3 - len(s)%3) % 3; pad > 0 {
		s = strings.Repeat("0", pad) + s
	}
	var b strings.Builder
	for i := 0; i < len(s); i += 3 {
		if i > 0 {
			b.WriteByte('/')
		}
		if i+3 < len(s) {
			b.WriteByte('x')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// ParseTilePath parses a C2SP tlog-tiles tile or entry bundle path (without
// the log prefix, such as "tile/1/x001/234.p/7" or "tile/entries/000"). It
// returns a tlog.Tile with H = TileHeight, L = -1 for entry bundles, and
// W = 256 for full tiles. Only the canonical encoding is accepted, so each
// tile has exactly one path; anything else is an error wrapping ErrInvalid.
func ParseTilePath(path string) (tlog.Tile, error) {
	bad := func(why string) (tlog.Tile, error) {
		return tlog.Tile{}, fmt.Errorf("ledger: tile path %q: %s: %w", path, why, ErrInvalid)
	}
	rest, ok := strings.CutPrefix(path, "tile/")
	if !ok {
		return bad("want tile/ prefix")
	}
	levelStr, rest, ok := strings.Cut(rest, "/")
	if !ok {
		return bad("missing index")
	}
	t := tlog.Tile{H: TileHeight, W: TileWidth}
	if levelStr == "entries" {
		t.L = -1
	} else {
		l, ok := parseDecimal(levelStr, maxTileLevel)
		if !ok {
			return bad("level must be 0 to 63 without leading zeros")
		}
		t.L = int(l)
	}
	if idx, w, ok := strings.Cut(rest, ".p/"); ok {
		width, ok := parseDecimal(w, TileWidth-1)
		if !ok || width == 0 {
			return bad("partial width must be 1 to 255 without leading zeros")
		}
		t.W = int(width)
		rest = idx
	}
	elems := strings.Split(rest, "/")
	var n int64
	for i, e := range elems {
		last := i == len(elems)-1
		if !last {
			var ok bool
			if e, ok = strings.CutPrefix(e, "x"); !ok {
				return bad("index elements before the last must start with x")
			}
		}
		if len(e) != 3 || i == 0 && !last && e == "000" {
			return bad("index elements must be three digits, the first not 000 unless it is the only one")
		}
		d, err := strconv.ParseUint(e, 10, 16)
		if err != nil {
			return bad("index elements must be decimal digits")
		}
		if n > (1<<63-1-int64(d))/1000 {
			return bad("index overflows")
		}
		n = n*1000 + int64(d)
	}
	t.N = n
	return t, nil
}

// parseDecimal parses a decimal number 0 ≤ x ≤ limit with no sign and no
// leading zeros.
func parseDecimal(s string, limit int64) (int64, bool) {
	if s == "" || len(s) > 1 && s[0] == '0' {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	x, err := strconv.ParseInt(s, 10, 64)
	if err != nil || x > limit {
		return 0, false
	}
	return x, true
}

// checkTile reports whether t is a tile this package serves.
func checkTile(t tlog.Tile) error {
	switch {
	case t.H != TileHeight:
		return fmt.Errorf("height %d, want %d: %w", t.H, TileHeight, ErrInvalid)
	case t.L < -1 || t.L > maxTileLevel:
		return fmt.Errorf("level %d out of range: %w", t.L, ErrInvalid)
	case t.N < 0:
		return fmt.Errorf("negative index %d: %w", t.N, ErrInvalid)
	case t.W < 1 || t.W > TileWidth:
		return fmt.Errorf("width %d out of range: %w", t.W, ErrInvalid)
	}
	return nil
}
