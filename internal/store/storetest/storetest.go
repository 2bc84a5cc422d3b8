// Package storetest is the conformance suite every truce store passes: the
// SQLite store always, the PostgreSQL store when a database is at hand. It
// tests behaviour through the store's methods only.
package storetest

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"truce/internal/airwar"
	"truce/internal/auth"
	"truce/internal/derrors"
	"truce/internal/incident"
	"truce/internal/ledger"
	"truce/internal/observation"
)

// Store is what the suite exercises.
type Store interface {
	RecordStore
	WebhookStore
	CreateUser(ctx context.Context, u *auth.User, tokenHash [32]byte) (int64, error)
	UserByTokenHash(ctx context.Context, h [32]byte) (*auth.User, error)
	WriteObservations(ctx context.Context, recs []observation.Prepared) ([]observation.Outcome, error)
	Observation(ctx context.Context, id string, scope observation.Scope) (observation.Stored, error)
	ListObservations(ctx context.Context, f observation.Filter) ([]observation.Stored, error)
	CountObservations(ctx context.Context) (int64, error)

	ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error)
	ReadEntries(ctx context.Context, start, end int64) ([][]byte, error)
	TreeSize(ctx context.Context) (int64, error)
	SaveCheckpoint(ctx context.Context, size int64, note []byte) error
	LatestCheckpoint(ctx context.Context) ([]byte, error)
	AddCosignature(ctx context.Context, c ledger.Checkpoint, line string) error

	WriteBulletins(ctx context.Context, bs []airwar.Bulletin, accepted time.Time) ([]observation.Outcome, error)
	WriteAlerts(ctx context.Context, as []airwar.Alert, accepted time.Time) ([]observation.Outcome, error)
	Bulletins(ctx context.Context, from, to time.Time) iter.Seq2[airwar.Bulletin, error]
	Alerts(ctx context.Context, from, to time.Time) iter.Seq2[airwar.Alert, error]
	AirwarRecord(ctx context.Context, entryType, id string) (body, salt []byte, index int64, err error)
	CountAirwar(ctx context.Context) (bulletins, alerts int64, err error)

	PutFinishedIncidents(ctx context.Context, incs []incident.Incident) error
	ResetFinishedIncidents(ctx context.Context, tag string) error
	FinishedTag(ctx context.Context) (string, error)
	FinishedIncident(ctx context.Context, id string) (incident.Incident, error)
	FinishedIncidentOf(ctx context.Context, obsID string) (incident.Incident, error)
	ListFinishedIncidents(ctx context.Context, q incident.Query) ([]incident.Incident, error)
	CountFinishedIncidents(ctx context.Context) (int64, error)
}

// Run runs the suite; open must return a new, empty store for each call.
func Run(t *testing.T, open func(t *testing.T) Store) {
	t.Run("Users", func(t *testing.T) { testUsers(t, open(t)) })
	t.Run("WriteOutcomes", func(t *testing.T) { testWriteOutcomes(t, open(t)) })
	t.Run("Scopes", func(t *testing.T) { testScopes(t, open(t)) })
	t.Run("ListFiltersAndPaging", func(t *testing.T) { testList(t, open(t)) })
	t.Run("LedgerEntries", func(t *testing.T) { testLedgerEntries(t, open(t)) })
	t.Run("Checkpoints", func(t *testing.T) { testCheckpoints(t, open(t)) })
	t.Run("Airwar", func(t *testing.T) { testAirwar(t, open(t)) })
	t.Run("Records", func(t *testing.T) { testRecords(t, open(t)) })
	t.Run("FinishedIncidents", func(t *testing.T) { testFinishedIncidents(t, open) })
	RunWebhooks(t, func(t *testing.T) WebhookStore { return open(t) })
}

func testUsers(t *testing.T, s Store) {
	ctx := t.Context()
	pub, _, _ := ed25519.GenerateKey(nil)
	tok, hash, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	want := &auth.User{Name: "Patrol 1", Role: auth.Monitor, Org: "Mission", PublicKey: pub}
	id, err := s.CreateUser(ctx, want, hash)
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	got, err := s.UserByTokenHash(ctx, auth.HashToken(tok))
	if err != nil {
		t.Fatalf("UserByTokenHash: %v", err)
	}
	if got.ID != id || got.Name != want.Name || got.Role != want.Role || got.Org != want.Org || !got.PublicKey.Equal(pub) {
		t.Errorf("got %+v, want %+v with id %d", got, want, id)
	}
	if _, err := s.UserByTokenHash(ctx, auth.HashToken(tok+"x")); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("unknown token: got %v, want ErrNotFound", err)
	}
	if _, err := s.CreateUser(ctx, &auth.User{Name: "x", Role: "general", Org: "o"}, [32]byte{1}); !errors.Is(err, derrors.ErrInvalid) {
		t.Errorf("bad role: got %v, want ErrInvalid", err)
	}
	if _, err := s.CreateUser(ctx, &auth.User{Name: "Again", Role: auth.Analyst, Org: "Mission"}, hash); err == nil {
		t.Errorf("a second user with the same token hash was created")
	}
}

