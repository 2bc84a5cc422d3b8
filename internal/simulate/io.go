package simulate

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"truce/internal/observation"
)

// WriteJSONL writes the observations of recs as JSON Lines, one
// observation (the wire form, without the server's fields) per line.
func WriteJSONL(w io.Writer, recs []observation.Record) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	enc := json.NewEncoder(bw)
	for i := range recs {
		if err := enc.Encode(&recs[i].Observation); err != nil {
			return fmt.Errorf("simulate: write observation %s: %w", recs[i].ID, err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("simulate: write: %w", err)
	}
	return nil
}

// Label says which event one observation describes, and who sent it: what
// the server would know from the token.
type Label struct {
	Observation  string    `json:"observation"`
	Event        string    `json:"event"`
	Organization string    `json:"organization"`
	Party        string    `json:"party,omitempty"`
	SubmitterID  int64     `json:"submitter_id"`
	AcceptedAt   time.Time `json:"accepted_at"`
}

// Truth is the content of a scenario's truth file.
type Truth struct {
	Config        Config         `json:"config"`
	Organizations []Organization `json:"organizations"`
	Events        []Event        `json:"events"`
	// Labels are in arrival order.
	Labels []Label `json:"labels"`
}

// TruthOf returns the truth of s.
func (s *Scenario) TruthOf() Truth {
	t := Truth{Config: s.Config, Organizations: s.Organizations, Events: s.Events, Labels: make([]Label, len(s.Records))}
	for i := range s.Records {
		r := &s.Records[i]
		t.Labels[i] = Label{Observation: r.ID, Event: s.Events[s.Truth[i]].ID, Organization: r.Organization,
			Party: r.Party, SubmitterID: r.SubmitterID, AcceptedAt: r.AcceptedAt}
	}
	return t
}

// WriteTruth writes the truth of s as one JSON document.
func (s *Scenario) WriteTruth(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	enc := json.NewEncoder(bw)
	enc.SetIndent("", " ")
	if err := enc.Encode(s.TruthOf()); err != nil {
		return fmt.Errorf("simulate: write truth: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("simulate: write truth: %w", err)
	}
	return nil
}

// TruthFile is the name of the truth file in a scenario directory.
const TruthFile = "truth.json"

// WriteDir writes s into dir (which it creates): ORG.jsonl per
// organisation with that organisation's observations in arrival order, and
// truth.json.
func (s *Scenario) WriteDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	for _, org := range s.Organizations {
		var recs []observation.Record
		for _, r := range s.Records {
			if r.Organization == org.Name {
				recs = append(recs, r)
			}
		}
		if err := writeFile(filepath.Join(dir, org.Name+".jsonl"), func(w io.Writer) error { return WriteJSONL(w, recs) }); err != nil {
			return err
		}
	}
	return writeFile(filepath.Join(dir, TruthFile), s.WriteTruth)
}

func writeFile(name string, fn func(io.Writer) error) (err error) {
	f, err := os.Create(name)
	if err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("simulate: %w", cerr)
		}
	}()
	return fn(f)
}

// ReadDir reads back a scenario WriteDir wrote: it parses every line of
// every organisation's file with observation.Parse (now is the clock Parse
// checks future times against) and rebuilds the records from the labels.
// It returns an error naming the file and line of the first invalid
// observation, or an observation the truth does not label.
func ReadDir(dir string, now time.Time) (*Scenario, error) {
	f, err := os.Open(filepath.Join(dir, TruthFile))
	if err != nil {
		return nil, fmt.Errorf("simulate: %w", err)
	}
	var t Truth
	err = json.NewDecoder(bufio.NewReader(f)).Decode(&t)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("simulate: read %s: %w", TruthFile, err)
	}
	labels := make(map[string]int, len(t.Labels))
	for i, l := range t.Labels {
		labels[l.Observation] = i
	}
	events := make(map[string]int32, len(t.Events))
	for i, e := range t.Events {
		events[e.ID] = int32(i)
	}
	s := &Scenario{Config: t.Config, Organizations: t.Organizations, Events: t.Events,
		Records: make([]observation.Record, len(t.Labels)), Truth: make([]int32, len(t.Labels))}
	seen := make([]bool, len(t.Labels))
	for _, org := range t.Organizations {
		name := filepath.Join(dir, org.Name+".jsonl")
		if err := readJSONL(name, now, func(o observation.Observation) error {
			i, ok := labels[o.ID]
			if !ok {
				return fmt.Errorf("observation %s is not in %s", o.ID, TruthFile)
			}
			l := t.Labels[i]
			ev, ok := events[l.Event]
			if !ok {
				return fmt.Errorf("observation %s: unknown event %s", o.ID, l.Event)
			}
			s.Records[i] = observation.Record{Observation: o, Organization: l.Organization, Party: l.Party,
				SubmitterID: l.SubmitterID, AcceptedAt: l.AcceptedAt}
			s.Truth[i] = ev
			seen[i] = true
			return nil
		}); err != nil {
			return nil, err
		}
	}
	if i := slices.Index(seen, false); i >= 0 {
		return nil, fmt.Errorf("simulate: observation %s of %s is in no organisation's file", t.Labels[i].Observation, TruthFile)
	}
	return s, nil
}

func readJSONL(name string, now time.Time, fn func(observation.Observation) error) error {
	f, err := os.Open(name)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("simulate: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<16), observation.MaxBytes)
	line := 0
	for sc.Scan() {
		line++
		if len(sc.Bytes()) == 0 {
			continue
		}
		o, err := observation.Parse(sc.Bytes(), now)
		if err == nil {
			err = fn(o)
		}
		if err != nil {
			return fmt.Errorf("simulate: %s:%d: %w", name, line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("simulate: %s: %w", name, err)
	}
	return nil
}
