package blob

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
)

// Open opens the driver a URL names: file://<dir> for a local directory
// (file:///srv/files, or file://data/files relative to the working
// directory), or s3://bucket[/prefix]?endpoint=…&region=… for
// S3-compatible object storage.
func Open(ctx context.Context, rawURL string) (Driver, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("blob: URL %q: %w", rawURL, err)
	}
	switch u.Scheme {
	case "file":
		dir := filepath.FromSlash(u.Host + u.Path)
		if dir == "" || u.RawQuery != "" || u.User != nil {
			return nil, fmt.Errorf("blob: file URL %q must be file://<directory> and nothing else", rawURL)
		}
		return NewDir(dir)
	case "s3":
		cfg, err := parseS3URL(u)
		if err != nil {
			return nil, err
		}
		return NewS3(ctx, cfg)
	}
	return nil, fmt.Errorf("blob: URL %q must start with file:// or s3://", strings.SplitN(rawURL, "?", 2)[0])
}
