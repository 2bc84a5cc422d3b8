package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"truce/data"
	"truce/internal/checkpoint"
	"truce/internal/fusion"
	"truce/internal/httpapi"
	"truce/internal/incident"
	"truce/internal/ingest"
	"truce/internal/ledger"
	"truce/internal/mapsvg"
	"truce/internal/metrics"
	"truce/internal/notify"
	"truce/internal/parties"
	"truce/internal/region"
	"truce/internal/report"
	"truce/internal/web"
)

func runServe(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "serve", "serve [-db sqlite:PATH|postgres://…] [-addr 127.0.0.1:8080] [-demo]")
	db := dbFlag(fs)
	addr := fs.String("addr", envOr("TRUCE_ADDR", "127.0.0.1:8080"), "listen address (env TRUCE_ADDR)")
	demo := fs.Bool("demo", envOr("TRUCE_DEMO", "") == "1", "start on a fresh temporary database loaded with a simulated monitoring day, and print a token per role (env TRUCE_DEMO=1)")
	logFormat := fs.String("log-format", envOr("TRUCE_LOG_FORMAT", "text"), "log format: text or json (env TRUCE_LOG_FORMAT)")
	maxBody := fs.Int64("max-body", httpapi.DefaultMaxBody, "largest request body in bytes")
	group := fs.Int("group", 5000, "most records in one group-commit transaction")
	logKey := fs.String("log-key", envOr("TRUCE_LOG_KEY", "truce-log.key"), "the ledger's signing key file, created on first start if missing (its verifier key goes to FILE.pub) (env TRUCE_LOG_KEY)")
	origin := fs.String("log-origin", envOr("TRUCE_LOG_ORIGIN", "truce.local/ledger"), "the ledger's origin (the checkpoint's first line), used when the key is created (env TRUCE_LOG_ORIGIN)")
	interval := fs.Duration("checkpoint-interval", time.Second, "how often to sign a new checkpoint while the ledger grows")
	webhookPrivate := fs.Bool("webhook-allow-private", envOr("TRUCE_WEBHOOK_ALLOW_PRIVATE", "") == "1", "let webhooks reach loopback and private addresses, for receivers on this machine or network (env TRUCE_WEBHOOK_ALLOW_PRIVATE=1)")
	horizon := fs.Duration("fusion-horizon", 0, "keep in memory only the incidents an observation observed within this long of the newest can still change, and the finished ones in the store (e.g. 72h; 0 keeps every incident in memory). Observations observed longer ago than this when they arrive are fused as vague ones (docs/incidents.md)")
	sweep := fs.Duration("findings-sweep", 30*time.Second, "how often the clock expires findings at their reply deadline and releases them to the public when due")
	if err := parse(fs, args); err != nil {
		return err
	}
	log, err := newLogger(e, *logFormat)
	if err != nil {
		return err
	}

	dbPath, demoDir := *db, ""
	if *demo {
		dir, err := os.MkdirTemp("", "truce-demo-")
		if err != nil {
			return fmt.Errorf("serve: demo database: %w", err)
		}
		defer os.RemoveAll(dir)
		demoDir = dir
		dbPath = "sqlite:" + filepath.Join(dir, "demo.db")
		*logKey = filepath.Join(dir, "log.key")
	}
	skey, created, err := loadOrCreateLogKey(*logKey, *origin)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	store, err := openStore(ctx, dbPath)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer store.Close()

	reg := metrics.New()
	groupSize := reg.Histogram("truce_commit_group_records", "Records per group-commit transaction.",
		[]float64{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000})
	groupRequests := reg.Histogram("truce_commit_group_requests", "Requests per group-commit transaction.",
		[]float64{1, 2, 4, 8, 16, 32, 64, 128, 256})
	commitSeconds := reg.Histogram("truce_commit_duration_seconds", "Duration of group-commit transactions.",
		[]float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1})
	boundaries, err := loadBoundaries()
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	reports, err := report.NewRenderer(boundaries)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	incidents := fusion.New(store, incident.Config{Locate: boundaries.Locate, Horizon: *horizon}, log)
	if err := incidents.Load(ctx); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	// Notifications: the hub takes every event, streams them and feeds the
	// webhook deliverer.
	hub := notify.NewHub(notify.HubConfig{})
	incidents.Notify(hub, nil)
	deliverer := notify.NewDeliverer(notify.DelivererConfig{Store: store, Events: hub.Tap(notify.DefaultTapBuffer),
		Client: notify.NewClient(*webhookPrivate, notify.DefaultTimeout), Logger: log})
	findings := parties.New(parties.Config{Store: store, Log: log, Events: hub})
	if err := findings.Load(ctx); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	committer := ingest.NewCommitter(incidents.Writer(store), *group)
	committer.OnCommit = func(records, requests int, d time.Duration) {
		groupSize.Observe(float64(records))
		groupRequests.Observe(float64(requests))
		commitSeconds.Observe(d.Seconds())
	}
	// Background work (group commit, checkpoints) stops after the HTTP
	// server has drained, and before the store closes.
	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	var background sync.WaitGroup
	defer func() {
		stopBG()
		background.Wait()
	}()
	background.Go(func() { committer.Run(bg) })
	background.Go(func() { incidents.Run(bg, 250*time.Millisecond) })
	background.Go(func() { findings.Run(bg, *sweep) })
	background.Go(func() { hub.Run(bg) })
	background.Go(func() { deliverer.Run(bg) })

	publisher, err := checkpoint.New(store, skey, log)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	vkey, _ := checkpoint.VerifierKey(skey)
	if created {
		fmt.Fprintf(e.stdout, "truce: created the ledger key %s; give verifiers and witnesses its verifier key (also in %s.pub):\n  %s\n", *logKey, *logKey, vkey)
	}
	log.InfoContext(ctx, "ledger", slog.String("key", *logKey), slog.String("origin", publisher.Origin()), slog.String("vkey", vkey))
	if _, err := publisher.Publish(ctx); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	background.Go(func() { publisher.Run(bg, *interval) })

	api := httpapi.NewHandler(httpapi.Config{Store: store, Writer: committer, Logger: log, Metrics: reg, MaxBody: *maxBody,
		LogVerifier: publisher.Verifier(), Incidents: incidents, Agreements: incidents, Reports: reports, Locate: boundaries.Locate,
		Findings: findings, Pseudonyms: parties.NewPseudonyms([]byte(skey)), Events: hub})
	defaultDay := time.Time{}
	if *demo {
		defaultDay = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC) // the demo's real data covers April to July 2025
	}
	pages, err := web.NewHandler(web.Config{API: api, LogVerifier: publisher.Verifier(), Map: mapsvg.New(boundaries.Regions(), 640), Logger: log, DefaultDay: defaultDay})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/", api)
	for _, p := range pages.Patterns() {
		mux.Handle(p, pages)
	}
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	srv.RegisterOnShutdown(hub.Close) // event streams end, so that Shutdown need not wait for them
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	base := "http://" + ln.Addr().String()
	log.InfoContext(ctx, "listening", slog.String("url", base), slog.String("db", redact(dbPath)))
	fmt.Fprintf(e.stdout, "truce: listening on %s\n", base)

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	if *demo {
		if err := loadDemo(ctx, e, store, base, vkey, demoDir); err != nil {
			srv.Close()
			return fmt.Errorf("serve: demo: %w", err)
		}
	}

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	log.InfoContext(ctx, "stopped")
	return nil
}

