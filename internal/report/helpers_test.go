package report_test

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"truce/data"
	"truce/internal/airwar"
	"truce/internal/region"
	"truce/internal/report"
	"truce/internal/store/sqlite"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// shipped is a database holding all the shipped bulletins and alerts,
// opened once for the package's tests (they only read it).
var shipped = sync.OnceValues(func() (*sqlite.Store, error) {
	dir, err := os.MkdirTemp("", "truce-report-test-")
	if err != nil {
		return nil, err
	}
	s, err := sqlite.Open(context.Background(), filepath.Join(dir, "truce.db"))
	if err != nil {
		return nil, err
	}
	bs, as, err := readShipped()
	if err != nil {
		return nil, err
	}
	accepted := time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC)
	if _, err := s.WriteBulletins(context.Background(), bs, accepted); err != nil {
		return nil, err
	}
	if _, err := s.WriteAlerts(context.Background(), as, accepted); err != nil {
		return nil, err
	}
	return s, nil
})

// readShipped reads every shipped bulletin and alert with package airwar.
func readShipped() ([]airwar.Bulletin, []airwar.Alert, error) {
	wf, err := data.FS().Open(data.Weapons)
	if err != nil {
		return nil, nil, err
	}
	defer wf.Close()
	weapons, _, err := airwar.ReadWeapons(wf)
	if err != nil {
		return nil, nil, err
	}
	f, err := data.FS().Open(data.Bulletins)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	bs, bad, err := airwar.ReadBulletins(f, weapons)
	if err != nil || len(bad) > 0 {
		return nil, nil, fmt.Errorf("bulletins: %v %v", err, bad)
	}
	var as []airwar.Alert
	for _, name := range []string{data.AlertsOfficial2024, data.AlertsVolunteer2024, data.AlertsMerged2025} {
		f, err := data.FS().Open(name)
		if err != nil {
			return nil, nil, err
		}
		a, bad, err := airwar.ReadAlerts(f)
		f.Close()
		if err != nil || len(bad) > 0 {
			return nil, nil, fmt.Errorf("%s: %v %v", name, err, bad)
		}
		as = append(as, a...)
	}
	return bs, as, nil
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if s, err := shipped(); err == nil {
		s.Close()
	}
	os.Exit(code)
}

func store(t testing.TB) *sqlite.Store {
	t.Helper()
	s, err := shipped()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func boundaries(t testing.TB) *region.Boundaries {
	t.Helper()
	f, err := data.FS().Open(data.Oblasts)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := region.LoadBoundaries(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// dailyReport loads and builds the report of day (YYYY-MM-DD) from the
// shipped data.
func dailyReport(t testing.TB, day string) report.Report {
	t.Helper()
	d, err := airwar.ParseDay(day)
	if err != nil {
		t.Fatal(err)
	}
	in, err := report.Load(context.Background(), store(t), d)
	if err != nil {
		t.Fatal(err)
	}
	return report.Build(in)
}

func readData(t testing.TB, name string) string {
	t.Helper()
	b, err := fs.ReadFile(data.FS(), name)
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(string(b), "\r\n", "\n")
}
