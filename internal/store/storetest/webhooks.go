package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"truce/internal/auth"
	"truce/internal/derrors"
	"truce/internal/notify"
)

// WebhookStore is what the webhook suite exercises: a store that keeps
// webhooks and their delivery queue (notify.DeliveryStore) and log.
type WebhookStore interface {
	notify.DeliveryStore
	CreateUser(ctx context.Context, u *auth.User, tokenHash [32]byte) (int64, error)
	CreateWebhook(ctx context.Context, w notify.Webhook, maxPerOwner, maxTotal int) error
	Webhooks(ctx context.Context, ownerID int64) ([]notify.Webhook, error)
	Webhook(ctx context.Context, id string) (notify.Webhook, error)
	DeleteWebhook(ctx context.Context, id string) error
	Deliveries(ctx context.Context, webhookID string, beforeSeq int64, limit int) ([]notify.Delivery, error)
}

// RunWebhooks runs the webhook suite; open must return a new, empty store
// for each call.
func RunWebhooks(t *testing.T, open func(t *testing.T) WebhookStore) {
	t.Run("Registrations", func(t *testing.T) { testWebhookRegistrations(t, open(t)) })
	t.Run("Queue", func(t *testing.T) { testDeliveryQueue(t, open(t)) })
}

func hookID(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

var hookTime = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func testWebhookRegistrations(t *testing.T, s WebhookStore) {
	ctx := t.Context()
	a, err := s.CreateUser(ctx, &auth.User{Name: "A", Role: auth.Party, Org: "UA"}, [32]byte{1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.CreateUser(ctx, &auth.User{Name: "B", Role: auth.Analyst, Org: "Mission"}, [32]byte{2})
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.UserByID(ctx, a)
	if err != nil || u.ID != a || u.Role != auth.Party || u.Org != "UA" || u.Name != "A" {
		t.Errorf("UserByID(%d) = %+v, %v", a, u, err)
	}
	if _, err := s.UserByID(ctx, 999); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("UserByID(absent): %v, want ErrNotFound", err)
	}
	w1 := notify.Webhook{ID: hookID(1), OwnerID: a, URL: "https://a.example/1", Types: []string{notify.FindingSent}, Created: hookTime, Secret: "whsec_1"}
	w2 := notify.Webhook{ID: hookID(2), OwnerID: a, URL: "https://a.example/2", Created: hookTime.Add(time.Second), Secret: "whsec_2"}
	w3 := notify.Webhook{ID: hookID(3), OwnerID: b, URL: "https://b.example/", Created: hookTime, Secret: "whsec_3"}
	for _, w := range []notify.Webhook{w1, w2, w3} {
		if err := s.CreateWebhook(ctx, w, 2, 4); err != nil {
			t.Fatalf("CreateWebhook %s: %v", w.ID, err)
		}
	}
	var fe *derrors.FieldError
	if err := s.CreateWebhook(ctx, notify.Webhook{ID: hookID(4), OwnerID: a, URL: "https://a.example/3", Created: hookTime}, 2, 4); !errors.Is(err, derrors.ErrConflict) || !errors.As(err, &fe) {
		t.Errorf("a third webhook for one owner (limit 2): %v, want a conflict", err)
	}
	if err := s.CreateWebhook(ctx, notify.Webhook{ID: hookID(4), OwnerID: b, URL: "https://b.example/2", Created: hookTime}, 2, 3); !errors.Is(err, derrors.ErrConflict) {
		t.Errorf("a fourth webhook in all (limit 3): %v, want a conflict", err)
	}
	own, err := s.Webhooks(ctx, a)
	if err != nil || len(own) != 2 || own[0].ID != w1.ID || own[1].ID != w2.ID {
		t.Fatalf("Webhooks(a) = %+v, %v; want w1, w2", own, err)
	}
	if g := own[0]; g.URL != w1.URL || fmt.Sprint(g.Types) != fmt.Sprint(w1.Types) || !g.Created.Equal(w1.Created) || g.Secret != w1.Secret || g.OwnerID != a {
		t.Errorf("stored %+v, want %+v", g, w1)
	}
	if len(own[1].Types) != 0 {
		t.Errorf("no types stored as %v, want none", own[1].Types)
	}
	all, err := s.AllWebhooks(ctx)
	if err != nil || len(all) != 3 {
		t.Errorf("AllWebhooks: %d (%v), want 3", len(all), err)
	}
	if g, err := s.Webhook(ctx, w3.ID); err != nil || g.OwnerID != b {
		t.Errorf("Webhook(w3) = %+v, %v", g, err)
	}
	if _, err := s.Webhook(ctx, hookID(9)); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("Webhook(absent): %v, want ErrNotFound", err)
	}
	if err := s.DeleteWebhook(ctx, w1.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteWebhook(ctx, w1.ID); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("deleting twice: %v, want ErrNotFound", err)
	}
	if own, _ := s.Webhooks(ctx, a); len(own) != 1 {
		t.Errorf("after deleting: %d webhooks, want 1", len(own))
	}
}

func testDeliveryQueue(t *testing.T, s WebhookStore) {
	ctx := t.Context()
	owner, err := s.CreateUser(ctx, &auth.User{Name: "A", Role: auth.Analyst, Org: "Mission"}, [32]byte{1})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 2; i++ {
		if err := s.CreateWebhook(ctx, notify.Webhook{ID: hookID(i), OwnerID: owner, URL: fmt.Sprintf("https://a.example/%d", i), Created: hookTime, Secret: fmt.Sprint("whsec_", i)}, 10, 10); err != nil {
			t.Fatal(err)
		}
	}
	aud := auth.Audience{Roles: []auth.Role{auth.Analyst}, Parties: []string{"UA"}}
	delivery := func(hook, n int, at time.Time) notify.Delivery {
		e := notify.Event{ID: fmt.Sprintf("e%d", n), Type: notify.IncidentCreated, Subject: fmt.Sprintf("s%d", n), At: at}
		return notify.Delivery{WebhookID: hookID(hook), Event: e, Audience: aud, State: notify.Pending, Created: at}
	}
	if _, ok, err := s.NextDue(ctx); ok || err != nil {
		t.Errorf("NextDue on an empty queue: ok %v, %v", ok, err)
	}
	queue := []notify.Delivery{delivery(1, 1, hookTime), delivery(1, 2, hookTime.Add(time.Second)), delivery(2, 1, hookTime.Add(2*time.Second))}
	if err := s.EnqueueDeliveries(ctx, queue, 10); err != nil {
		t.Fatal(err)
	}
	if err := s.EnqueueDeliveries(ctx, queue[:1], 10); err != nil { // again: no second row
		t.Fatal(err)
	}
	if err := s.EnqueueDeliveries(ctx, []notify.Delivery{delivery(9, 1, hookTime)}, 10); err != nil { // a deleted webhook: skipped
		t.Fatalf("enqueue for an absent webhook: %v", err)
	}
	if at, ok, err := s.NextDue(ctx); !ok || err != nil || !at.Equal(hookTime) {
		t.Errorf("NextDue = %v, %v, %v; want %v", at, ok, err, hookTime)
	}
	// Claim what is due a second in: two, oldest first, leased for a minute.
	claimed, err := s.ClaimDue(ctx, hookTime.Add(time.Second), time.Minute, 10)
	if err != nil || len(claimed) != 2 {
		t.Fatalf("ClaimDue: %d (%v), want 2", len(claimed), err)
	}
	c := claimed[0]
	if c.Event.ID != "e1" || c.WebhookID != hookID(1) || c.URL != "https://a.example/1" || c.Secret != "whsec_1" || c.OwnerID != owner ||
		c.Tries != 0 || fmt.Sprint(c.Audience) != fmt.Sprint(aud) || !c.Event.At.Equal(hookTime) || c.Event.Subject != "s1" {
		t.Errorf("claimed %+v", c)
	}
	if again, _ := s.ClaimDue(ctx, hookTime.Add(time.Second), time.Minute, 10); len(again) != 0 {
		t.Errorf("claimed %d again within the lease, want 0", len(again))
	}
	// A failed attempt, then a successful one; a failure without attempt.
	next := hookTime.Add(31 * time.Second)
	a1 := &notify.Attempt{N: 1, At: hookTime.Add(time.Second), StatusCode: 500, Error: "the receiver answered 500", Duration: 1500 * time.Microsecond, NextAttempt: &next}
	if err := s.RecordAttempt(ctx, c.Seq, a1, notify.Pending, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordAttempt(ctx, claimed[1].Seq, nil, notify.Failed, "owner gone"); err != nil {
		t.Fatal(err)
	}
	if at, _, _ := s.NextDue(ctx); !at.Equal(hookTime.Add(2 * time.Second)) {
		t.Errorf("NextDue = %v, want the third delivery's", at)
	}
	claimed, err = s.ClaimDue(ctx, next, time.Minute, 10)
	if err != nil || len(claimed) != 2 || claimed[1].Event.ID != "e1" || claimed[1].Tries != 1 {
		t.Fatalf("second claim: %+v (%v), want e1 of webhook 2 and e1 of webhook 1 after one try", claimed, err)
	}
	a2 := &notify.Attempt{N: 2, At: next, StatusCode: 204, Duration: time.Millisecond}
	if err := s.RecordAttempt(ctx, claimed[1].Seq, a2, notify.Delivered, ""); err != nil {
		t.Fatal(err)
	}

	log, err := s.Deliveries(ctx, hookID(1), 0, 10)
	if err != nil || len(log) != 2 {
		t.Fatalf("Deliveries: %d (%v), want 2", len(log), err)
	}
	// Newest first: e2 failed without attempts, then e1 delivered after two.
	if d := log[0]; d.Event.ID != "e2" || d.State != notify.Failed || d.Error != "owner gone" || len(d.Attempts) != 0 || d.NextAttempt != nil {
		t.Errorf("log[0] = %+v", d)
	}
	d := log[1]
	if d.Event.ID != "e1" || d.State != notify.Delivered || len(d.Attempts) != 2 || d.NextAttempt != nil {
		t.Fatalf("log[1] = %+v", d)
	}
	g := d.Attempts[0]
	if g.N != 1 || !g.At.Equal(a1.At) || g.StatusCode != 500 || g.Error != a1.Error || g.Duration != a1.Duration || g.DurationMS != 1.5 || g.NextAttempt == nil || !g.NextAttempt.Equal(next) {
		t.Errorf("attempt 1 = %+v, want %+v", g, a1)
	}
	if g := d.Attempts[1]; g.N != 2 || g.StatusCode != 204 || g.NextAttempt != nil {
		t.Errorf("attempt 2 = %+v", g)
	}
	// Paging.
	page, err := s.Deliveries(ctx, hookID(1), log[0].Seq, 10)
	if err != nil || len(page) != 1 || page[0].Event.ID != "e1" {
		t.Errorf("page after the newest: %+v (%v), want e1", page, err)
	}
	if page, _ := s.Deliveries(ctx, hookID(1), 0, 1); len(page) != 1 || page[0].Event.ID != "e2" {
		t.Errorf("first page of one: %+v", page)
	}
	// The pending limit: webhook 2 has one pending (leased) delivery.
	if err := s.EnqueueDeliveries(ctx, []notify.Delivery{delivery(2, 5, next)}, 1); err != nil {
		t.Fatal(err)
	}
	if log, _ := s.Deliveries(ctx, hookID(2), 0, 10); len(log) != 2 || log[0].State != notify.Failed || log[0].Error == "" {
		t.Errorf("over the pending limit: %+v, want the new delivery failed", log)
	}
	// Deleting a webhook deletes its queue and log.
	if err := s.DeleteWebhook(ctx, hookID(2)); err != nil {
		t.Fatal(err)
	}
	if log, err := s.Deliveries(ctx, hookID(2), 0, 10); err != nil || len(log) != 0 {
		t.Errorf("log of a deleted webhook: %d (%v)", len(log), err)
	}
	if _, ok, _ := s.NextDue(ctx); ok {
		t.Errorf("a deleted webhook's delivery is still due")
	}
}
