package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"syscall"
	"time"

	"truce/internal/auth"
	"truce/internal/derrors"
)

// DeliveryStore keeps webhooks and their delivery queue, so that
// deliveries survive a restart.
type DeliveryStore interface {
	// AllWebhooks returns every registered webhook, with its secret.
	AllWebhooks(ctx context.Context) ([]Webhook, error)
	// UserByID returns the user with id, or derrors.ErrNotFound.
	UserByID(ctx context.Context, id int64) (*auth.User, error)
	// EnqueueDeliveries stores new pending deliveries, due at once. An
	// event already queued for a webhook is not queued again. A webhook
	// that already has maxPending deliveries pending gets the delivery
	// stored as failed ("queue full") instead.
	EnqueueDeliveries(ctx context.Context, ds []Delivery, maxPending int) error
	// ClaimDue returns up to limit pending deliveries due at now, oldest
	// first, each with its webhook's URL, secret and owner, and moves
	// their next attempt to now+lease, so that a delivery whose attempt is
	// never recorded (a crash) is tried again after the lease.
	ClaimDue(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Delivery, error)
	// RecordAttempt logs attempt a (if not nil) of delivery seq and sets
	// its state: pending with a.NextAttempt, delivered, or failed (with
	// reason if there was no attempt).
	RecordAttempt(ctx context.Context, seq int64, a *Attempt, state State, reason string) error
	// NextDue returns when the earliest pending delivery is due; ok is
	// false if none is pending.
	NextDue(ctx context.Context) (at time.Time, ok bool, err error)
}

// Defaults for delivering webhooks.
const (
	DefaultMaxAttempts = 8
	DefaultBaseDelay   = 30 * time.Second
	DefaultMaxDelay    = time.Hour
	DefaultTimeout     = 10 * time.Second
	DefaultWorkers     = 4
	DefaultMaxPending  = 1000
	// DefaultTapBuffer is how many events the deliverer's hub tap holds.
	DefaultTapBuffer = 4096
)

// DelivererConfig is what NewDeliverer needs. Zero fields take defaults.
type DelivererConfig struct {
	Store DeliveryStore
	// Events are the events to deliver: a hub's Tap.
	Events *Subscription
	// Client sends the requests; NewClient(false, Timeout) if nil.
	Client *http.Client
	Logger *slog.Logger
	// Now is the clock; Jitter returns a number in [0, 1) (tests fix it).
	Now    func() time.Time
	Jitter func() float64
	// MaxAttempts is how many times a delivery is tried before it fails.
	MaxAttempts int
	// BaseDelay is the wait after the first failed attempt; each later
	// wait doubles, up to MaxDelay, and is then jittered by ±25%.
	BaseDelay, MaxDelay time.Duration
	// Timeout bounds each attempt.
	Timeout time.Duration
	// Workers is how many deliveries are sent at once, in all.
	Workers int
	// MaxPending is how many deliveries one webhook may have queued.
	MaxPending int
	// Poll is the longest the deliverer sleeps without looking at the
	// queue (a second replica may have queued something); 5s if 0.
	Poll time.Duration
}

// Deliverer posts events to webhooks: each event is queued, in the store,
// for every webhook that wants its type and whose owner is in its
// audience; each queued delivery is signed and POSTed, and retried with
// exponential back-off and jitter until it succeeds or runs out of
// attempts. Every attempt is logged.
type Deliverer struct {
	cfg    DelivererConfig
	client *http.Client
	log    *slog.Logger
	wake   chan struct{}
}

