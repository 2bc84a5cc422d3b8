package export

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"truce/internal/incident"
)

// geojsonWriter streams an RFC 7946 FeatureCollection: the opening members,
// then each Feature as it comes, then the closing brackets on Close. Each
// Feature has the incident's id, a Point geometry (longitude, latitude) or
// a null geometry for an incident known only by its region, and the
// incident itself (DESIGN.md's Incident) as its properties.
type geojsonWriter struct {
	w    *bufio.Writer
	buf  bytes.Buffer
	enc  *json.Encoder
	n    int
	open bool
}

func newGeoJSON(w io.Writer) *geojsonWriter {
	g := &geojsonWriter{w: bufio.NewWriterSize(w, 64<<10)}
	g.enc = json.NewEncoder(&g.buf)
	g.enc.SetEscapeHTML(false)
	return g
}

func (g *geojsonWriter) start() {
	if !g.open {
		g.open = true
		g.w.WriteString(`{"type":"FeatureCollection","features":[`)
	}
}

func (g *geojsonWriter) Write(inc *incident.Incident) error {
	g.start()
	if g.n > 0 {
		g.w.WriteByte(',')
	}
	g.n++
	g.buf.Reset()
	if err := g.enc.Encode(inc.ID); err != nil {
		return fmt.Errorf("export: geojson: %w", err)
	}
	g.w.WriteString("\n{\"type\":\"Feature\",\"id\":")
	g.w.Write(bytes.TrimSuffix(g.buf.Bytes(), []byte("\n")))
	if hasPoint(inc) {
		g.w.WriteString(`,"geometry":{"type":"Point","coordinates":[`)
		g.w.WriteString(coord(*inc.Lon))
		g.w.WriteByte(',')
		g.w.WriteString(coord(*inc.Lat))
		g.w.WriteString(`]}`)
	} else {
		g.w.WriteString(`,"geometry":null`)
	}
	g.w.WriteString(`,"properties":`)
	g.buf.Reset()
	if err := g.enc.Encode(inc); err != nil {
		return fmt.Errorf("export: geojson: %w", err)
	}
	g.w.Write(bytes.TrimSuffix(g.buf.Bytes(), []byte("\n")))
	if _, err := g.w.WriteString("}"); err != nil {
		return fmt.Errorf("export: geojson: %w", err)
	}
	return nil
}

func (g *geojsonWriter) Close() error {
	g.start()
	g.w.WriteString("\n]}\n")
	if err := g.w.Flush(); err != nil {
		return fmt.Errorf("export: geojson: %w", err)
	}
	return nil
}

// jsonlWriter writes one incident per line.
type jsonlWriter struct {
	w   *bufio.Writer
	enc *json.Encoder
}

func newJSONL(w io.Writer) *jsonlWriter {
	j := &jsonlWriter{w: bufio.NewWriterSize(w, 64<<10)}
	j.enc = json.NewEncoder(j.w)
	j.enc.SetEscapeHTML(false)
	return j
}

func (j *jsonlWriter) Write(inc *incident.Incident) error {
	if err := j.enc.Encode(inc); err != nil {
		return fmt.Errorf("export: jsonl: %w", err)
	}
	return nil
}

func (j *jsonlWriter) Close() error {
	if err := j.w.Flush(); err != nil {
		return fmt.Errorf("export: jsonl: %w", err)
	}
	return nil
}
