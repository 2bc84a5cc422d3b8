// Package audit verifies a truce ledger from outside, reading it as any
// C2SP tlog-tiles client would (over HTTP, or from a copy on disk), and
// cosigns its checkpoints as a witness.
//
// Verification trusts nothing the log serves but what the log's key signed:
// it checks the checkpoint signature and a quorum of witness cosignatures,
// proves consistency with the checkpoint seen last time, and can recompute
// the whole tree from the entries. Proofs are built from tiles and checked
// with github.com/transparency-dev/merkle, independently of the
// golang.org/x/mod/sumdb/tlog code that writes the log.
package audit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/transparency-dev/merkle/compact"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"truce/internal/ledger"
)

// Sentinel errors of Witness, checked with errors.Is. Verify reports the
// same conditions as Problems of kind KindRollback and KindFork.
var (
	// ErrRollback reports a checkpoint smaller than one seen before.
	ErrRollback = errors.New("rollback")
	// ErrFork reports a checkpoint inconsistent with one seen before.
	ErrFork = errors.New("fork")
)

// defaultConcurrency is the number of parallel fetches when
// Options.Concurrency is 0.
const defaultConcurrency = 8

// maxPerKind bounds the problems reported of one kind; the rest are counted
// in one last problem of that kind.
const maxPerKind = 50

// Options says what Verify checks.
type Options struct {
	// LogVerifier is the log's public key (required). Its name is the origin.
	LogVerifier note.Verifier
	// Witnesses are the witness keys whose cosignatures count towards Quorum.
	Witnesses []note.Verifier
	// Quorum is how many distinct Witnesses must have cosigned the
	// checkpoint; 0 checks no cosignatures.
	Quorum int
	// State is the State of the previous Result (nil on the first run): the
	// last checkpoint verified. The new checkpoint must be consistent with it.
	State []byte
	// Full fetches every entry bundle and hash tile, recomputes the tree and
	// compares it with the checkpoint and the tiles.
	Full bool
	// Records are records the verifier may read, to be checked against their
	// entries and for inclusion in the checkpoint.
	Records []Record
	// Concurrency is the number of parallel fetches (default 8).
	Concurrency int
}

// A Record is a record as its reader got it from the server, with what is
// needed to check it against the ledger.
type Record struct {
	ID        string // the record's id, as in its entry
	Type      string // the entry type; checked if not empty
	Index     int64  // the index of its entry, as the server claims
	Canonical []byte // the record's canonical bytes
	Salt      []byte // the commitment salt
}

// Kind classifies a Problem.
type Kind string

// The kinds of problems Verify reports.
const (
	KindFetch     Kind = "fetch"     // a resource could not be fetched or was malformed
	KindSignature Kind = "signature" // the checkpoint is not validly signed by the log
	KindQuorum    Kind = "quorum"    // too few valid witness cosignatures, or an invalid one
	KindRollback  Kind = "rollback"  // the checkpoint is smaller than one seen before
	KindFork      Kind = "fork"      // the checkpoint is inconsistent with one seen before
	KindRoot      Kind = "root"      // the entries do not hash to the checkpoint's root
	KindEntry     Kind = "entry"     // an entry was altered, deleted, reordered or is malformed
	KindOrder     Kind = "order"     // an entry's accepted_at is earlier than its predecessor's
	KindTile      Kind = "tile"      // a served hash differs from the one recomputed from the entries
	KindRecord    Kind = "record"    // a record does not match its entry or is not included
)

// A Problem is one thing found wrong, with where it is.
type Problem struct {
	Kind     Kind
	Index    int64  // the entry's index, or -1
	RecordID string // the record's (or entry's) id, if known
	Message  string
}

// String formats the problem as "kind: index I (id X): message".
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(string(p.Kind))
	b.WriteString(": ")
	switch {
	case p.Index >= 0 && p.RecordID != "":
		fmt.Fprintf(&b, "index %d (id %s): ", p.Index, p.RecordID)
	case p.Index >= 0:
		fmt.Fprintf(&b, "index %d: ", p.Index)
	case p.RecordID != "":
		fmt.Fprintf(&b, "id %s: ", p.RecordID)
	}
	b.WriteString(p.Message)
	return b.String()
}