// NewDeliverer returns a deliverer; call Run to start it.
func NewDeliverer(cfg DelivererConfig) *Deliverer {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.BaseDelay <= 0 {
		cfg.BaseDelay = DefaultBaseDelay
	}
	if cfg.MaxDelay <= 0 {
		cfg.MaxDelay = DefaultMaxDelay
	}
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.MaxPending <= 0 {
		cfg.MaxPending = DefaultMaxPending
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 5 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Jitter == nil {
		cfg.Jitter = rand.Float64
	}
	d := &Deliverer{cfg: cfg, client: cfg.Client, log: cfg.Logger, wake: make(chan struct{}, 1)}
	if d.client == nil {
		d.client = NewClient(false, cfg.Timeout)
	}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	return d
}

// ErrPrivateAddress is why a webhook to a loopback, private, link-local or
// otherwise internal address is refused.
var ErrPrivateAddress = errors.New("webhook address is not public")

// NewClient returns the HTTP client webhooks are sent with: no redirects
// followed (a 3xx answer is a failure), no proxy, each request bounded by
// timeout, and — unless allowPrivate — no connections to loopback,
// private, link-local or unspecified addresses, checked on the address
// actually dialled, so a name that resolves to one is refused too.
func NewClient(allowPrivate bool, timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	if !allowPrivate {
		dialer.Control = func(network, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			ip := net.ParseIP(host)
			if ip == nil || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
				ip.IsUnspecified() || ip.IsMulticast() || ip.IsInterfaceLocalMulticast() {
				return ErrPrivateAddress
			}
			return nil
		}
	}
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                 nil,
			DialContext:           dialer.DialContext,
			TLSHandshakeTimeout:   5 * time.Second,
			ResponseHeaderTimeout: timeout,
			MaxIdleConns:          16,
			IdleConnTimeout:       30 * time.Second,
		},
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Run queues the events from the tap and sends due deliveries until ctx
// is done; an attempt in flight then is cut short and tried again after
// a restart.
func (d *Deliverer) Run(ctx context.Context) {
	var events <-chan Event
	if d.cfg.Events != nil {
		events = d.cfg.Events.C
		defer d.cfg.Events.Unsubscribe()
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case e, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			if d.cfg.Events.Missed() {
				d.log.WarnContext(ctx, "webhooks: events were dropped, the deliverer fell behind")
			}
			if err := d.Enqueue(ctx, e); err != nil && ctx.Err() == nil {
				d.log.ErrorContext(ctx, "webhooks: enqueue", slog.String("event", e.ID), slog.Any("err", err))
			}
			d.Wake()
			continue
		case <-d.wake:
		case <-timer.C:
		}
		if _, err := d.DeliverDue(ctx); err != nil && ctx.Err() == nil {
			d.log.ErrorContext(ctx, "webhooks: deliver", slog.Any("err", err))
		}
		wait := d.cfg.Poll
		if at, ok, err := d.cfg.Store.NextDue(ctx); err == nil && ok {
			wait = min(wait, max(at.Sub(d.cfg.Now()), 0))
		}
		timer.Reset(wait)
	}
}

// Wake makes Run look at the queue now.
func (d *Deliverer) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Enqueue queues e for every webhook that wants its type and whose owner,
// as the owner is now, is in e's audience.
func (d *Deliverer) Enqueue(ctx context.Context, e Event) error {
	hooks, err := d.cfg.Store.AllWebhooks(ctx)
	if err != nil {
		return fmt.Errorf("webhooks: enqueue %s: %w", e.ID, err)
	}
	owners := map[int64]*auth.User{}
	var ds []Delivery
	now := d.cfg.Now()
	for _, w := range hooks {
		if !w.Wants(e.Type) {
			continue
		}
		u, ok := owners[w.OwnerID]
		if !ok {
			u, err = d.cfg.Store.UserByID(ctx, w.OwnerID)
			if err != nil && !errors.Is(err, derrors.ErrNotFound) {
				return fmt.Errorf("webhooks: enqueue %s: %w", e.ID, err)
			}
			owners[w.OwnerID] = u
		}
		if u == nil || !auth.InAudience(u, e.Audience) {
			continue
		}
		ds = append(ds, Delivery{WebhookID: w.ID, Event: e, Audience: e.Audience, State: Pending, Created: now})
	}
	if len(ds) == 0 {
		return nil
	}
	if err := d.cfg.Store.EnqueueDeliveries(ctx, ds, d.cfg.MaxPending); err != nil {
		return fmt.Errorf("webhooks: enqueue %s: %w", e.ID, err)
	}
	return nil
}

// claimBatch is how many deliveries DeliverDue claims at a time.
const claimBatch = 64

