package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3 stores files in a bucket of an S3-compatible object store, under
// prefix + key. Uploads are multipart: an object exists only once its
// upload completes, so a refused, failed or cut-off upload is never
// readable; what a crash leaves is an incomplete upload, which SweepTemp
// aborts.
type S3 struct {
	client *minio.Client
	bucket string
	prefix string // "" or ending in "/"
}

var _ Driver = (*S3)(nil)

// s3PartSize is the part of an upload held in memory: 5 MiB is the least
// S3 accepts for every part but the last. Without it the client would size
// parts for a 5 TiB object of unknown length (over 500 MiB each).
const s3PartSize = 5 << 20

// S3Config locates a bucket; the credentials come from the standard AWS
// environment variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and an
// optional AWS_SESSION_TOKEN).
type S3Config struct {
	Bucket string
	Prefix string
	// Endpoint is the server, http://host:port or https://host[:port]; a
	// bare host means HTTPS. Empty: AWS S3 itself.
	Endpoint string
	Region   string
}

// parseS3URL reads s3://bucket[/prefix]?endpoint=...&region=...
func parseS3URL(u *url.URL) (S3Config, error) {
	q := u.Query()
	for k := range q {
		if k != "endpoint" && k != "region" {
			return S3Config{}, fmt.Errorf("blob: s3 URL: unknown parameter %q (endpoint and region are known)", k)
		}
	}
	if u.Host == "" || u.User != nil {
		return S3Config{}, errors.New("blob: s3 URL must name a bucket, s3://bucket[/prefix]?endpoint=…&region=…, without credentials (they come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)")
	}
	return S3Config{Bucket: u.Host, Prefix: strings.Trim(u.Path, "/"), Endpoint: q.Get("endpoint"), Region: q.Get("region")}, nil
}

// NewS3 connects to the bucket and checks that it exists, so a wrong URL or
// credentials fail at start-up rather than on the first upload.
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	host, secure := "s3.amazonaws.com", true
	if cfg.Endpoint != "" {
		e := cfg.Endpoint
		if !strings.Contains(e, "://") {
			e = "https://" + e
		}
		u, err := url.Parse(e)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return nil, fmt.Errorf("blob: s3 endpoint %q must be http(s)://host[:port]", cfg.Endpoint)
		}
		host, secure = u.Host, u.Scheme == "https"
	}
	client, err := minio.New(host, &minio.Options{
		Creds:     credentials.NewEnvAWS(),
		Secure:    secure,
		Region:    cfg.Region,
		Transport: s3Transport(secure),
	})
	if err != nil {
		return nil, fmt.Errorf("blob: s3 client: %w", err)
	}
	ok, err := client.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("blob: s3 bucket %s: %w", cfg.Bucket, err)
	}
	if !ok {
		return nil, fmt.Errorf("blob: s3 bucket %s does not exist", cfg.Bucket)
	}
	prefix := cfg.Prefix
	if prefix != "" {
		prefix += "/"
	}
	return &S3{client: client, bucket: cfg.Bucket, prefix: prefix}, nil
}

// s3Transport is the client's default transport with its timeouts, and
// enough idle connections per host that concurrent uploads reuse them.
func s3Transport(secure bool) http.RoundTripper {
	t, err := minio.DefaultTransport(secure)
	if err != nil {
		return http.DefaultTransport
	}
	t.MaxIdleConnsPerHost = 64
	return t
}

// Put streams r into a multipart upload through the same checks as the file
// store; the upload completes only after every check passed.
func (s *S3) Put(ctx context.Context, r io.Reader, lim Limits) (Object, error) {
	return put(ctx, r, lim, func(contentType string) (sink, error) { return s.begin(ctx, contentType), nil })
}

// s3Sink feeds a running PutObject through a pipe: the client reads a part
// at a time, so at most one part is in memory.
type s3Sink struct {
	*io.PipeWriter
	key  string
	done chan error
}

// errAborted tells the client the upload must not complete.
var errAborted = errors.New("blob: upload aborted")

