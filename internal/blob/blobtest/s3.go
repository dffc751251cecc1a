package blobtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"partnership-service/internal/blob"
	"partnership-service/internal/testkit"
)

// S3URLEnv names the S3 server the tests use, as the service's --blob-url
// spells it; `bash scripts/s3.sh start` starts one and prints it.
const S3URLEnv = "PARTNERSHIP_TEST_S3_URL"

// S3URL is a blob URL under a fresh prefix of the test server's bucket,
// so every test sees an empty store; tb skips (fails in CI) without a
// server. Cleanup removes what the test left under the prefix.
func S3URL(tb testing.TB) string {
	tb.Helper()
	raw := os.Getenv(S3URLEnv)
	testkit.SkipUnlessPresent(tb, raw != "", S3URLEnv+" is unset: eval \"$(bash scripts/s3.sh start)\" runs a real S3 server (Versity Gateway)")
	u, err := url.Parse(raw)
	if err != nil {
		tb.Fatalf("%s: %v", S3URLEnv, err)
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	u.Path = strings.TrimSuffix(u.Path, "/") + "/test-" + hex.EncodeToString(b[:])
	s := u.String()
	tb.Cleanup(func() {
		client, bucket, prefix := S3Inspector(tb, s)
		ctx := context.Background()
		for obj := range client.ListObjectsIter(ctx, bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
			if obj.Err == nil {
				_ = client.RemoveObject(ctx, bucket, obj.Key, minio.RemoveObjectOptions{})
			}
		}
	})
	return s
}

// NewS3 is an object store under a fresh prefix of the test server's
// bucket, and a function listing what it holds: objects and unfinished
// multipart uploads.
func NewS3(tb testing.TB) (blob.Driver, func(testing.TB) []string) {
	tb.Helper()
	raw := S3URL(tb)
	d, err := blob.Open(context.Background(), raw)
	if err != nil {
		tb.Fatal(err)
	}
	client, bucket, prefix := S3Inspector(tb, raw)
	return d, func(tb testing.TB) []string {
		tb.Helper()
		ctx := context.Background()
		var held []string
		for obj := range client.ListObjectsIter(ctx, bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
			if obj.Err != nil {
				tb.Fatal(obj.Err)
			}
			held = append(held, strings.TrimPrefix(obj.Key, prefix))
		}
		for up := range client.ListIncompleteUploads(ctx, bucket, prefix, true) {
			if up.Err != nil {
				tb.Fatal(up.Err)
			}
			held = append(held, "unfinished upload "+strings.TrimPrefix(up.Key, prefix))
		}
		return held
	}
}

// S3Inspector is a client of its own on the server a blob URL names, for
// looking at the bucket the way another program would.
func S3Inspector(tb testing.TB, raw string) (client *minio.Client, bucket, prefix string) {
	tb.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		tb.Fatal(err)
	}
	ep, err := url.Parse(u.Query().Get("endpoint"))
	if err != nil {
		tb.Fatal(err)
	}
	client, err = minio.New(ep.Host, &minio.Options{Creds: credentials.NewEnvAWS(), Secure: ep.Scheme == "https", Region: u.Query().Get("region")})
	if err != nil {
		tb.Fatal(err)
	}
	return client, u.Host, strings.Trim(u.Path, "/") + "/"
}