// Result is what Verify found.
type Result struct {
	// Note is the checkpoint note as served, and Checkpoint its content if
	// the log's signature verified.
	Note       []byte
	Checkpoint ledger.Checkpoint
	// Cosignatures is the number of valid cosignatures by Options.Witnesses.
	Cosignatures int
	// State is what to pass as Options.State next time: the new checkpoint
	// if it is validly signed and consistent with the previous state,
	// otherwise the previous state unchanged (so a fork or rollback keeps
	// being reported).
	State []byte
	// Entries is the number of entries recomputed by a full audit.
	Entries int64
	// Records is the number of records checked; Pending lists the ids of
	// records whose index is not yet covered by the checkpoint (not checked).
	Records int
	Pending []string
	// Problems lists everything found wrong; empty if all checks passed.
	Problems []Problem

	perKind map[Kind]int
}

// OK reports whether every check passed.
func (r *Result) OK() bool { return len(r.Problems) == 0 }

func (r *Result) add(kind Kind, index int64, id, format string, args ...any) {
	r.addProblem(problem(kind, index, id, format, args...))
}

func (r *Result) addProblem(p Problem) {
	if r.perKind == nil {
		r.perKind = make(map[Kind]int)
	}
	r.perKind[p.Kind]++
	if r.perKind[p.Kind] <= maxPerKind {
		r.Problems = append(r.Problems, p)
	}
}

func problem(kind Kind, index int64, id, format string, args ...any) Problem {
	return Problem{Kind: kind, Index: index, RecordID: id, Message: fmt.Sprintf(format, args...)}
}

// finish adds a summary of the problems dropped beyond maxPerKind.
func (r *Result) finish() {
	for _, k := range []Kind{KindFetch, KindSignature, KindQuorum, KindRollback, KindFork, KindRoot, KindEntry, KindOrder, KindTile, KindRecord} {
		if n := r.perKind[k]; n > maxPerKind {
			r.Problems = append(r.Problems, Problem{Kind: k, Index: -1, Message: fmt.Sprintf("%d more problems of this kind not listed", n-maxPerKind)})
		}
	}
}

// auditor carries one Verify run.
type auditor struct {
	f     Fetcher
	opts  Options
	res   *Result
	cp    ledger.Checkpoint
	tiles *tiles
	conc  int

	byBundle map[int64][]Record // records to check, by entry bundle
}

