package audit_test

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"truce/internal/ledger"
	"truce/internal/ledger/audit"
	"truce/internal/ledger/ledgertest"
)

// update is accepted so that "go test ./... -update" works; this package
// has no golden files of its own (it reads ../testdata/golden).
var _ = flag.Bool("update", false, "rewrite golden files (none in this package)")

const origin = "ledger.truce.test"

// keys are the keys of the test log and its witnesses, shared by all test
// logs so that forks can be built.
type keys struct {
	log       note.Signer
	logV      note.Verifier
	witnesses []*ledger.WitnessSigner
	witnessV  []note.Verifier
}

func newKeys(t *testing.T) *keys {
	t.Helper()
	skey, vkey, err := ledger.GenerateKey(origin)
	if err != nil {
		t.Fatal(err)
	}
	k := &keys{}
	k.log, _ = note.NewSigner(skey)
	k.logV, _ = note.NewVerifier(vkey)
	for i := range 3 {
		skey, vkey, err := ledger.GenerateWitnessKey(fmt.Sprintf("witness.test/w%d", i))
		if err != nil {
			t.Fatal(err)
		}
		w, _ := ledger.NewWitnessSigner(skey, time.Now)
		v, _ := ledger.NewWitnessVerifier(vkey)
		k.witnesses = append(k.witnesses, w)
		k.witnessV = append(k.witnessV, v)
	}
	return k
}

// record returns test record i of a log variant (variants share nothing
// but the ids), its entry and the audit.Record a reader would have.
func record(i int, variant string) (ledger.Entry, audit.Record) {
	h := sha256.Sum256(fmt.Appendf(nil, "record %d", i))
	id := fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
	salt := sha256.Sum256(fmt.Appendf(nil, "salt %d %s", i, variant))
	canonical := fmt.Appendf(nil, `{"id":%q,"n":%d,"v":%q}`, id, i, variant)
	e := ledger.Entry{
		Type:       "observation",
		ID:         id,
		AcceptedAt: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second),
		Commitment: ledger.Commit(salt[:], canonical),
	}
	return e, audit.Record{ID: id, Type: "observation", Index: int64(i), Canonical: canonical, Salt: salt[:]}
}

// testLog is a served in-memory log.
type testLog struct {
	*keys
	m       *ledgertest.Memory
	srv     *httptest.Server
	f       *audit.HTTPFetcher
	records []audit.Record
}

// newLog serves a log of n records of the given variant, with a checkpoint
// cosigned by the first cosigners witnesses.
func newLog(t *testing.T, k *keys, n int, variant string, cosigners int) *testLog {
	t.Helper()
	tl := &testLog{keys: k, m: ledgertest.New()}
	tl.grow(t, n, variant)
	tl.sign(t, cosigners)
	tl.srv = httptest.NewServer(http.StripPrefix("/ledger", ledger.NewHandler(ledger.HandlerConfig{
		Checkpoints: tl.m, Reader: tl.m, Cosignatures: tl.m, LogVerifier: k.logV,
		Witness: func(r *http.Request) (note.Verifier, error) {
			for i, v := range k.witnessV {
				if r.Header.Get("Authorization") == fmt.Sprintf("Bearer w%d", i) {
					return v, nil
				}
			}
			return nil, errors.New("unknown witness")
		},
	})))
	t.Cleanup(tl.srv.Close)
	tl.f = audit.NewHTTPFetcher(tl.srv.URL+"/ledger/", nil)
	return tl
}

// grow appends records up to size n.
func (tl *testLog) grow(t *testing.T, n int, variant string) {
	t.Helper()
	var entries []ledger.Entry
	for i := len(tl.records); i < n; i++ {
		e, r := record(i, variant)
		entries = append(entries, e)
		tl.records = append(tl.records, r)
	}
	if err := tl.m.Append(t.Context(), entries...); err != nil {
		t.Fatal(err)
	}
}

