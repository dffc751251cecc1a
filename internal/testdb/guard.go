package testdb

import (
	"time"

	"partnership-service/internal/httpx"
	"partnership-service/internal/idempotency"
	"partnership-service/internal/storage"
	"partnership-service/internal/storesql"
)

// Guard is the surfaces' guard as serve builds it, on s's database:
// perMinute requests per credential and Idempotency-Key records, on the
// clock now. The keys still need the handler they read resources back
// through (ServeResourcesWith).
func Guard(s storage.Stores, perMinute int, now func() time.Time) (*httpx.Guard, *idempotency.Keys) {
	keys := idempotency.NewKeys(storesql.IdempotencyKeys{DB: s.Shared()}, now, nil)
	return &httpx.Guard{Limits: httpx.NewRateLimiter(perMinute, time.Minute, now), Keys: keys}, keys
}