// Rec returns a prepared record for tests: id n, observed n minutes after
// base, by org (and party, if not empty).
func Rec(t testing.TB, n int, base time.Time, org, party string, domain observation.Domain, kind observation.Kind) observation.Prepared {
	t.Helper()
	lat, lon := 47.5+float64(n)/1000, 35.5
	o := observation.Observation{
		ID:         fmt.Sprintf("00000000-0000-4000-8000-%012d", n),
		ObservedAt: base.Add(time.Duration(n) * time.Minute), Lat: &lat, Lon: &lon,
		Domain: domain, Kind: kind, Count: 1, Source: observation.Patrol,
	}
	r := observation.Record{Observation: o, Organization: org, Party: party, SubmitterID: 1, AcceptedAt: base}
	if party != "" {
		r.Source = observation.Party
	}
	return observation.Prepare(r)
}

var base = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)

func testWriteOutcomes(t *testing.T, s Store) {
	ctx := t.Context()
	a := Rec(t, 1, base, "Mission", "", observation.Land, "artillery")
	b := Rec(t, 2, base, "Mission", "", observation.Land, "mortar")
	changed := Rec(t, 1, base, "Mission", "", observation.Land, "mlrs") // same id as a, other content
	out, err := s.WriteObservations(ctx, []observation.Prepared{a, b, a, changed})
	if err != nil {
		t.Fatal(err)
	}
	want := []observation.Outcome{observation.Created, observation.Created, observation.Duplicate, observation.Conflict}
	if fmt.Sprint(out) != fmt.Sprint(want) {
		t.Errorf("outcomes: got %v, want %v", out, want)
	}
	out, err = s.WriteObservations(ctx, []observation.Prepared{b, changed})
	if err != nil {
		t.Fatal(err)
	}
	if want := []observation.Outcome{observation.Duplicate, observation.Conflict}; fmt.Sprint(out) != fmt.Sprint(want) {
		t.Errorf("second write: got %v, want %v", out, want)
	}
	if n, _ := s.CountObservations(ctx); n != 2 {
		t.Errorf("count: got %d, want 2", n)
	}
	st, err := s.Observation(ctx, a.ID, observation.Scope{All: true})
	if err != nil {
		t.Fatal(err)
	}
	if string(st.Body) != string(a.Body) {
		t.Errorf("body: got %s, want %s", st.Body, a.Body)
	}
	var r observation.Record
	if err := json.Unmarshal(st.Body, &r); err != nil || r.Kind != "artillery" {
		t.Errorf("stored record: %v, kind %q; the conflicting write must not have replaced it", err, r.Kind)
	}
}

