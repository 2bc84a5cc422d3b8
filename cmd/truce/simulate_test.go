package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestSimulateThenEval(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sim")
	out, err := runCmd(t, "simulate", "-out", dir, "-seed", "5")
	if err != nil || !strings.Contains(out, "wrote") {
		t.Fatalf("simulate: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "truth.json")); err != nil {
		t.Fatal(err)
	}
	out, err = runCmd(t, "eval", "-dir", dir)
	if err != nil {
		t.Fatalf("eval: %v\n%s", err, out)
	}
	f1 := map[string]float64{}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) >= 7 {
			if v, err := strconv.ParseFloat(f[len(f)-2], 64); err == nil {
				f1[f[0]] = v
			}
		}
	}
	if f1["fusion"] == 0 || f1["fusion"] < f1["dbscan-tuned-on-truth"] {
		t.Errorf("fusion F1 %v, DBSCAN tuned on the truth %v: fusion must be at least as good\n%s", f1["fusion"], f1["dbscan-tuned-on-truth"], out)
	}

	// The files are what monitors would upload: they import as they are.
	db := "sqlite:" + filepath.Join(t.TempDir(), "t.db")
	tok, err := runCmd(t, "user", "add", "-db", db, "-role", "monitor", "-org", "mission", "-name", "Mission uploads")
	if err != nil {
		t.Fatal(err)
	}
	out, err = runCmd(t, "import", "-db", db, "-token", lastLine(tok), filepath.Join(dir, "mission.jsonl"))
	if err != nil || !strings.Contains(out, " 0 rejected") {
		t.Errorf("import of a simulated file: %v\n%s", err, out)
	}
	for _, bad := range [][]string{{"simulate"}, {"simulate", "-out", dir, "-scenario", "war"}, {"eval"}, {"eval", "-dir", t.TempDir()}} {
		if _, err := runCmd(t, bad...); err == nil {
			t.Errorf("%v succeeded", bad)
		}
	}
}
