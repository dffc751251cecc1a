// Command baseline is the yardstick for the load tests: the barest net/http
// handlers doing the same job as the service's hot paths, measured with wrk
// in the same run so the service is judged as a ratio, not in absolute
// numbers that depend on the machine.
//
//	baseline -addr 127.0.0.1:9090 -bytes-from URL [-header 'K: V']  # serves the exact bytes URL answers, headers included
//	baseline -addr 127.0.0.1:9090 -insert-db FILE                  # POST: decode JSON, INSERT, no fsync
//	baseline -addr 127.0.0.1:9090 -row-db FILE -bytes-from URL [-header 'K: V']
//	                                          # GET: one row of URL's size read by primary key from SQLite
//	baseline -addr 127.0.0.1:9090 -sink       # POST: read the body, answer 204 (a webhook receiver); GET /count: how many
//
// With -insert-pg URL or -row-pg URL in place of the SQLite file, the same
// handlers run on PostgreSQL through pgx (the INSERT with
// synchronous_commit off, as SQLite's runs with synchronous=OFF).
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	_ "modernc.org/sqlite"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9090", "listen address")
	bytesFrom := flag.String("bytes-from", "", "URL whose response body is served as is")
	header := flag.String("header", "", "header sent when fetching -bytes-from, 'Key: value'")
	insertDB := flag.String("insert-db", "", "SQLite file for the bare INSERT handler")
	rowDB := flag.String("row-db", "", "SQLite file for the bare read-one-row handler (with -bytes-from)")
	sink := flag.Bool("sink", false, "answer every POST 204 once its body is read")
	insertPG := flag.String("insert-pg", "", "PostgreSQL URL for the bare INSERT handler (in place of -insert-db)")
	rowPG := flag.String("row-pg", "", "PostgreSQL URL for the bare read-one-row handler (in place of -row-db)")
	flag.Parse()
	ctx := context.Background()

	mux := http.NewServeMux()
	switch {
	case *sink:
		// The partner's receiver runs on the partner's machines; here it
		// shares the service's cores, so it does the least a receiver can.
		// GET /count says how many it has received, so the load script
		// can tell whether the deliveries kept up with the creates.
		var received atomic.Int64
		mux.HandleFunc("POST /", func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			received.Add(1)
			w.WriteHeader(http.StatusNoContent)
		})
		mux.HandleFunc("GET /count", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintln(w, received.Load())
		})
	case (*rowDB != "" || *rowPG != "") && *bytesFrom != "":
		body, answered, err := fetch(*bytesFrom, *header)
		if err != nil {
			log.Fatal(err)
		}
		var read func(ctx context.Context) ([]byte, error)
		if *rowPG != "" {
			read, err = pgRowReader(ctx, *rowPG, body)
		} else {
			read, err = rowReader(*rowDB, body)
		}
		if err != nil {
			log.Fatal(err)
		}
		mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
			b, err := read(r.Context())
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			answered.writeTo(w)
			w.Write(b)
		})
	case *bytesFrom != "":
		body, answered, err := fetch(*bytesFrom, *header)
		if err != nil {
			log.Fatal(err)
		}
		mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
			answered.writeTo(w)
			w.Write(body)
		})
	case *insertDB != "" || *insertPG != "":
		var insert func(ctx context.Context, body string) (int64, error)
		var err error
		if *insertPG != "" {
			insert, err = pgInserter(ctx, *insertPG)
		} else {
			insert, err = inserter(*insertDB)
		}
		if err != nil {
			log.Fatal(err)
		}
		mux.HandleFunc("POST /", func(w http.ResponseWriter, r *http.Request) {
			var v map[string]any
			if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&v); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			b, _ := json.Marshal(v)
			id, err := insert(r.Context(), string(b))
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			fmt.Fprintf(w, `{"id":%d}`, id)
		})
	default:
		log.Fatal("one of -bytes-from, -insert-db (-insert-pg), -row-db (-row-pg) with -bytes-from, or -sink is required")
	}
	log.Fatal(http.ListenAndServe(*addr, mux))
}

// rowKey is the key of the row the read handler serves, among
// rowsAround others, so that the lookup descends a real B-tree.
const (
	rowKey     = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
	rowsAround = 10_000
)

// inserter opens file for the bare INSERT: one connection, no fsync.
func inserter(file string) (func(ctx context.Context, body string) (int64, error), error) {
	db, err := sql.Open("sqlite", "file:"+file+"?_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)&_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL, created_at TEXT NOT NULL)`); err != nil {
		return nil, err
	}
	insert, err := db.Prepare(`INSERT INTO rows (body, created_at) VALUES (?, ?)`)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, body string) (int64, error) {
		res, err := insert.ExecContext(ctx, body, time.Now().UTC().Format(time.RFC3339Nano))
		if err != nil {
			return 0, err
		}
		return res.LastInsertId()
	}, nil
}