// Verify audits the log that f reads and returns what it found. It returns
// an error only if opts or opts.State is unusable or ctx ends; everything
// wrong with the log is a Problem in the Result, with what and where, and
// the caller fails unless Result.OK.
//
// Verify always fetches the checkpoint and checks the log's signature, the
// witness quorum and consistency with opts.State (via a consistency proof
// built from tiles). With opts.Full it fetches every entry bundle and hash
// tile, recomputes the root and compares it with the checkpoint: if they
// differ and the tiles match the checkpoint, it names the first entry that
// differs from what the checkpoint commits to (an edited, deleted or
// reordered entry); if they agree, it names every served hash that differs
// from the recomputed one (an edited hashes table). It also reports entries
// that are malformed or whose accepted_at goes back in time. For each of
// opts.Records it checks that the entry at the claimed index has the record's
// id, that the record and salt match its commitment, and that the entry is
// included in the checkpoint.
func Verify(ctx context.Context, f Fetcher, opts Options) (*Result, error) {
	if opts.LogVerifier == nil {
		return nil, fmt.Errorf("audit: verify: no log key: %w", ledger.ErrInvalid)
	}
	distinct := make(map[string]bool)
	for _, w := range opts.Witnesses {
		distinct[fmt.Sprintf("%s+%08x", w.Name(), w.KeyHash())] = true
	}
	if opts.Quorum < 0 || opts.Quorum > len(distinct) {
		return nil, fmt.Errorf("audit: verify: quorum %d of %d witness keys: %w", opts.Quorum, len(distinct), ledger.ErrInvalid)
	}
	var prev *ledger.Checkpoint
	if len(opts.State) > 0 {
		c, err := ledger.OpenCheckpoint(opts.State, opts.LogVerifier)
		if err != nil {
			return nil, fmt.Errorf("audit: verify: saved state: %w", err)
		}
		prev = &c
	}
	res := &Result{State: opts.State}
	defer res.finish()

	msg, err := f.Fetch(ctx, "checkpoint")
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		res.add(KindFetch, -1, "", "fetch checkpoint: %v", err)
		return res, nil
	}
	res.Note = msg
	cp, err := ledger.OpenCheckpoint(msg, opts.LogVerifier)
	if err != nil {
		res.add(KindSignature, -1, "", "checkpoint: %v", err)
		return res, nil
	}
	res.Checkpoint = cp

	n, err := ledger.CountCosignatures(msg, opts.Witnesses)
	res.Cosignatures = n
	if err != nil {
		res.add(KindQuorum, -1, "", "checkpoint of size %d: %v", cp.Size, err)
	}
	if n < opts.Quorum {
		res.add(KindQuorum, -1, "", "checkpoint of size %d is cosigned by %d of the %d witnesses, %d required", cp.Size, n, len(distinct), opts.Quorum)
	}

	a := &auditor{f: f, opts: opts, res: res, cp: cp, tiles: newTiles(f, cp.Size), conc: opts.Concurrency}
	if a.conc <= 0 {
		a.conc = defaultConcurrency
	}
	if prev == nil || a.consistent(ctx, *prev) {
		res.State = msg
	}
	a.byBundle = make(map[int64][]Record)
	for _, r := range opts.Records {
		switch {
		case r.Index < 0:
			res.add(KindRecord, r.Index, r.ID, "the server gave a negative ledger index")
		case r.Index >= cp.Size:
			res.Pending = append(res.Pending, r.ID)
		default:
			res.Records++
			k := r.Index / ledger.TileWidth
			a.byBundle[k] = append(a.byBundle[k], r)
		}
	}
	if opts.Full {
		err = a.full(ctx)
	} else {
		err = a.records(ctx)
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// consistent checks the checkpoint against the one verified before and
// reports a rollback or fork.
func (a *auditor) consistent(ctx context.Context, prev ledger.Checkpoint) bool {
	cp := a.cp
	switch {
	case cp.Size < prev.Size:
		a.res.add(KindRollback, cp.Size, "", "the checkpoint has size %d, smaller than size %d verified before: entries from index %d on were removed (rollback)", cp.Size, prev.Size, cp.Size)
		return false
	case cp.Size == prev.Size && cp.Root != prev.Root:
		a.res.add(KindFork, -1, "", "the checkpoint of size %d has root %s, but the checkpoint of that size verified before had root %s: the log was rewritten (fork)", cp.Size, cp.Root, prev.Root)
		return false
	case cp.Size == prev.Size:
		return true
	}
	if err := a.tiles.verifyConsistency(ctx, prev, cp); err != nil {
		if errors.Is(err, errTiles) {
			a.res.add(KindFetch, -1, "", "cannot prove the checkpoint of size %d consistent with size %d verified before: %v", cp.Size, prev.Size, err)
			return false
		}
		a.res.add(KindFork, -1, "", "the checkpoint of size %d is not consistent with the checkpoint of size %d verified before: entries below index %d were changed (fork): %v", cp.Size, prev.Size, prev.Size, err)
		return false
	}
	return true
}

// inclusion is a record's entry whose inclusion is still to be proved.
type inclusion struct {
	id    string
	index int64
	hash  tlog.Hash
}

// bundleResult is what a full audit keeps of one entry bundle and its
// level-0 tile.
type bundleResult struct {
	first, last time.Time // accepted_at of the first and last valid entries
	hasTimes    bool
	tileOK      bool
	problems    []Problem
	incl        []inclusion
}

// full recomputes the tree from every entry, compares it with the
// checkpoint and with the served tiles, and checks the records on the way.
func (a *auditor) full(ctx context.Context) error {
	size := a.cp.Size
	nb := int((size + ledger.TileWidth - 1) / ledger.TileWidth)
	leaves := make([]tlog.Hash, size) // hashes of the served entries
	served := make([]tlog.Hash, size) // level-0 hashes as served in tiles
	bundles := make([]bundleResult, nb)

	err := parallel(ctx, nb, a.conc, func(k int) error {
		br := &bundles[k]
		start := int64(k) * ledger.TileWidth
		w := a.tiles.width(-1, int64(k))
		bundlePath := ledger.TilePath(tlog.Tile{H: ledger.TileHeight, L: -1, N: int64(k), W: w})
		if data, err := a.tiles.tile(ctx, 0, int64(k)); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			br.problems = append(br.problems, problem(KindFetch, start, "", "hash tile for entries %d to %d: %v", start, start+int64(w)-1, err))
		} else {
			br.tileOK = true
			for i := range w {
				copy(served[start+int64(i)][:], data[i*tlog.HashSize:])
			}
		}
		data, err := a.f.Fetch(ctx, bundlePath)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			br.problems = append(br.problems, problem(KindFetch, start, "", "entry bundle for entries %d to %d: %v", start, start+int64(w)-1, err))
			for _, r := range a.byBundle[int64(k)] {
				br.problems = append(br.problems, problem(KindFetch, r.Index, r.ID, "record not checked: its entry bundle could not be fetched"))
			}
			return nil
		}
		entries, err := ledger.ParseEntryBundle(data)
		if err != nil {
			br.problems = append(br.problems, problem(KindEntry, start, "", "entry bundle %s: %v", bundlePath, err))
		}
		if len(entries) != w {
			br.problems = append(br.problems, problem(KindEntry, -1, "", "entry bundle %s holds %d entries, want %d: entries between index %d and %d were deleted or added", bundlePath, len(entries), w, start, start+int64(w)-1))
			entries = entries[:min(len(entries), w)]
		}
		var prev time.Time
		for i, e := range entries {
			idx := start + int64(i)
			leaves[idx] = ledger.LeafHash(e)
			entry, err := ledger.ParseEntry(e)
			if err != nil {
				br.problems = append(br.problems, problem(KindEntry, idx, "", "malformed entry: %v", err))
				continue
			}
			if !br.hasTimes {
				br.first, br.hasTimes = entry.AcceptedAt, true
			} else if entry.AcceptedAt.Before(prev) {
				br.problems = append(br.problems, backdated(idx, entry, prev))
			}
			prev = entry.AcceptedAt
			br.last = prev
		}
		if recs := a.byBundle[int64(k)]; len(recs) > 0 {
			p, incl := checkRecords(recs, entries, start)
			br.problems = append(br.problems, p...)
			br.incl = incl
		}
		return nil
	})
	if err != nil {
		return err
	}
	a.res.Entries = size

	var last time.Time
	tilesComplete := true
	for k := range bundles {
		b := &bundles[k]
		if b.hasTimes && b.first.Before(last) {
			idx := int64(k) * ledger.TileWidth
			b.problems = append([]Problem{backdated(idx, ledger.Entry{ID: a.entryID(ctx, idx), AcceptedAt: b.first}, last)}, b.problems...)
		}
		if b.hasTimes {
			last = b.last
		}
		tilesComplete = tilesComplete && b.tileOK
		for _, p := range b.problems {
			a.res.addProblem(p)
		}
	}

	entriesRoot := rootOf(leaves)
	if entriesRoot != a.cp.Root {
		a.res.add(KindRoot, -1, "", "the %d entries served hash to root %s, but the checkpoint's root is %s", size, entriesRoot, a.cp.Root)
		first, count := firstDiff(leaves, served)
		switch {
		case !tilesComplete:
			// The fetch problems are reported; there is nothing to locate with.
		case rootOf(served) == a.cp.Root && first >= 0:
			a.res.add(KindEntry, first, a.entryID(ctx, first), "the entry differs from the leaf the checkpoint commits to: it was altered, deleted, inserted or moved (%d entries differ from their committed leaf hashes)", count)
		case first >= 0:
			a.res.add(KindTile, first, a.entryID(ctx, first), "the hash tiles do not match the checkpoint either; entries and tiles first disagree here (%d leaves disagree)", count)
		default:
			a.res.add(KindTile, -1, "", "the hash tiles match the entries but not the checkpoint: the log's stored hashes and entries were both rewritten")
		}
		// Records are not proved by the recomputed tree: prove each.
		var incl []inclusion
		for _, b := range bundles {
			incl = append(incl, b.incl...)
		}
		return a.proveInclusion(ctx, incl)
	}

	// The entries are those the checkpoint commits to, so every record
	// checked above is included, and every served hash must equal the one
	// recomputed from the entries.
	if tilesComplete {
		if first, count := firstDiff(leaves, served); first >= 0 {
			n := first / ledger.TileWidth
			a.res.add(KindTile, first, a.entryID(ctx, first), "the leaf hash served in tile %s differs from the hash of the entry: the stored hashes were altered (%d leaf hashes differ)", ledger.TilePath(tlog.Tile{H: ledger.TileHeight, L: 0, N: n, W: a.tiles.width(0, n)}), count)
		}
	}
	level := leaves
	for l := 1; len(level) >= ledger.TileWidth; l++ {
		next := make([]tlog.Hash, len(level)/ledger.TileWidth)
		for j := range next {
			next[j] = rootOf(level[j*ledger.TileWidth : (j+1)*ledger.TileWidth])
		}
		for n := int64(0); n*ledger.TileWidth < int64(len(next)); n++ {
			data, err := a.tiles.tile(ctx, l, n)
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				a.res.add(KindFetch, -1, "", "hash tile at level %d, index %d: %v", l, n, err)
				continue
			}
			for i := 0; i*tlog.HashSize < len(data); i++ {
				j := n*ledger.TileWidth + int64(i)
				if string(data[i*tlog.HashSize:(i+1)*tlog.HashSize]) != string(next[j][:]) {
					span := int64(1) << (8 * l)
					path := ledger.TilePath(tlog.Tile{H: ledger.TileHeight, L: l, N: n, W: len(data) / tlog.HashSize})
					a.res.add(KindTile, j*span, "", "hash %d of tile %s (covering entries %d to %d) differs from the hash recomputed from the entries: the stored hashes were altered", i, path, j*span, (j+1)*span-1)
					break
				}
			}
		}
		level = next
	}
	return nil
}

