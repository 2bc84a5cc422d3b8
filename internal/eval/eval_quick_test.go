package eval

import (
	"os"
	"testing"

	"truce/internal/incident"
	"truce/internal/simulate"
)

func TestQuick(t *testing.T) {
	s, err := simulate.Generate(simulate.Default())
	if err != nil {
		t.Fatal(err)
	}
	rows, err := Compare(s, incident.Config{})
	if err != nil {
		t.Fatal(err)
	}
	WriteTable(os.Stdout, s, rows)
}
