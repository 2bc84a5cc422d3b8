package airwar

import (
	"bytes"
	"testing"
	"time"

	"truce/data"
)

// TestWithAcceptedIsCanonical checks the shortcut the stores take
// (WithAccepted on the content) against a general RFC 8785 encoding of
// every shipped record with its accepted time.
func TestWithAcceptedIsCanonical(t *testing.T) {
	at := time.Date(2025, 8, 1, 12, 0, 0, 123456789, time.UTC)
	check := func(id string, content []byte, rec any, set func()) {
		got := WithAccepted(content, at)
		set()
		want, err := canonical(rec)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%s:\n got %s\nwant %s", id, got, want)
		}
	}
	for _, b := range shippedBulletins(t) {
		content, err := BulletinContent(b)
		if err != nil {
			t.Fatal(err)
		}
		r := newBulletinRecord(b)
		check(b.ID, content, &r, func() { r.AcceptedAt = at.Format(time.RFC3339Nano) })
	}
	for _, name := range []string{data.AlertsOfficial2024, data.AlertsVolunteer2024, data.AlertsMerged2025} {
		for _, a := range shippedAlerts(t, name) {
			content, err := AlertContent(a)
			if err != nil {
				t.Fatal(err)
			}
			r := newAlertRecord(a)
			check(a.ID, content, &r, func() { r.AcceptedAt = at.Format(time.RFC3339Nano) })
		}
	}
}

// TestRecordRoundTrip: every shipped record reads back as it was stored,
// and bodies that are not records are refused with an error.
func TestRecordRoundTrip(t *testing.T) {
	at := time.Date(2025, 8, 1, 12, 0, 0, 0, time.UTC)
	for _, b := range shippedBulletins(t)[:200] {
		content, err := BulletinContent(b)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeBulletin(WithAccepted(content, at))
		if err != nil {
			t.Fatal(err)
		}
		again, _ := BulletinContent(got)
		if !bytes.Equal(again, content) || !got.Start.Equal(b.Start) || got.Day != b.Day {
			t.Fatalf("bulletin %s does not read back:\n%s\n%s", b.ID, content, again)
		}
	}
	for _, a := range shippedAlerts(t, data.AlertsMerged2025)[:200] {
		content, err := AlertContent(a)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeAlert(WithAccepted(content, at))
		if err != nil {
			t.Fatal(err)
		}
		again, _ := AlertContent(got)
		if !bytes.Equal(again, content) {
			t.Fatalf("alert %s does not read back:\n%s\n%s", a.ID, content, again)
		}
	}
	for _, body := range []string{`not json`, `{"start":"yesterday","end":"2025-06-01T00:00:00Z","day":"2025-06-01"}`, `[]`} {
		if _, err := DecodeBulletin([]byte(body)); err == nil {
			t.Errorf("DecodeBulletin(%s): no error", body)
		}
		if _, err := DecodeAlert([]byte(body)); err == nil {
			t.Errorf("DecodeAlert(%s): no error", body)
		}
	}
}
