package sqlite_test

import (
	"testing"

	"truce/internal/store/storetest"
)

func TestWebhooksConformance(t *testing.T) {
	storetest.RunWebhooks(t, func(t *testing.T) storetest.WebhookStore { return MustOpen(t) })
}