func backdated(idx int64, e ledger.Entry, prev time.Time) Problem {
	return problem(KindOrder, idx, e.ID, "accepted_at %s is earlier than %s of the entry before it (back-dated)",
		e.AcceptedAt.Format(time.RFC3339Nano), prev.Format(time.RFC3339Nano))
}

// checkRecords checks records against the entries of the bundle starting at
// index start, and returns the problems found and the inclusions to prove.
func checkRecords(recs []Record, entries [][]byte, start int64) ([]Problem, []inclusion) {
	var probs []Problem
	var incl []inclusion
	for _, r := range recs {
		off := r.Index - start
		if off >= int64(len(entries)) {
			probs = append(probs, problem(KindRecord, r.Index, r.ID, "the ledger serves no entry at this index"))
			continue
		}
		leaf := entries[off]
		incl = append(incl, inclusion{id: r.ID, index: r.Index, hash: ledger.LeafHash(leaf)})
		e, err := ledger.ParseEntry(leaf)
		if err != nil {
			probs = append(probs, problem(KindRecord, r.Index, r.ID, "malformed entry: %v", err))
			continue
		}
		if e.ID != r.ID {
			probs = append(probs, problem(KindRecord, r.Index, r.ID, "the entry at this index is for id %s, not this record", e.ID))
			continue
		}
		if r.Type != "" && e.Type != r.Type {
			probs = append(probs, problem(KindRecord, r.Index, r.ID, "the entry has type %s, the record %s", e.Type, r.Type))
		}
		if err := ledger.VerifyCommitment(e.Commitment, r.Salt, r.Canonical); err != nil {
			probs = append(probs, problem(KindRecord, r.Index, r.ID, "the record does not match its commitment in the ledger: it or its salt was altered after it was logged (%v)", err))
		}
	}
	return probs, incl
}

