package audit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"strings"

	"truce/internal/ledger"
)

// maxResponse bounds one fetched resource: a full entry bundle of 256
// entries of at most ledger.MaxEntrySize bytes, with their length prefixes.
const maxResponse = ledger.TileWidth * (2 + ledger.MaxEntrySize)

// A Fetcher reads the resources of a tlog-tiles log ("checkpoint",
// "tile/0/000", "tile/entries/000.p/12", …) by their path relative to the
// log's prefix. It returns an error wrapping ledger.ErrNotFound for a
// resource that does not exist.
type Fetcher interface {
	Fetch(ctx context.Context, path string) ([]byte, error)
}

// HTTPFetcher fetches a log's resources over HTTP(S).
type HTTPFetcher struct {
	base   string
	client *http.Client
}

// NewHTTPFetcher returns a Fetcher for the log whose tlog-tiles prefix is
// base, such as "https://truce.example/ledger/". A nil client means a client
// whose transport keeps enough idle connections for parallel fetches (the
// default transport keeps two per host, which makes a full audit reconnect
// all the time). The client asks for gzip-compressed entry bundles unless its
// transport disables compression.
func NewHTTPFetcher(base string, client *http.Client) *HTTPFetcher {
	if client == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 64
		client = &http.Client{Transport: tr}
	}
	return &HTTPFetcher{base: strings.TrimSuffix(base, "/") + "/", client: client}
}

// Fetch GETs base+path. A 404 is an error wrapping ledger.ErrNotFound; any
// other status but 200 is an error.
func (f *HTTPFetcher) Fetch(ctx context.Context, path string) ([]byte, error) {
	url := f.base + path
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("audit: fetch %s: %w", path, err)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("audit: fetch %s: %w", path, err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		return nil, fmt.Errorf("audit: fetch %s: %s: %w", path, resp.Status, ledger.ErrNotFound)
	default:
		return nil, fmt.Errorf("audit: fetch %s: %s", path, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return nil, fmt.Errorf("audit: fetch %s: %w", path, err)
	}
	if len(data) > maxResponse {
		return nil, fmt.Errorf("audit: fetch %s: response larger than %d bytes", path, maxResponse)
	}
	return data, nil
}

// DirFetcher reads a log's resources from a file system laid out as the
// tlog-tiles paths (for example an exported copy, or os.DirFS of a
// directory), so a copy is verified exactly as a live server is.
type DirFetcher struct {
	fsys fs.FS
}

// NewDirFetcher returns a Fetcher reading from fsys.
func NewDirFetcher(fsys fs.FS) *DirFetcher {
	return &DirFetcher{fsys: fsys}
}

// Fetch reads the file at path. A missing file is an error wrapping
// ledger.ErrNotFound.
func (f *DirFetcher) Fetch(ctx context.Context, path string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	data, err := fs.ReadFile(f.fsys, path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("audit: fetch %s: %w", path, ledger.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("audit: fetch %s: %w", path, err)
	}
	return data, nil
}
