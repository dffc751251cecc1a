// Package idempotency makes the writes of the three API surfaces safe to
// retry, as the IETF draft "The Idempotency-Key HTTP Header Field"
// describes: a POST, PUT or PATCH carrying Idempotency-Key is carried out
// at most once per key and credential, and its retries get the first
// answer back, byte for byte, with Idempotent-Replayed: true.
//
// # The key is written with the change
//
// A key record and the change it guards must commit together, or a crash
// could leave a change without its key (a retry would make it twice) or a
// key without its change (a retry would be told it happened). The record
// therefore travels in the request's context as a Pending value; the
// engines' one write path (the SQLite group-commit writer's Write and the
// PostgreSQL adapter's Tx) finds it there and, once the change's own
// function has succeeded, inserts the record inside the same transaction
// (under the same savepoint on SQLite, so a rolled-back change takes its key
// with it and the other writes of the batch are untouched). The first
// transaction of the request that commits carries the key; a request that
// writes nothing (a validation error, a coverage check) leaves no record,
// so a retry is simply judged again.
//
// The response cannot be part of that transaction (it is rendered from
// what the transaction returned), so it is stored right after, by a second
// small write. A crash between the two leaves a committed record without
// an answer. A change whose resource can be read back names it while it
// runs (Refer: a GET path on the same surface, such as the new lead's), and
// a retry of such a record is answered by serving that GET with the
// original request's credentials, with 201 for a POST. A record without
// either is answered 409, the "still in flight" answer, which is the truth
// as far as the service can tell: the change happened, its answer is lost.
//
// An answer marked Cache-Control: no-store holds a secret shown once (a
// webhook's signing secret); it is not kept at rest. Its record is (the
// change is still made once), and a retry gets a 409 saying the first
// request succeeded and its answer was not kept.
//
// # Concurrency
//
// The record is not looked up before the handler runs: the first request
// of a key, by far the most common, finds none, and its insert with the
// change is the check. It is looked up only when the handler answers
// without having kept the key with a change: when it refused the request
// (a retry of a done change may be judged anew, as a duplicate lead or a
// coupon used up), wrote nothing, or the engine refused the record; then a
// stored record's answer replaces the handler's before a byte of it leaves.
//
// A retry that arrives while the first request runs is answered 409 at
// once by this process (an in-memory set of keys in flight). On several
// replicas the record's primary key (owner, key) is the backstop: the
// second transaction's insert conflicts and the change it carried rolls
// back with it; the request gets the first one's answer if that committed
// meanwhile, and 409 if it is still in flight; so twenty identical
// requests make one change whatever reaches which replica.
//
// # Which writes
//
// Every POST, PUT and PATCH a credential makes (httpx.Guard runs this
// middleware inside each surface's authentication): the energy partner and
// catalog admin routes, the storefront and its admin API, the companies
// routes. Two writes have no credential to scope a key to and are left
// out: the companies login (which only issues a token) and the signing
// page's form (a browser posts it; its token is in the path). A GET, or a
// write without the header, passes through untouched.
//
// # Fingerprints and scope
//
// A key belongs to a credential (the owner: a partner API key, a storefront
// Origin and client address, a companies user), so two owners never share
// a key. The record keeps a SHA-256 fingerprint of the method, the path
// with its query, the owner and the body; the body is hashed while the
// handler streams it (uploads included, nothing is buffered), and what the
// handler left unread is drained into the hash before the transaction. The
// same key with another fingerprint is answered 422. Records expire after
// 24 hours (Sweep deletes them; an expired key may be used again).
package idempotency