func newLogger(e env, format string) (*slog.Logger, error) {
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(e.stderr, nil)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(e.stderr, nil)), nil
	}
	return nil, fmt.Errorf("unknown -log-format %q (want text or json)", format)
}

// loadOrCreateLogKey reads the ledger's signing key from path, or creates
// one named origin (with its verifier key in path.pub) if there is none.
func loadOrCreateLogKey(path, origin string) (skey string, created bool, err error) {
	b, err := os.ReadFile(path)
	if err == nil {
		return strings.TrimSpace(string(b)), false, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", false, fmt.Errorf("log key: %w", err)
	}
	skey, vkey, err := ledger.GenerateKey(origin)
	if err != nil {
		return "", false, fmt.Errorf("log key: %w", err)
	}
	if err := writeNew(path, []byte(skey+"\n"), 0o600); err != nil {
		return "", false, fmt.Errorf("log key: %w", err)
	}
	if err := os.WriteFile(path+".pub", []byte(vkey+"\n"), 0o644); err != nil {
		return "", false, fmt.Errorf("log key: %w", err)
	}
	return skey, true, nil
}

// loadBoundaries reads the shipped oblast boundaries.
func loadBoundaries() (*region.Boundaries, error) {
	f, err := data.FS().Open(data.Oblasts)
	if err != nil {
		return nil, fmt.Errorf("boundaries: %w", err)
	}
	defer f.Close()
	b, err := region.LoadBoundaries(f)
	if err != nil {
		return nil, fmt.Errorf("boundaries: %w", err)
	}
	return b, nil
}