func testScopes(t *testing.T, s Store) {
	ctx := t.Context()
	recs := []observation.Prepared{
		Rec(t, 1, base, "Mission", "", observation.Land, "artillery"),
		Rec(t, 2, base, "Sensors", "", observation.Land, "artillery"),
		Rec(t, 3, base, "UA", "UA", observation.Land, "artillery"),
		Rec(t, 4, base, "RU", "RU", observation.Land, "artillery"),
		Rec(t, 5, base, "UA", "", observation.Land, "artillery"), // a monitoring organisation that happens to be called UA
	}
	if _, err := s.WriteObservations(ctx, recs); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		scope observation.Scope
		want  []int
	}{
		{"all", observation.Scope{All: true}, []int{1, 2, 3, 4, 5}},
		{"org Mission", observation.Scope{Org: "Mission"}, []int{1}},
		{"org UA is not party UA", observation.Scope{Org: "UA"}, []int{5}},
		{"party UA", observation.Scope{Party: "UA"}, []int{3}},
		{"party RU", observation.Scope{Party: "RU"}, []int{4}},
		{"zero scope", observation.Scope{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := s.ListObservations(ctx, observation.Filter{Scope: tt.scope, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, r := range rows {
				got = append(got, int(r.ObservedAt.Sub(base)/time.Minute))
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("list: got %v, want %v", got, tt.want)
			}
			for i, r := range recs {
				_, err := s.Observation(ctx, r.ID, tt.scope)
				visible := contains(tt.want, i+1)
				if visible && err != nil || !visible && !errors.Is(err, derrors.ErrNotFound) {
					t.Errorf("get %d: err %v, want visible=%v", i+1, err, visible)
				}
			}
		})
	}
}

func contains(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func testList(t *testing.T, s Store) {
	ctx := t.Context()
	var recs []observation.Prepared
	for n := 1; n <= 250; n++ {
		d, k := observation.Land, observation.Kind("artillery")
		if n%5 == 0 {
			d, k = observation.Air, "drone"
		}
		recs = append(recs, Rec(t, n, base, "Mission", "", d, k))
	}
	// Written in reverse so that arrival order differs from time order.
	for i, j := 0, len(recs)-1; i < j; i, j = i+1, j-1 {
		recs[i], recs[j] = recs[j], recs[i]
	}
	if _, err := s.WriteObservations(ctx, recs); err != nil {
		t.Fatal(err)
	}
	all := observation.Scope{All: true}
	tests := []struct {
		name   string
		f      observation.Filter
		want   int
		first  int
		sorted bool
	}{
		{"everything", observation.Filter{}, 250, 1, true},
		{"from", observation.Filter{From: base.Add(100 * time.Minute)}, 151, 100, true},
		{"from to", observation.Filter{From: base.Add(10 * time.Minute), To: base.Add(20 * time.Minute)}, 10, 10, true},
		{"domain air", observation.Filter{Domain: observation.Air}, 50, 5, true},
		{"kind", observation.Filter{Kind: "artillery"}, 200, 1, true},
		{"source", observation.Filter{Source: observation.Camera}, 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.f
			f.Scope, f.Limit = all, 7
			var got []observation.Stored
			for pages := 0; ; pages++ {
				if pages > 100 {
					t.Fatal("paging does not end")
				}
				rows, err := s.ListObservations(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				if len(rows) > 7 {
					t.Fatalf("page of %d rows, limit 7", len(rows))
				}
				got = append(got, rows...)
				if len(rows) < 7 {
					break
				}
				last := rows[len(rows)-1]
				f.After = &observation.Position{ObservedAt: last.ObservedAt, Seq: last.Seq}
			}
			if len(got) != tt.want {
				t.Fatalf("got %d rows, want %d", len(got), tt.want)
			}
			seen := map[string]bool{}
			for i, r := range got {
				if seen[r.ID] {
					t.Fatalf("row %s listed twice", r.ID)
				}
				seen[r.ID] = true
				if i > 0 && r.ObservedAt.Before(got[i-1].ObservedAt) {
					t.Fatalf("rows out of time order at %d", i)
				}
			}
			if len(got) > 0 && int(got[0].ObservedAt.Sub(base)/time.Minute) != tt.first {
				t.Errorf("first row at minute %v, want %d", got[0].ObservedAt.Sub(base), tt.first)
			}
		})
	}
}

// testLedgerEntries checks that every new record, and only new records, gets
// an entry in the same write; that entries commit to the stored bytes; that
// the stored hashes give the RFC 6962 root of the leaves; and that accepted
// times never decrease along the ledger.
func testLedgerEntries(t *testing.T, s Store) {
	ctx := t.Context()
	late := Rec(t, 1, base, "Mission", "", observation.Land, "artillery")
	early := Rec(t, 2, base, "Mission", "", observation.Land, "mortar")
	late.AcceptedAt = base.Add(time.Hour)
	late = observation.Prepare(late.Record)
	early.AcceptedAt = base // accepted "before" late, but written after it
	early = observation.Prepare(early.Record)
	if _, err := s.WriteObservations(ctx, []observation.Prepared{late}); err != nil {
		t.Fatal(err)
	}
	var batch []observation.Prepared
	for n := 3; n <= 40; n++ {
		batch = append(batch, Rec(t, n, base, "UA", "UA", observation.Air, "drone"))
	}
	batch = append(batch, early, late, batch[0]) // a new one, a duplicate, a duplicate within the batch
	if _, err := s.WriteObservations(ctx, batch); err != nil {
		t.Fatal(err)
	}
	size, err := s.TreeSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if size != 40 {
		t.Fatalf("tree size %d, want 40 (one entry per new record)", size)
	}
	leaves, err := s.ReadEntries(ctx, 0, size)
	if err != nil || int64(len(leaves)) != size {
		t.Fatalf("read %d entries (%v), want %d", len(leaves), err, size)
	}
	var prev time.Time
	for i, leaf := range leaves {
		e, err := ledger.ParseEntry(leaf)
		if err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
		if e.Type != "observation" {
			t.Errorf("entry %d: type %q", i, e.Type)
		}
		if e.AcceptedAt.Before(prev) {
			t.Errorf("entry %d: accepted at %v, before the previous entry's %v", i, e.AcceptedAt, prev)
		}
		prev = e.AcceptedAt
		st, err := s.Observation(ctx, e.ID, observation.Scope{All: true})
		if err != nil {
			t.Fatalf("entry %d: record %s: %v", i, e.ID, err)
		}
		if st.LedgerIndex != int64(i) {
			t.Errorf("record %s: ledger index %d, want %d", e.ID, st.LedgerIndex, i)
		}
		if err := ledger.VerifyCommitment(e.Commitment, st.Salt, st.Body); err != nil {
			t.Errorf("record %s: %v", e.ID, err)
		}
		var r observation.Record
		if err := json.Unmarshal(st.Body, &r); err != nil || !r.AcceptedAt.Equal(e.AcceptedAt) {
			t.Errorf("record %s: accepted_at %v in the record, %v in its entry (%v)", e.ID, r.AcceptedAt, e.AcceptedAt, err)
		}
	}
	for _, n := range []int64{1, 2, 7, 32, 40} {
		got, err := ledger.RootHash(ctx, s, n)
		if err != nil {
			t.Fatal(err)
		}
		if want := mth(leaves[:n]); got != want {
			t.Errorf("root of size %d: got %v, want %v", n, got, want)
		}
	}
}

// mth is RFC 6962's Merkle Tree Hash, written out plainly as the reference.
func mth(leaves [][]byte) tlog.Hash {
	if len(leaves) == 1 {
		return sha256.Sum256(append([]byte{0}, leaves[0]...))
	}
	k := 1
	for k*2 < len(leaves) {
		k *= 2
	}
	l, r := mth(leaves[:k]), mth(leaves[k:])
	return sha256.Sum256(append(append([]byte{1}, l[:]...), r[:]...))
}

func testCheckpoints(t *testing.T, s Store) {
	ctx := t.Context()
	if _, err := s.LatestCheckpoint(ctx); !errors.Is(err, ledger.ErrNotFound) {
		t.Errorf("no checkpoint yet: got %v, want ErrNotFound", err)
	}
	skey, _, err := ledger.GenerateKey("example.org/log")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	var notes [][]byte
	for _, size := range []int64{0, 5} {
		n, err := ledger.SignCheckpoint(signer, "example.org/log", size, tlog.Hash{byte(size)})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SaveCheckpoint(ctx, size, n); err != nil {
			t.Fatal(err)
		}
		notes = append(notes, n)
	}
	if err := s.SaveCheckpoint(ctx, 5, notes[1]); err == nil {
		t.Error("a second checkpoint of the same size was saved")
	}
	wskey, wvkey, _ := ledger.GenerateWitnessKey("witness.example.org")
	w, err := ledger.NewWitnessSigner(wskey, func() time.Time { return base })
	if err != nil {
		t.Fatal(err)
	}
	line, err := ledger.Cosign(notes[1], w)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := ledger.ParseCheckpoint(ledger.Checkpoint{Origin: "example.org/log", Size: 5, Root: tlog.Hash{5}}.Text())
	if err := s.AddCosignature(ctx, c, line); err != nil {
		t.Fatal(err)
	}
	if err := s.AddCosignature(ctx, c, line); err != nil { // again: replaces, does not duplicate
		t.Fatal(err)
	}
	other := c
	other.Root = tlog.Hash{9}
	if err := s.AddCosignature(ctx, other, line); !errors.Is(err, ledger.ErrNotFound) {
		t.Errorf("cosignature of a checkpoint the log did not sign: got %v, want ErrNotFound", err)
	}
	latest, err := s.LatestCheckpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wv, _ := ledger.NewWitnessVerifier(wvkey)
	if n, err := ledger.CountCosignatures(latest, []note.Verifier{wv}); err != nil || n != 1 {
		t.Errorf("latest checkpoint has %d valid cosignatures (%v), want 1:\n%s", n, err, latest)
	}
	if size, _ := ledger.CheckpointSize(latest); size != 5 {
		t.Errorf("latest checkpoint has size %d, want 5", size)
	}
}
