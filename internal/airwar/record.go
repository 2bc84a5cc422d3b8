package airwar

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/gowebpki/jcs"

	"truce/internal/observation"
)

// The stored form of the air war's public records, shared by every store:
// the canonical JSON (RFC 8785) a store keeps as a record's body and the
// ledger commits to. BulletinContent and AlertContent give a record's
// content without its accepted time, which the store adds with
// WithAccepted when it accepts the record; DecodeBulletin and DecodeAlert
// read a stored body back.

// BulletinContent returns b's canonical record without accepted_at.
func BulletinContent(b Bulletin) ([]byte, error) {
	content, err := canonical(newBulletinRecord(b))
	if err != nil {
		return nil, fmt.Errorf("airwar: bulletin %s: %w", b.ID, err)
	}
	return content, nil
}

// AlertContent returns a's canonical record without accepted_at.
func AlertContent(a Alert) ([]byte, error) {
	content, err := canonical(newAlertRecord(a))
	if err != nil {
		return nil, fmt.Errorf("airwar: alert %s: %w", a.ID, err)
	}
	return content, nil
}

// DecodeBulletin reads a stored bulletin record.
func DecodeBulletin(body []byte) (Bulletin, error) {
	var r bulletinRecord
	if err := json.Unmarshal(body, &r); err != nil {
		return Bulletin{}, fmt.Errorf("airwar: decode bulletin: %w", err)
	}
	b, err := r.bulletin()
	if err != nil {
		return Bulletin{}, fmt.Errorf("airwar: decode bulletin %s: %w", r.ID, err)
	}
	return b, nil
}

// DecodeAlert reads a stored alert record.
func DecodeAlert(body []byte) (Alert, error) {
	var r alertRecord
	if err := json.Unmarshal(body, &r); err != nil {
		return Alert{}, fmt.Errorf("airwar: decode alert: %w", err)
	}
	a, err := r.alert()
	if err != nil {
		return Alert{}, fmt.Errorf("airwar: decode alert %s: %w", r.ID, err)
	}
	return a, nil
}

// bulletinRecord is a bulletin row's canonical record: the JSON the store
// keeps in body and the ledger commits to (RFC 8785 form). Times carry
// their Kyiv offset, as the bulletins state them.
//
// The bulletins are one party's public statements: rows posted by the
// Ukrainian armed forces (the Air Force Command, the General Staff, the
// regional air commands) are source "party", party "UA"; the few rows the
// dataset took from other channels are "open_source". Every row is
// attributed as the bulletins attribute it: to RU, which launched the
// drones and missiles.
type bulletinRecord struct {
	ID              string   `json:"id"`
	Domain          string   `json:"domain"`
	Kind            string   `json:"kind"`
	Model           string   `json:"model"`
	UnknownModels   []string `json:"unknown_models,omitempty"`
	Start           string   `json:"start"`
	End             string   `json:"end"`
	DateOnly        bool     `json:"date_only,omitempty"`
	Day             string   `json:"day"`
	Launched        int      `json:"launched"`
	Destroyed       int      `json:"destroyed"`
	Suppressed      int      `json:"suppressed"`
	StillAttacking  int      `json:"still_attacking,omitempty"`
	HitLocations    int      `json:"hit_locations,omitempty"`
	DebrisLocations int      `json:"debris_locations,omitempty"`
	LaunchPlaces    []string `json:"launch_places,omitempty"`
	Target          string   `json:"target,omitempty"`
	TargetMain      string   `json:"target_main,omitempty"`
	Regions         []string `json:"regions,omitempty"`
	Carrier         string   `json:"carrier,omitempty"`
	Command         string   `json:"command"`
	Page            string   `json:"page"`
	Post            string   `json:"post"`
	Source          string   `json:"source"`
	Party           string   `json:"party,omitempty"`
	AttributedTo    string   `json:"attributed_to"`
	AcceptedAt      string   `json:"accepted_at,omitempty"`
}

// alertRecord is an alert's canonical record. Times are UTC, as the feeds
// give them.
type alertRecord struct {
	ID         string `json:"id"`
	Feed       string `json:"feed"`
	Region     string `json:"region"`
	Level      string `json:"level"`
	Raion      string `json:"raion,omitempty"`
	Hromada    string `json:"hromada,omitempty"`
	Start      string `json:"start"`
	End        string `json:"end"`
	Naive      bool   `json:"naive,omitempty"`
	SubAlerts  int    `json:"sub_alerts,omitempty"`
	Source     string `json:"source"`
	AcceptedAt string `json:"accepted_at,omitempty"`
}