// proveInclusion proves with tiles that each entry is in the checkpoint.
func (a *auditor) proveInclusion(ctx context.Context, incl []inclusion) error {
	probs := make([]*Problem, len(incl))
	err := parallel(ctx, len(incl), a.conc, func(i int) error {
		in := incl[i]
		if err := a.tiles.verifyInclusion(ctx, in.hash, in.index, a.cp.Root); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			p := problem(KindRecord, in.index, in.id, "the entry is not included in the checkpoint of size %d: %v", a.cp.Size, err)
			probs[i] = &p
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, p := range probs {
		if p != nil {
			a.res.addProblem(*p)
		}
	}
	return nil
}

// records checks the records without a full audit: it fetches only the
// bundles that hold their entries, and proves inclusion from tiles.
func (a *auditor) records(ctx context.Context) error {
	ks := make([]int64, 0, len(a.byBundle))
	for k := range a.byBundle {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	results := make([][]Problem, len(ks))
	incls := make([][]inclusion, len(ks))
	err := parallel(ctx, len(ks), a.conc, func(i int) error {
		k := ks[i]
		recs := a.byBundle[k]
		w := a.tiles.width(-1, k)
		data, err := a.f.Fetch(ctx, ledger.TilePath(tlog.Tile{H: ledger.TileHeight, L: -1, N: k, W: w}))
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			for _, r := range recs {
				results[i] = append(results[i], problem(KindFetch, r.Index, r.ID, "entry bundle: %v", err))
			}
			return nil
		}
		entries, err := ledger.ParseEntryBundle(data)
		if err != nil {
			results[i] = append(results[i], problem(KindEntry, k*ledger.TileWidth, "", "entry bundle: %v", err))
		}
		p, in := checkRecords(recs, entries, k*ledger.TileWidth)
		results[i], incls[i] = append(results[i], p...), in
		return nil
	})
	if err != nil {
		return err
	}
	var incl []inclusion
	for i := range ks {
		for _, p := range results[i] {
			a.res.addProblem(p)
		}
		incl = append(incl, incls[i]...)
	}
	return a.proveInclusion(ctx, incl)
}

// entryID returns the id of the entry at index idx as served, or "" if it
// cannot be read. It only names entries in problems.
func (a *auditor) entryID(ctx context.Context, idx int64) string {
	if idx < 0 || idx >= a.cp.Size {
		return ""
	}
	data, err := a.tiles.tile(ctx, -1, idx/ledger.TileWidth)
	if err != nil {
		return ""
	}
	entries, err := ledger.ParseEntryBundle(data)
	if err != nil || int(idx%ledger.TileWidth) >= len(entries) {
		return ""
	}
	e, err := ledger.ParseEntry(entries[idx%ledger.TileWidth])
	if err != nil {
		return ""
	}
	return e.ID
}

// rootOf returns the RFC 6962 root of leaf hashes, computed with
// transparency-dev/merkle's compact ranges.
func rootOf(leaves []tlog.Hash) tlog.Hash {
	var root tlog.Hash
	if len(leaves) == 0 {
		copy(root[:], hasher.EmptyRoot())
		return root
	}
	rf := compact.RangeFactory{Hash: hasher.HashChildren}
	r := rf.NewEmptyRange(0)
	for i := range leaves {
		r.Append(leaves[i][:], nil) // cannot fail on a range from 0
	}
	h, _ := r.GetRootHash(nil)
	copy(root[:], h)
	return root
}

// firstDiff returns the first index where a and b differ and how many do,
// or -1 and 0.
func firstDiff(a, b []tlog.Hash) (first int64, count int) {
	first = -1
	for i := range a {
		if a[i] != b[i] {
			if first < 0 {
				first = int64(i)
			}
			count++
		}
	}
	return first, count
}
