package storetest

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"truce/data"
	"truce/internal/airwar"
	"truce/internal/derrors"
	"truce/internal/ledger"
	"truce/internal/observation"
)

// testAirwar checks the air war's records: idempotent writes with a ledger
// entry per new record, commitments to the stored bytes, and range reads
// that return exactly the records whose intervals meet the range.
func testAirwar(t *testing.T, s Store) {
	ctx := t.Context()
	bulletins := ShippedBulletins(t)
	alerts := ShippedAlerts(t)
	// A long alert (ten days), found only through the long-span index.
	long := airwar.Alert{ID: "00000000-0000-5000-8000-00000000001a", Feed: airwar.FeedOfficial, Region: "UA-09", Level: airwar.LevelOblast,
		Start: time.Date(2023, 12, 25, 0, 0, 0, 0, time.UTC), End: time.Date(2024, 1, 4, 0, 0, 0, 0, time.UTC), Feeds: []airwar.Feed{airwar.FeedOfficial}}
	alerts = append(alerts, long)

	accepted := time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC)
	t.Run("Write", func(t *testing.T) {
		out, err := s.WriteBulletins(ctx, bulletins, accepted)
		if err != nil {
			t.Fatal(err)
		}
		if got := countOutcomes(out); got[observation.Created] != len(bulletins) {
			t.Errorf("first bulletin write: %v, want all %d created", got, len(bulletins))
		}
		// Accepted "earlier" than the ledger's last entry: raised.
		out, err = s.WriteAlerts(ctx, alerts, accepted.Add(-time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if got := countOutcomes(out); got[observation.Created] != len(alerts) {
			t.Errorf("first alert write: %v, want all %d created", got, len(alerts))
		}
		size, err := s.TreeSize(ctx)
		if err != nil || size != int64(len(bulletins)+len(alerts)) {
			t.Fatalf("tree size %d (%v), want %d: one entry per record", size, err, len(bulletins)+len(alerts))
		}
		// Again: nothing new, no entries.
		if out, err = s.WriteBulletins(ctx, bulletins, accepted); err != nil {
			t.Fatal(err)
		}
		if got := countOutcomes(out); got[observation.Duplicate] != len(bulletins) {
			t.Errorf("second bulletin write: %v, want all %d duplicates", got, len(bulletins))
		}
		if out, err = s.WriteAlerts(ctx, alerts[:100], accepted); err != nil {
			t.Fatal(err)
		}
		if got := countOutcomes(out); got[observation.Duplicate] != 100 {
			t.Errorf("second alert write: %v, want 100 duplicates", got)
		}
		// Same id, other content; and a new row twice in one call.
		changed := bulletins[0]
		changed.Launched++
		fresh := bulletins[1]
		fresh.ID = "00000000-0000-5000-8000-0000000000b1"
		out, err = s.WriteBulletins(ctx, []airwar.Bulletin{changed, fresh, fresh}, accepted)
		if err != nil {
			t.Fatal(err)
		}
		if want := []observation.Outcome{observation.Conflict, observation.Created, observation.Duplicate}; fmt.Sprint(out) != fmt.Sprint(want) {
			t.Errorf("conflict write: got %v, want %v", out, want)
		}
		if size2, _ := s.TreeSize(ctx); size2 != size+1 {
			t.Errorf("tree size %d after one new record, want %d", size2, size+1)
		}
		bulletins = append(bulletins, fresh)
		nb, na, err := s.CountAirwar(ctx)
		if err != nil || nb != int64(len(bulletins)) || na != int64(len(alerts)) {
			t.Errorf("CountAirwar: %d, %d (%v); want %d, %d", nb, na, err, len(bulletins), len(alerts))
		}
	})

	t.Run("Ledger", func(t *testing.T) {
		size, err := s.TreeSize(ctx)
		if err != nil {
			t.Fatal(err)
		}
		leaves, err := s.ReadEntries(ctx, 0, size)
		if err != nil || int64(len(leaves)) != size {
			t.Fatalf("read %d entries (%v), want %d", len(leaves), err, size)
		}
		var prev time.Time
		types := map[string]int{}
		for i, leaf := range leaves {
			e, err := ledger.ParseEntry(leaf)
			if err != nil {
				t.Fatalf("entry %d: %v", i, err)
			}
			types[e.Type]++
			if e.AcceptedAt.Before(prev) {
				t.Errorf("entry %d: accepted at %v, before the previous entry's %v", i, e.AcceptedAt, prev)
			}
			prev = e.AcceptedAt
			body, salt, idx, err := s.AirwarRecord(ctx, e.Type, e.ID)
			if err != nil {
				t.Fatalf("entry %d: record %s %s: %v", i, e.Type, e.ID, err)
			}
			if idx != int64(i) {
				t.Errorf("%s %s: ledger index %d, want %d", e.Type, e.ID, idx, i)
			}
			if err := ledger.VerifyCommitment(e.Commitment, salt, body); err != nil {
				t.Errorf("%s %s: %v", e.Type, e.ID, err)
			}
			if !strings.Contains(string(body), `"accepted_at":"`+e.AcceptedAt.UTC().Format(time.RFC3339Nano)+`"`) {
				t.Errorf("%s %s: the record's accepted_at differs from its entry's %v: %s", e.Type, e.ID, e.AcceptedAt, body)
			}
		}
		if types["bulletin"] != len(bulletins) || types["alert"] != len(alerts) {
			t.Errorf("entry types %v, want %d bulletin and %d alert", types, len(bulletins), len(alerts))
		}
		if _, _, _, err := s.AirwarRecord(ctx, "bulletin", "00000000-0000-5000-8000-000000000000"); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("absent record: got %v, want ErrNotFound", err)
		}
		if _, _, _, err := s.AirwarRecord(ctx, "observation", bulletins[0].ID); !errors.Is(err, derrors.ErrInvalid) {
			t.Errorf("other entry type: got %v, want ErrInvalid", err)
		}
	})

	kyiv := airwar.Kyiv()
	ranges := []struct {
		name     string
		from, to time.Time
	}{
		{"1 June 2025", time.Date(2025, 6, 1, 0, 0, 0, 0, kyiv), time.Date(2025, 6, 2, 0, 0, 0, 0, kyiv)},
		{"an hour", time.Date(2025, 7, 9, 3, 0, 0, 0, kyiv), time.Date(2025, 7, 9, 4, 0, 0, 0, kyiv)},
		{"an instant", time.Date(2025, 5, 10, 12, 0, 0, 0, kyiv), time.Date(2025, 5, 10, 12, 0, 0, 0, kyiv)},
		{"3 January 2024", time.Date(2024, 1, 3, 0, 0, 0, 0, kyiv), time.Date(2024, 1, 4, 0, 0, 0, 0, kyiv)},
		{"a week", time.Date(2024, 2, 10, 0, 0, 0, 0, time.UTC), time.Date(2024, 2, 17, 0, 0, 0, 0, time.UTC)},
		{"before everything", time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC)},
		{"everything", time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	t.Run("BulletinRanges", func(t *testing.T) {
		for _, r := range ranges {
			checkRange(t, r.name, "bulletin", bulletins, r.from, r.to, s.Bulletins(ctx, r.from, r.to),
				func(b airwar.Bulletin) (time.Time, time.Time, string) { return b.Start, b.End, b.ID }, normBulletin)
		}
	})
	t.Run("AlertRanges", func(t *testing.T) {
		for _, r := range ranges {
			checkRange(t, r.name, "alert", alerts, r.from, r.to, s.Alerts(ctx, r.from, r.to),
				func(a airwar.Alert) (time.Time, time.Time, string) { return a.Start, a.End, a.ID }, normAlert)
		}
		// The long alert is found in its middle.
		mid := long.Start.Add(5 * 24 * time.Hour)
		found := false
		for a, err := range s.Alerts(ctx, mid, mid) {
			if err != nil {
				t.Fatal(err)
			}
			found = found || a.ID == long.ID
		}
		if !found {
			t.Errorf("an alert spanning ten days is not found in its middle")
		}
	})
	t.Run("StopEarly", func(t *testing.T) {
		n := 0
		for _, err := range s.Alerts(ctx, ranges[6].from, ranges[6].to) {
			if err != nil {
				t.Fatal(err)
			}
			if n++; n == 3 {
				break
			}
		}
		if n != 3 {
			t.Errorf("read %d alerts, want to stop at 3", n)
		}
	})
}

// checkRange checks what a range read of [from, to] gave (got) against
// the records of all whose intervals meet it, ordered by start, then id,
// each compared after norm.
func checkRange[T any](t *testing.T, name, what string, all []T, from, to time.Time, got iter.Seq2[T, error],
	key func(T) (start, end time.Time, id string), norm func(T) T) {
	t.Helper()
	var want []T
	for _, x := range all {
		if start, end, _ := key(x); !start.After(to) && !end.Before(from) {
			want = append(want, norm(x))
		}
	}
	slices.SortFunc(want, func(x, y T) int {
		xs, _, xid := key(x)
		ys, _, yid := key(y)
		return cmp.Or(xs.Compare(ys), cmp.Compare(xid, yid))
	})
	read, err := collect(got)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(read) != len(want) {
		t.Errorf("%s: got %d %ss, want %d", name, len(read), what, len(want))
		return
	}
	for i := range read {
		if g := norm(read[i]); !reflect.DeepEqual(g, want[i]) {
			t.Errorf("%s: %s %d:\n got %+v\nwant %+v", name, what, i, g, want[i])
			return
		}
	}
}

// ShippedBulletins reads the bulletin table shipped in package data.
func ShippedBulletins(t testing.TB) []airwar.Bulletin {
	t.Helper()
	wf, err := data.FS().Open(data.Weapons)
	if err != nil {
		t.Fatal(err)
	}
	defer wf.Close()
	weapons, _, err := airwar.ReadWeapons(wf)
	if err != nil {
		t.Fatal(err)
	}
	f, err := data.FS().Open(data.Bulletins)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	bs, bad, err := airwar.ReadBulletins(f, weapons)
	if err != nil || len(bad) > 0 {
		t.Fatalf("shipped bulletins: %v, bad rows %v", err, bad)
	}
	return bs
}

// ShippedAlerts reads the three alert files shipped in package data.
func ShippedAlerts(t testing.TB) []airwar.Alert {
	t.Helper()
	var out []airwar.Alert
	for _, name := range []string{data.AlertsOfficial2024, data.AlertsVolunteer2024, data.AlertsMerged2025} {
		b, err := fs.ReadFile(data.FS(), name)
		if err != nil {
			t.Fatal(err)
		}
		as, bad, err := airwar.ReadAlerts(strings.NewReader(string(b)))
		if err != nil || len(bad) > 0 {
			t.Fatalf("%s: %v, bad rows %v", name, err, bad)
		}
		out = append(out, as...)
	}
	return out
}

func countOutcomes(out []observation.Outcome) map[observation.Outcome]int {
	m := map[observation.Outcome]int{}
	for _, o := range out {
		m[o]++
	}
	return m
}

func collect[T any](seq iter.Seq2[T, error]) ([]T, error) {
	var out []T
	for v, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}

// normBulletin drops what a store need not keep (the line read from) and
// what does not change a value (time representation, nil against empty).
func normBulletin(b airwar.Bulletin) airwar.Bulletin {
	b.Line = 0
	b.Start, b.End = time.Unix(0, b.Start.UnixNano()).UTC(), time.Unix(0, b.End.UnixNano()).UTC()
	for _, p := range []*[]string{&b.UnknownModels, &b.LaunchPlaces, &b.Regions} {
		if len(*p) == 0 {
			*p = nil
		}
	}
	return b
}

func normAlert(a airwar.Alert) airwar.Alert {
	a.Line = 0
	a.Start, a.End = time.Unix(0, a.Start.UnixNano()).UTC(), time.Unix(0, a.End.UnixNano()).UTC()
	return a
}