func (s *S3) begin(ctx context.Context, contentType string) sink {
	pr, pw := io.Pipe()
	out := &s3Sink{PipeWriter: pw, key: newKey(), done: make(chan error, 1)}
	go func() {
		_, err := s.client.PutObject(ctx, s.bucket, s.prefix+out.key, pr, -1, minio.PutObjectOptions{
			ContentType: contentType, PartSize: s3PartSize,
			// Each part carries a CRC32C checksum the server verifies;
			// signing its SHA-256 as well would make the client re-buffer
			// the part in signed chunks (about 1 MiB of garbage per part).
			DisableContentSha256: true,
		})
		// A failed upload unblocks the writer, so put sees the failure.
		pr.CloseWithError(cmpErr(err, errAborted))
		out.done <- err
	}()
	return out
}

func cmpErr(err, fallback error) error {
	if err != nil {
		return err
	}
	return fallback
}

// commit ends the stream: the client uploads the last part and completes
// the upload, which is when the object appears.
func (o *s3Sink) commit() (string, error) {
	_ = o.Close()
	if err := <-o.done; err != nil {
		return "", fmt.Errorf("blob: s3 upload: %w", err)
	}
	return o.key, nil
}

// abort fails the stream, so the client aborts the multipart upload (it
// does so even when the request's context is cancelled), and waits for it.
func (o *s3Sink) abort() {
	_ = o.CloseWithError(errAborted)
	<-o.done
}

// Open returns the object stored under key.
func (s *S3) Open(ctx context.Context, key string) (io.ReadCloser, Object, error) {
	if err := ctx.Err(); err != nil {
		return nil, Object{}, err
	}
	if !validKey(key) {
		return nil, Object{}, ErrNotFound
	}
	obj, err := s.client.GetObject(ctx, s.bucket, s.prefix+key, minio.GetObjectOptions{})
	if err != nil {
		return nil, Object{}, fmt.Errorf("blob: s3 get: %w", err)
	}
	st, err := obj.Stat()
	if err != nil {
		obj.Close()
		if notFound(err) {
			return nil, Object{}, ErrNotFound
		}
		return nil, Object{}, fmt.Errorf("blob: s3 stat: %w", err)
	}
	return obj, Object{Key: key, Size: st.Size, ContentType: st.ContentType}, nil
}

func notFound(err error) bool {
	code := minio.ToErrorResponse(err).Code
	return code == minio.NoSuchKey || code == "NotFound"
}

// Delete removes key; a missing key is not an error (S3 says so itself).
// Like the file store's, it ignores ctx being done.
func (s *S3) Delete(ctx context.Context, key string) error {
	if !validKey(key) {
		return ErrNotFound
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if err := s.client.RemoveObject(ctx, s.bucket, s.prefix+key, minio.RemoveObjectOptions{}); err != nil && !notFound(err) {
		return fmt.Errorf("blob: s3 delete: %w", err)
	}
	return nil
}

// SweepTemp aborts the incomplete uploads begun over olderThan ago: what a
// crashed process left. Younger ones may still be running.
func (s *S3) SweepTemp(ctx context.Context, olderThan time.Duration) error {
	cutoff := time.Now().Add(-olderThan)
	var errs []error
	for up := range s.client.ListIncompleteUploads(ctx, s.bucket, s.prefix, true) {
		if up.Err != nil {
			return fmt.Errorf("blob: s3 sweep: %w", up.Err)
		}
		if !up.Initiated.Before(cutoff) || !validKey(strings.TrimPrefix(up.Key, s.prefix)) {
			continue
		}
		if err := s.client.RemoveIncompleteUpload(ctx, s.bucket, up.Key); err != nil {
			errs = append(errs, fmt.Errorf("blob: s3 sweep: %w", err))
		}
	}
	return errors.Join(errs...)
}

// SweepOrphans is Dir.SweepOrphans over the bucket's objects under the
// prefix, by their last-modified time.
func (s *S3) SweepOrphans(ctx context.Context, cutoff time.Time, unreferenced func(ctx context.Context, keys []string) ([]string, error)) (int, error) {
	b := orphanBatch{store: s, unreferenced: unreferenced}
	for obj := range s.client.ListObjectsIter(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.prefix, Recursive: true}) {
		if obj.Err != nil {
			return b.removed, fmt.Errorf("blob: s3 sweep orphans: %w", obj.Err)
		}
		key := strings.TrimPrefix(obj.Key, s.prefix)
		if !validKey(key) || !obj.LastModified.Before(cutoff) {
			continue
		}
		if err := b.add(ctx, key); err != nil {
			return b.removed, err
		}
	}
	err := b.flush(ctx)
	return b.removed, err
}