// sign signs a checkpoint of the current tree, cosigned by the first
// cosigners witnesses, and returns it.
func (tl *testLog) sign(t *testing.T, cosigners int) []byte {
	t.Helper()
	cp, err := tl.m.Sign(t.Context(), tl.log)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range tl.witnesses[:cosigners] {
		line, err := ledger.Cosign(cp, w)
		if err != nil {
			t.Fatal(err)
		}
		if cp, err = ledger.AddCosignatures(cp, []byte(line)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tl.m.SetLatest(cp); err != nil {
		t.Fatal(err)
	}
	return cp
}

func (tl *testLog) opts() audit.Options {
	return audit.Options{LogVerifier: tl.logV, Witnesses: tl.witnessV, Quorum: 2}
}

func verify(t *testing.T, f audit.Fetcher, opts audit.Options) *audit.Result {
	t.Helper()
	res, err := audit.Verify(t.Context(), f, opts)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return res
}

func TestVerifyClean(t *testing.T) {
	k := newKeys(t)
	tl := newLog(t, k, 700, "a", 2)
	opts := tl.opts()
	opts.Full = true
	opts.Records = tl.records
	res := verify(t, tl.f, opts)
	if !res.OK() {
		t.Fatalf("Verify of a clean log: %v", res.Problems)
	}
	if res.Entries != 700 || res.Records != 700 || res.Cosignatures != 2 || res.Checkpoint.Size != 700 {
		t.Errorf("Verify = %d entries, %d records, %d cosignatures, size %d; want 700, 700, 2, 700", res.Entries, res.Records, res.Cosignatures, res.Checkpoint.Size)
	}
	if !bytes.Equal(res.State, res.Note) {
		t.Error("State is not the verified checkpoint")
	}

	// The log grows; the next run proves consistency with the saved state,
	// and checks records with inclusion proofs instead of a full audit.
	tl.grow(t, 1000, "a")
	tl.sign(t, 2)
	opts = tl.opts()
	opts.State = res.State
	opts.Records = append(tl.records[:3:3], tl.records[600:]...)
	res = verify(t, tl.f, opts)
	if !res.OK() {
		t.Fatalf("Verify after growth: %v", res.Problems)
	}
	if res.Records != 403 || res.Entries != 0 {
		t.Errorf("Verify = %d records, %d entries; want 403, 0", res.Records, res.Entries)
	}

	// Records accepted after the checkpoint are pending, not failures.
	tl.grow(t, 1010, "a")
	opts.State = res.State
	opts.Records = tl.records[1000:]
	res = verify(t, tl.f, opts)
	if !res.OK() || len(res.Pending) != 10 {
		t.Errorf("Verify with records beyond the checkpoint: problems %v, %d pending, want none and 10", res.Problems, len(res.Pending))
	}
}

// want is a problem a tamper test expects: its kind and where.
type want struct {
	kind  audit.Kind
	index int64
	id    int // the problem names the id of test record id, or any id (anyID), or none is required (-1)
}

const anyID = -2

func TestVerifyTamper(t *testing.T) {
	k := newKeys(t)
	const size = 600
	tests := []struct {
		name  string
		full  bool
		setup func(t *testing.T, tl *testLog) audit.Options
		want  []want
	}{
		{
			name: "entry byte changed",
			full: true,
			setup: func(t *testing.T, tl *testLog) audit.Options {
				e := tl.m.Entries[17]
				i := bytes.Index(e, []byte(`"id":"`)) + 6
				e[i] ^= 1 // another hex digit: the entry stays well-formed
				return tl.opts()
			},
			want: []want{{audit.KindRoot, -1, -1}, {audit.KindEntry, 17, anyID}},
		},
		{
			name: "entry deleted",
			full: true,
			setup: func(t *testing.T, tl *testLog) audit.Options {
				tl.m.Entries = append(tl.m.Entries[:17:17], tl.m.Entries[18:]...)
				return tl.opts()
			},
			want: []want{{audit.KindEntry, -1, -1}, {audit.KindRoot, -1, -1}, {audit.KindEntry, 17, 18}},
		},
		{
			name: "entries swapped",
			full: true,
			setup: func(t *testing.T, tl *testLog) audit.Options {
				tl.m.Entries[300], tl.m.Entries[301] = tl.m.Entries[301], tl.m.Entries[300]
				return tl.opts()
			},
			want: []want{{audit.KindOrder, 301, 300}, {audit.KindRoot, -1, -1}, {audit.KindEntry, 300, 301}},
		},
		{
			name: "commitment changed",
			full: true,
			setup: func(t *testing.T, tl *testLog) audit.Options {
				e := tl.m.Entries[42]
				i := bytes.Index(e, []byte(`"commitment":"`)) + 14
				e[i] ^= 1
				return tl.opts()
			},
			want: []want{{audit.KindRoot, -1, -1}, {audit.KindEntry, 42, 42}},
		},
		{
			name: "last entries deleted without a new checkpoint",
			full: true,
			setup: func(t *testing.T, tl *testLog) audit.Options {
				tl.m.Entries = tl.m.Entries[:590]
				return tl.opts()
			},
			want: []want{{audit.KindEntry, -1, -1}, {audit.KindRoot, -1, -1}, {audit.KindEntry, 590, -1}},
		},
		{
			name: "record edited",
			setup: func(t *testing.T, tl *testLog) audit.Options {
				o := tl.opts()
				r := tl.records[5]
				r.Canonical = bytes.Replace(r.Canonical, []byte(`"n":5`), []byte(`"n":6`), 1)
				o.Records = []audit.Record{tl.records[4], r, tl.records[6]}
				return o
			},
			want: []want{{audit.KindRecord, 5, 5}},
		},
		{
			name: "record at another index",
			setup: func(t *testing.T, tl *testLog) audit.Options {
				o := tl.opts()
				r := tl.records[5]
				r.Index = 6
				o.Records = []audit.Record{r}
				return o
			},
			want: []want{{audit.KindRecord, 6, 5}},
		},
		{
			name: "entry of a record changed, without full audit",
			setup: func(t *testing.T, tl *testLog) audit.Options {
				e := tl.m.Entries[280]
				i := bytes.Index(e, []byte(`"accepted_at":"`)) + 16
				e[i] ^= 1 // the year changes
				o := tl.opts()
				o.Records = tl.records[270:290]
				return o
			},
			want: []want{{audit.KindRecord, 280, 280}},
		},
		{
			name: "leaf hashes swapped",
			full: true,
			setup: func(t *testing.T, tl *testLog) audit.Options {
				a, b := tlog.StoredHashIndex(0, 5), tlog.StoredHashIndex(0, 6)
				tl.m.Hashes[a], tl.m.Hashes[b] = tl.m.Hashes[b], tl.m.Hashes[a]
				return tl.opts()
			},
			want: []want{{audit.KindTile, 5, 5}},
		},
		{
			name: "level-1 hash changed",
			full: true,
			setup: func(t *testing.T, tl *testLog) audit.Options {
				tl.m.Hashes[tlog.StoredHashIndex(8, 1)][0] ^= 1
				return tl.opts()
			},
			want: []want{{audit.KindTile, 256, -1}},
		},
		{
			name: "rolled back to an older checkpoint",
			setup: func(t *testing.T, tl *testLog) audit.Options {
				o := tl.opts()
				o.State = tl.sign(t, 2)
				old := tl.m.Checkpoints[500]
				if old == nil {
					t.Fatal("no checkpoint of size 500")
				}
				if err := tl.m.SetLatest(old); err != nil {
					t.Fatal(err)
				}
				return o
			},
			want: []want{{audit.KindRollback, 500, -1}},
		},
		{
			name: "log truncated and re-signed",
			setup: func(t *testing.T, tl *testLog) audit.Options {
				o := tl.opts()
				o.State = tl.sign(t, 2)
				tl.m.Entries = tl.m.Entries[:550]
				tl.m.Hashes = tl.m.Hashes[:tlog.StoredHashCount(550)]
				tl.sign(t, 2)
				return o
			},
			want: []want{{audit.KindRollback, 550, -1}},
		},
		{
			name: "fork of the same size",
			setup: func(t *testing.T, tl *testLog) audit.Options {
				other := newLog(t, tl.keys, size, "b", 2) // other records, same log key
				o := tl.opts()
				o.State, _ = other.m.LatestCheckpoint(t.Context())
				return o
			},
			want: []want{{audit.KindFork, -1, -1}},
		},
		{
			name: "fork that grew",
			setup: func(t *testing.T, tl *testLog) audit.Options {
				// A history where records from 300 on differ.
				forked := newLog(t, tl.keys, 300, "a", 0)
				forked.grow(t, 400, "b")
				o := tl.opts()
				o.State = forked.sign(t, 2)
				return o
			},
			want: []want{{audit.KindFork, -1, -1}},
		},
		{
			name: "checkpoint signed by another key",
			setup: func(t *testing.T, tl *testLog) audit.Options {
				other := newKeys(t)
				root, _ := ledger.RootHash(t.Context(), tl.m, size)
				cp, err := ledger.SignCheckpoint(other.log, origin, size, root)
				if err != nil {
					t.Fatal(err)
				}
				tl.m.SetLatest(cp)
				return tl.opts()
			},
			want: []want{{audit.KindSignature, -1, -1}},
		},
		{
			name: "checkpoint edited after signing",
			setup: func(t *testing.T, tl *testLog) audit.Options {
				cp, _ := tl.m.LatestCheckpoint(t.Context())
				cp = bytes.Replace(cp, []byte("\n600\n"), []byte("\n599\n"), 1)
				tl.m.SetLatest(cp)
				return tl.opts()
			},
			want: []want{{audit.KindSignature, -1, -1}},
		},
		{
			name: "too few witnesses",
			setup: func(t *testing.T, tl *testLog) audit.Options {
				tl.sign(t, 1)
				return tl.opts()
			},
			want: []want{{audit.KindQuorum, -1, -1}},
		},
		{
			name: "forged cosignature",
			setup: func(t *testing.T, tl *testLog) audit.Options {
				// A cosignature of another checkpoint, pasted on this one.
				old := tl.m.Checkpoints[500]
				line, _ := ledger.Cosign(old, tl.witnesses[2])
				cp, _ := tl.m.LatestCheckpoint(t.Context())
				cp, _ = ledger.AddCosignatures(cp, []byte(line))
				tl.m.SetLatest(cp)
				o := tl.opts()
				o.Quorum = 3
				return o
			},
			want: []want{{audit.KindQuorum, -1, -1}},
		},
		{
			name: "back-dated entry, validly signed",
			full: true,
			setup: func(t *testing.T, tl *testLog) audit.Options {
				e, _ := record(size, "a")
				e.AcceptedAt = time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
				if err := tl.m.Append(t.Context(), e); err != nil {
					t.Fatal(err)
				}
				tl.sign(t, 2)
				return tl.opts()
			},
			want: []want{{audit.KindOrder, size, anyID}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tl := newLog(t, k, 500, "a", 2)
			tl.grow(t, size, "a")
			tl.sign(t, 2)
			opts := tt.setup(t, tl)
			opts.Full = tt.full
			res := verify(t, tl.f, opts)
			if res.OK() {
				t.Fatal("Verify passed a tampered log")
			}
			for _, w := range tt.want {
				found := false
				for _, p := range res.Problems {
					if p.Kind != w.kind || p.Index != w.index {
						continue
					}
					switch {
					case w.id == anyID && p.RecordID == "":
						continue
					case w.id >= 0 && p.RecordID != tl.records[w.id].ID:
						continue
					}
					found = true
					if w.index >= 0 && !strings.Contains(p.String(), fmt.Sprintf("index %d", w.index)) {
						t.Errorf("problem %q does not say where", p)
					}
				}
				if !found {
					t.Errorf("no %s problem at index %d (id %d); got:\n%s", w.kind, w.index, w.id, problems(res))
				}
			}
			if tt.name == "rolled back to an older checkpoint" || strings.HasPrefix(tt.name, "fork") || tt.name == "log truncated and re-signed" {
				if !bytes.Equal(res.State, opts.State) {
					t.Error("State moved to the bad checkpoint; want the previous state kept")
				}
			}
			t.Logf("problems:\n%s", problems(res))
		})
	}
}

func problems(res *audit.Result) string {
	var b strings.Builder
	for _, p := range res.Problems {
		fmt.Fprintf(&b, "\t%s\n", p)
	}
	return b.String()
}

func TestVerifyOptions(t *testing.T) {
	k := newKeys(t)
	tl := newLog(t, k, 10, "a", 0)
	other := newKeys(t)
	cp, _ := tl.m.LatestCheckpoint(t.Context())
	tests := []struct {
		name string
		opts audit.Options
	}{
		{"no log key", audit.Options{}},
		{"quorum larger than the witnesses", audit.Options{LogVerifier: k.logV, Witnesses: k.witnessV[:1], Quorum: 2}},
		{"quorum counts keys once", audit.Options{LogVerifier: k.logV, Witnesses: []note.Verifier{k.witnessV[0], k.witnessV[0]}, Quorum: 2}},
		{"state signed by another log", audit.Options{LogVerifier: other.logV, State: cp}},
		{"state garbage", audit.Options{LogVerifier: k.logV, State: []byte("x")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := audit.Verify(t.Context(), tl.f, tt.opts); err == nil {
				t.Error("Verify() = nil error, want one")
			}
		})
	}
	// An unreachable log is a problem, not an error.
	res := verify(t, audit.NewHTTPFetcher(tl.srv.URL+"/nothing/", nil), audit.Options{LogVerifier: k.logV})
	if res.OK() || res.Problems[0].Kind != audit.KindFetch {
		t.Errorf("Verify of a missing log: %v, want a fetch problem", res.Problems)
	}
}

// TestVerifyGolden audits the golden ledger of package ledger from files,
// as "truce verify" audits an exported copy.
func TestVerifyGolden(t *testing.T) {
	const dir = "../testdata/golden"
	readKey := func(name string) string {
		b, err := os.ReadFile(dir + "/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(b))
	}
	logV, err := note.NewVerifier(readKey("log.vkey"))
	if err != nil {
		t.Fatal(err)
	}
	wv, err := ledger.NewWitnessVerifier(readKey("witness.vkey"))
	if err != nil {
		t.Fatal(err)
	}
	res := verify(t, audit.NewDirFetcher(os.DirFS(dir)), audit.Options{
		LogVerifier: logV, Witnesses: []note.Verifier{wv}, Quorum: 1, Full: true,
	})
	if !res.OK() || res.Entries != 300 {
		t.Errorf("Verify(golden) = %d entries, problems:\n%s", res.Entries, problems(res))
	}
}

func TestWitness(t *testing.T) {
	ctx := t.Context()
	k := newKeys(t)
	tl := newLog(t, k, 300, "a", 0)
	w := k.witnesses[0]

	cosigned, state, err := audit.Witness(ctx, tl.f, w, k.logV, nil)
	if err != nil {
		t.Fatalf("first Witness: %v", err)
	}
	if n, err := ledger.CountCosignatures(cosigned, k.witnessV[:1]); n != 1 || err != nil {
		t.Fatalf("cosigned checkpoint has %d valid cosignatures (%v), want 1", n, err)
	}
	// The witness posts it; the log serves it with the cosignature.
	req, _ := http.NewRequest("POST", tl.srv.URL+"/ledger/cosignature", bytes.NewReader(cosigned))
	req.Header.Set("Authorization", "Bearer w0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("POST cosignature: %s", resp.Status)
	}
	res := verify(t, tl.f, audit.Options{LogVerifier: k.logV, Witnesses: k.witnessV, Quorum: 1})
	if !res.OK() {
		t.Fatalf("Verify after cosigning: %v", res.Problems)
	}

	// The same checkpoint again, then a grown one: consistent.
	if _, state, err = audit.Witness(ctx, tl.f, w, k.logV, state); err != nil {
		t.Fatalf("Witness of the same checkpoint: %v", err)
	}
	tl.grow(t, 1000, "a")
	tl.sign(t, 0)
	if _, state, err = audit.Witness(ctx, tl.f, w, k.logV, state); err != nil {
		t.Fatalf("Witness of a grown log: %v", err)
	}

	forkSame := newLog(t, k, 1000, "b", 0)
	forkBig := newLog(t, k, 0, "a", 0)
	forkBig.grow(t, 500, "a")
	forkBig.grow(t, 1200, "c")
	forkBig.sign(t, 0)
	rolled := newLog(t, k, 900, "a", 0)
	badKey := newLog(t, newKeys(t), 1100, "a", 0)
	tests := []struct {
		name string
		f    audit.Fetcher
		want error
	}{
		{"rollback", rolled.f, audit.ErrRollback},
		{"fork of the same size", forkSame.f, audit.ErrFork},
		{"fork that grew", forkBig.f, audit.ErrFork},
		{"another log key", badKey.f, ledger.ErrSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cosigned, newState, err := audit.Witness(ctx, tt.f, w, k.logV, state)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Witness() error = %v, want %v", err, tt.want)
			}
			if cosigned != nil || newState != nil {
				t.Error("Witness refused but returned a cosignature or state")
			}
			t.Logf("refused: %v", err)
		})
	}
}

// BenchmarkVerifyFull measures a full audit (every entry bundle and tile
// fetched over HTTP from an in-memory log served in the same process, the
// tree recomputed) of a log of 1,000,000 entries, with gzip-compressed entry
// bundles (what a remote auditor uses) and without (a LAN):
//
//	go test ./internal/ledger/audit -run '^$' -bench VerifyFull -benchtime 3x
func BenchmarkVerifyFull(b *testing.B) {
	const n = 1_000_000
	skey, vkey, _ := ledger.GenerateKey(origin)
	signer, _ := note.NewSigner(skey)
	logV, _ := note.NewVerifier(vkey)
	m := ledgertest.New()
	for start := 0; start < n; start += 10_000 {
		entries := make([]ledger.Entry, 10_000)
		for i := range entries {
			entries[i], _ = record(start+i, "a")
		}
		if err := m.Append(b.Context(), entries...); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := m.Sign(b.Context(), signer); err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(ledger.NewHandler(ledger.HandlerConfig{Checkpoints: m, Reader: m}))
	defer srv.Close()
	for _, gzip := range []bool{true, false} {
		b.Run(fmt.Sprintf("gzip=%v", gzip), func(b *testing.B) {
			tr := http.DefaultTransport.(*http.Transport).Clone()
			tr.DisableCompression = !gzip
			tr.MaxIdleConnsPerHost = 16
			f := audit.NewHTTPFetcher(srv.URL, &http.Client{Transport: tr})
			for b.Loop() {
				res, err := audit.Verify(b.Context(), f, audit.Options{LogVerifier: logV, Full: true, Concurrency: 16})
				if err != nil || !res.OK() || res.Entries != n {
					b.Fatalf("Verify = %v, %v", res.Problems, err)
				}
			}
		})
	}
}
