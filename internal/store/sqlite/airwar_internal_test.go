package sqlite

import (
	"bytes"
	"testing"
	"time"

	"truce/internal/store/storetest"
)

// TestWithAcceptedIsCanonical checks the shortcut WriteBulletins and
// WriteAlerts take against a general RFC 8785 encoding of every shipped
// record.
func TestWithAcceptedIsCanonical(t *testing.T) {
	at := time.Date(2025, 8, 1, 12, 0, 0, 123456789, time.UTC)
	check := func(id string, rec any, set func()) {
		content, err := canonical(rec)
		if err != nil {
			t.Fatal(err)
		}
		got := withAccepted(content, at)
		set()
		want, err := canonical(rec)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%s:\n got %s\nwant %s", id, got, want)
		}
	}
	for _, b := range storetest.ShippedBulletins(t) {
		r := newBulletinRecord(b)
		check(b.ID, &r, func() { r.AcceptedAt = at.Format(time.RFC3339Nano) })
	}
	for _, a := range storetest.ShippedAlerts(t) {
		r := newAlertRecord(a)
		check(a.ID, &r, func() { r.AcceptedAt = at.Format(time.RFC3339Nano) })
	}
}
