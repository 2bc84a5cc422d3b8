package airwar

import (
	"strings"
	"testing"
	"time"
)

func TestDay(t *testing.T) {
	kyiv := Kyiv()
	tests := []struct {
		in    string
		hours float64 // length of the day in Kyiv
		next  string
	}{
		{"2025-06-01", 24, "2025-06-02"},
		{"2025-03-30", 23, "2025-03-31"}, // clocks go forward
		{"2025-10-26", 25, "2025-10-27"}, // clocks go back
		{"2024-02-28", 24, "2024-02-29"},
		{"2024-12-31", 24, "2025-01-01"},
	}
	for _, tt := range tests {
		d, err := ParseDay(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if d.String() != tt.in {
			t.Errorf("ParseDay(%q).String() = %q", tt.in, d)
		}
		if got := d.End(kyiv).Sub(d.Start(kyiv)).Hours(); got != tt.hours {
			t.Errorf("%s lasts %v h in Kyiv, want %v", tt.in, got, tt.hours)
		}
		if got := d.Next().String(); got != tt.next {
			t.Errorf("%s.Next() = %s, want %s", tt.in, got, tt.next)
		}
		if !d.Before(d.Next()) || d.Next().Before(d) || d.Before(d) {
			t.Errorf("Before is wrong around %s", tt.in)
		}
	}
	for _, bad := range []string{"", "2025-02-30", "01.06.2025", "2025-6-1"} {
		if _, err := ParseDay(bad); err == nil {
			t.Errorf("ParseDay(%q) succeeded", bad)
		}
	}
	// 21:30 UTC on 31 May is 00:30 on 1 June in Kyiv.
	if got := DayOf(time.Date(2025, 5, 31, 21, 30, 0, 0, time.UTC), kyiv).String(); got != "2025-06-01" {
		t.Errorf("DayOf = %s, want 2025-06-01", got)
	}
	if name := Kyiv().String(); name != "Europe/Kyiv" && name != "Europe/Kiev" {
		t.Errorf("Kyiv() = %s", name)
	}
	if !(Day{}).IsZero() || d(t, "2025-01-01").IsZero() {
		t.Error("IsZero is wrong")
	}
}

func d(t *testing.T, s string) Day { return mustDay(t, s) }

func TestReadWeaponsBadRows(t *testing.T) {
	in := "model,category,national_origin\nShahed-136/131,UAV,iran\n,UAV,x\nKalibr,,russia\n\"X-22,cruise missile\nKalibr,cruise missile,russia\n"
	w, bad, err := ReadWeapons(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) < 2 || bad[0].Line != 3 || bad[0].Column != "model" || bad[1].Line != 4 || bad[1].Column != "category" {
		t.Errorf("bad rows = %v", bad)
	}
	if c, ok := w.Category("shahed-136/131"); !ok || c != CategoryUAV {
		t.Errorf("Category(shahed) = %q, %v", c, ok)
	}
	if _, _, err := ReadWeapons(strings.NewReader("name,kind\n")); err == nil {
		t.Error("ReadWeapons without model/category columns succeeded")
	}
}

// TestNameUUID pins the id scheme: changing it would make re-imports add
// every row again.
func TestNameUUID(t *testing.T) {
	got := nameUUID("bulletin", "a", "b")
	if got != nameUUID("bulletin", "a", "b") || got == nameUUID("bulletin", "ab") || got == nameUUID("bulletin", "a", "b", "") {
		t.Errorf("nameUUID is not a function of its parts")
	}
	if len(got) != 36 || got[14] != '5' || !strings.ContainsRune("89ab", rune(got[19])) {
		t.Errorf("nameUUID = %s, want a version 5 RFC 9562 UUID", got)
	}
	if want := "2e7d6e6d-6820-50a3-9468-7a19b569b8be"; got != want { // Python: uuid.uuid5(uuid.NAMESPACE_URL, "truce:bulletin\x1fa\x1fb")
		t.Errorf("nameUUID(bulletin, a, b) = %s, want %s", got, want)
	}
}