// pgInserter is inserter on PostgreSQL: a pool, commits not waiting for
// the WAL's flush.
func pgInserter(ctx context.Context, url string) (func(ctx context.Context, body string) (int64, error), error) {
	pool, err := pgPool(ctx, url)
	if err != nil {
		return nil, err
	}
	if _, err := pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS bare_rows (id bigserial PRIMARY KEY, body text NOT NULL, created_at timestamptz NOT NULL)`); err != nil {
		return nil, err
	}
	return func(ctx context.Context, body string) (id int64, err error) {
		err = pool.QueryRow(ctx, `INSERT INTO bare_rows (body, created_at) VALUES ($1, $2) RETURNING id`, body, time.Now()).Scan(&id)
		return id, err
	}, nil
}

// pgPool connects to url with synchronous_commit off on every connection.
func pgPool(ctx context.Context, url string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	cfg.ConnConfig.RuntimeParams["synchronous_commit"] = "off"
	return pgxpool.NewWithConfig(ctx, cfg)
}

// pgRowReader is rowReader on PostgreSQL.
func pgRowReader(ctx context.Context, url string, body []byte) (func(ctx context.Context) ([]byte, error), error) {
	pool, err := pgPool(ctx, url)
	if err != nil {
		return nil, err
	}
	if _, err := pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS bare_reads (id text PRIMARY KEY, body bytea NOT NULL)`); err != nil {
		return nil, err
	}
	if _, err := pool.Exec(ctx, `INSERT INTO bare_reads (id, body)
		SELECT format('0190a1b2-%s-7e5f-8a9b-%s', lpad(to_hex(i % 65536), 4, '0'), lpad(to_hex(i), 12, '0')), $1
		FROM generate_series(0, $2 - 1) AS i ON CONFLICT DO NOTHING`, body, rowsAround); err != nil {
		return nil, err
	}
	if _, err := pool.Exec(ctx, `INSERT INTO bare_reads (id, body) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET body = excluded.body`, rowKey, body); err != nil {
		return nil, err
	}
	return func(ctx context.Context) (b []byte, err error) {
		err = pool.QueryRow(ctx, `SELECT body FROM bare_reads WHERE id = $1`, rowKey).Scan(&b)
		return b, err
	}, nil
}

// rowReader stores body as the row rowKey of a table keyed by a text
// primary key (as a lead's UUID is) and prepares its read on a pool of
// read-only connections, as the service reads.
func rowReader(file string, body []byte) (func(ctx context.Context) ([]byte, error), error) {
	db, err := sql.Open("sqlite", "file:"+file+"?_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS rows (id TEXT PRIMARY KEY, body BLOB NOT NULL)`); err != nil {
		return nil, err
	}
	tx, err := db.Begin()
	if err != nil {
		return nil, err
	}
	for i := range rowsAround {
		if _, err := tx.Exec(`INSERT OR REPLACE INTO rows (id, body) VALUES (?, ?)`, fmt.Sprintf("0190a1b2-%04x-7e5f-8a9b-%012x", i%0x10000, i), body); err != nil {
			return nil, err
		}
	}
	if _, err := tx.Exec(`INSERT OR REPLACE INTO rows (id, body) VALUES (?, ?)`, rowKey, body); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	db.Close()
	readers, err := sql.Open("sqlite", "file:"+file+"?_pragma=query_only(1)")
	if err != nil {
		return nil, err
	}
	readers.SetMaxIdleConns(8)
	read, err := readers.Prepare(`SELECT body FROM rows WHERE id = ?`)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) (b []byte, err error) {
		err = read.QueryRowContext(ctx, rowKey).Scan(&b)
		return b, err
	}, nil
}

// answeredHeader is the header block the service answered, less what
// net/http writes itself (Date, Content-Length): the baseline sends the
// same header bytes, so a ratio compares the work behind an answer, not
// how many response headers each side chose to send.
type answeredHeader http.Header

func (a answeredHeader) writeTo(w http.ResponseWriter) {
	h := w.Header()
	for k, v := range a {
		h[k] = v
	}
}

func fetch(url, header string) ([]byte, answeredHeader, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return nil, nil, err
	}
	if k, v, ok := strings.Cut(header, ":"); ok {
		req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("%s answered %d", url, res.StatusCode)
	}
	b, err := io.ReadAll(res.Body)
	answered := answeredHeader(res.Header.Clone())
	delete(answered, "Date")
	delete(answered, "Content-Length")
	return b, answered, err
}