// DeliverDue sends every delivery due now (by the deliverer's clock), at
// most Workers at a time, records each attempt, and returns how many it
// attempted.
func (d *Deliverer) DeliverDue(ctx context.Context) (int, error) {
	total := 0
	for {
		lease := d.cfg.Timeout + time.Minute
		ds, err := d.cfg.Store.ClaimDue(ctx, d.cfg.Now(), lease, claimBatch)
		if err != nil {
			return total, fmt.Errorf("webhooks: claim: %w", err)
		}
		if len(ds) == 0 {
			return total, nil
		}
		sem := make(chan struct{}, d.cfg.Workers)
		var wg sync.WaitGroup
		errs := make([]error, len(ds))
		for i := range ds {
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				errs[i] = d.attempt(ctx, ds[i])
			})
		}
		wg.Wait()
		total += len(ds)
		if err := errors.Join(errs...); err != nil {
			return total, err
		}
		if len(ds) < claimBatch {
			return total, nil
		}
	}
}

// attempt makes one attempt at a delivery and records it.
func (d *Deliverer) attempt(ctx context.Context, dl Delivery) error {
	u, err := d.cfg.Store.UserByID(ctx, dl.OwnerID)
	if err != nil && !errors.Is(err, derrors.ErrNotFound) {
		return fmt.Errorf("webhooks: delivery %d: %w", dl.Seq, err)
	}
	if u == nil || !auth.InAudience(u, dl.Audience) {
		// The owner was removed or changed role since the event was queued.
		return d.record(ctx, dl.Seq, nil, Failed, "the webhook's owner may no longer receive this event")
	}
	n := dl.Tries + 1
	start := d.cfg.Now()
	code, sendErr := d.send(ctx, dl)
	if ctx.Err() != nil {
		return nil // shutting down: the lease brings it back after a restart
	}
	a := &Attempt{N: n, At: start, StatusCode: code, Duration: d.cfg.Now().Sub(start)}
	a.DurationMS = float64(a.Duration.Microseconds()) / 1000
	if sendErr == nil && code >= 200 && code < 300 {
		return d.record(ctx, dl.Seq, a, Delivered, "")
	}
	switch {
	case isTimeout(sendErr):
		a.Error = fmt.Sprintf("no answer within %v", d.cfg.Timeout)
	case sendErr != nil:
		a.Error = shorten(sendErr.Error())
	default:
		a.Error = "the receiver answered " + strconv.Itoa(code)
	}
	if n >= d.cfg.MaxAttempts || errors.Is(sendErr, ErrPrivateAddress) {
		// Out of attempts, or refused for good: retrying cannot help.
		return d.record(ctx, dl.Seq, a, Failed, "")
	}
	next := a.At.Add(d.Backoff(n))
	a.NextAttempt = &next
	return d.record(ctx, dl.Seq, a, Pending, "")
}

func (d *Deliverer) record(ctx context.Context, seq int64, a *Attempt, s State, reason string) error {
	if err := d.cfg.Store.RecordAttempt(ctx, seq, a, s, reason); err != nil {
		return fmt.Errorf("webhooks: record delivery %d: %w", seq, err)
	}
	return nil
}

// Backoff is the wait after failed attempt n (1 for the first):
// BaseDelay·2^(n−1), at most MaxDelay, times a jitter factor in
// [0.75, 1.25).
func (d *Deliverer) Backoff(n int) time.Duration {
	wait := d.cfg.MaxDelay
	if n-1 < 30 {
		wait = min(d.cfg.BaseDelay<<(n-1), d.cfg.MaxDelay)
	}
	return time.Duration(float64(wait) * (0.75 + 0.5*d.cfg.Jitter()))
}

// send POSTs the event, signed, and returns the receiver's status code.
func (d *Deliverer) send(ctx context.Context, dl Delivery) (int, error) {
	body, err := json.Marshal(dl.Event)
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, dl.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	ts := d.cfg.Now().Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "truce-webhooks/1")
	req.Header.Set("Truce-Event-Id", dl.Event.ID)
	req.Header.Set("Truce-Event-Type", dl.Event.Type)
	req.Header.Set("Truce-Timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("Truce-Signature", Signature(dl.Secret, ts, body))
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, nil
}

// shorten keeps delivery-log errors to a readable length.
func shorten(s string) string {
	const limit = 300
	if len(s) <= limit {
		return s
	}
	return s[:limit] + "…"
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}