func newBulletinRecord(b Bulletin) bulletinRecord {
	r := bulletinRecord{
		ID: b.ID, Domain: string(observation.Air), Kind: string(b.Kind), Model: b.Model, UnknownModels: b.UnknownModels,
		Start: b.Start.Format(time.RFC3339), End: b.End.Format(time.RFC3339), DateOnly: b.DateOnly, Day: b.Day.String(),
		Launched: b.Launched, Destroyed: b.Destroyed, Suppressed: b.Suppressed, StillAttacking: b.StillAttacking,
		HitLocations: b.HitLocations, DebrisLocations: b.DebrisLocations, LaunchPlaces: b.LaunchPlaces,
		Target: b.Target, TargetMain: b.TargetMain, Regions: b.Regions, Carrier: b.Carrier,
		Command: string(b.Command), Page: b.Page, Post: b.Source,
		Source: string(observation.OpenSource), AttributedTo: "RU",
	}
	if b.Command == CommandNational || b.Command == CommandRegional {
		r.Source, r.Party = string(observation.Party), "UA"
	}
	return r
}

func (r bulletinRecord) bulletin() (Bulletin, error) {
	b := Bulletin{
		ID: r.ID, DateOnly: r.DateOnly, Kind: Kind(r.Kind), Model: r.Model, UnknownModels: r.UnknownModels,
		Launched: r.Launched, Destroyed: r.Destroyed, Suppressed: r.Suppressed, StillAttacking: r.StillAttacking,
		HitLocations: r.HitLocations, DebrisLocations: r.DebrisLocations, LaunchPlaces: r.LaunchPlaces,
		Target: r.Target, TargetMain: r.TargetMain, Regions: r.Regions, Carrier: r.Carrier,
		Command: Command(r.Command), Page: r.Page, Source: r.Post,
	}
	var err error
	if b.Start, err = time.Parse(time.RFC3339, r.Start); err != nil {
		return b, err
	}
	if b.End, err = time.Parse(time.RFC3339, r.End); err != nil {
		return b, err
	}
	b.Start, b.End = b.Start.In(Kyiv()), b.End.In(Kyiv())
	b.Day, err = ParseDay(r.Day)
	return b, err
}

func newAlertRecord(a Alert) alertRecord {
	return alertRecord{
		ID: a.ID, Feed: string(a.Feed), Region: a.Region, Level: string(a.Level), Raion: a.Raion, Hromada: a.Hromada,
		Start: a.Start.UTC().Format(time.RFC3339), End: a.End.UTC().Format(time.RFC3339), Naive: a.Naive, SubAlerts: a.SubAlerts,
		Source: string(observation.OpenSource),
	}
}

func (r alertRecord) alert() (Alert, error) {
	a := Alert{
		ID: r.ID, Feed: Feed(r.Feed), Region: r.Region, Level: Level(r.Level), Raion: r.Raion, Hromada: r.Hromada,
		Naive: r.Naive, SubAlerts: r.SubAlerts, Feeds: []Feed{Feed(r.Feed)},
	}
	var err error
	if a.Start, err = time.Parse(time.RFC3339, r.Start); err != nil {
		return a, err
	}
	a.End, err = time.Parse(time.RFC3339, r.End)
	a.Start, a.End = a.Start.UTC(), a.End.UTC()
	return a, err
}

// canonical returns the RFC 8785 form of v's JSON.
func canonical(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return jcs.Transform(b)
}

// WithAccepted returns the canonical record with accepted_at set, given
// its canonical form without: "accepted_at" sorts before every other key of
// bulletinRecord and alertRecord, and its value needs no escaping, so the
// RFC 8785 form is the member prepended (TestWithAcceptedIsCanonical).
func WithAccepted(content []byte, t time.Time) []byte {
	b := make([]byte, 0, len(content)+48)
	b = append(b, `{"accepted_at":"`...)
	b = t.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, '"')
	if len(content) > 2 {
		b = append(b, ',')
	}
	return append(b, content[1:]...)
}
