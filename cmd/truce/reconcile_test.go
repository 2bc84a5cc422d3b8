package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReconcileGolden runs 'truce reconcile' on the hand-made lists of
// internal/person/testdata; b.csv has a row with an impossible date. The
// golden file is rewritten by 'go test ./internal/person -update'.
func TestReconcileGolden(t *testing.T) {
	dir := filepath.Join("..", "..", "internal", "person", "testdata")
	var out, errOut bytes.Buffer
	err := run(t.Context(), []string{"reconcile", "-a", filepath.Join(dir, "a.csv"), "-b", filepath.Join(dir, "b.csv"),
		"-history", filepath.Join(dir, "history.csv"), "-format", "json"}, &out, &errOut)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join(dir, "reconcile.golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("got\n%s\nwant\n%s", out.Bytes(), want)
	}
	if got := errOut.String(); !strings.Contains(got, "b.csv: line 9: birth_date:") || strings.Count(got, "\n") != 1 {
		t.Errorf("stderr: got %q, want one bad row, line 9, birth_date", got)
	}
}

func TestReconcileMalformed(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := write("a.csv", "id,family_name,given_name,birth_date,category\n"+
		"1,Лисенко,Олександр,1985-03-12,pow\n"+
		"2,\"Мель\"ник,Євген,2001-02-14,pow\n"+
		"3,Мельник,Євген,2001-02-14,sailor\n")
	b := write("b.csv", "id,latin_name,birth_date\nx,LYSENKO Aleksandr,1985-03-12\n")
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"reconcile", "-a", a, "-b", b}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"b": "x"`) {
		t.Errorf("the good rows were not reconciled:\n%s", out.String())
	}
	for _, want := range []string{"line 3: row: malformed csv", "line 4: category:"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr %q lacks %q", errOut.String(), want)
		}
	}
	if strings.Contains(errOut.String(), "Мель") {
		t.Errorf("stderr repeats personal data: %q", errOut.String())
	}

	bad := write("bad.csv", "family_name\nЛисенко\n")
	for _, args := range [][]string{
		{"reconcile"},
		{"reconcile", "-a", a},
		{"reconcile", "-a", bad, "-b", b},
		{"reconcile", "-a", a, "-b", filepath.Join(dir, "missing.csv")},
		{"reconcile", "-a", a, "-b", b, "-format", "xml"},
	} {
		if _, err := runCmd(t, args...); err == nil {
			t.Errorf("%v succeeded", args)
		}
	}
}

func TestReconcileGenerateEval(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lists")
	if out, err := runCmd(t, "reconcile", "-generate", dir, "-seed", "3", "-n", "300"); err != nil || !strings.Contains(out, "wrote") {
		t.Fatalf("generate: %v\n%s", err, out)
	}
	out, err := runCmd(t, "reconcile", "-eval", dir)
	if err != nil || !strings.Contains(out, "precision") || !strings.Contains(out, "duplicates") {
		t.Fatalf("eval: %v\n%s", err, out)
	}
}

func TestImportPersons(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "t.db")
	csv, err := os.ReadFile("../../internal/person/testdata/a.csv")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "ua.csv")
	os.WriteFile(path, append(csv, []byte("UA-99,Коваль,Іван,,,1987-02-30,,,pow,held\n")...), 0o600)
	out, err := runCmd(t, "import", "-db", db, "-format", "persons", "-party", "UA", "-purpose", "exchange", path)
	if err != nil || !strings.Contains(out, "1 rows rejected") || !strings.Contains(out, "birth_date") {
		t.Errorf("import: %v\n%s", err, out)
	}
	if strings.Contains(out, "Коваль") {
		t.Errorf("the summary repeats personal data:\n%s", out)
	}
	if _, err := runCmd(t, "import", "-db", db, "-format", "persons", "-party", "Ukraine", path); err == nil {
		t.Error("a list without a party code was imported")
	}
	empty := filepath.Join(dir, "empty.csv")
	os.WriteFile(empty, []byte("id,family_name,given_name,patronymic,latin_name,birth_date,birth_place,service_number,category,status\n"), 0o600)
	if _, err := runCmd(t, "import", "-db", db, "-format", "persons", "-party", "UA", empty); err == nil {
		t.Error("an empty list was imported")
	}
}
