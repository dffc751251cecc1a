package storefront

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"

	"partnership-service/internal/apperr"
	"partnership-service/internal/blob"
	"partnership-service/internal/upload"
)

// Documents are accepted with the same rules as the energy uploads: PDF,
// JPEG or PNG by content, names up to 255 bytes.
var allowedFileTypes = []string{"application/pdf", "image/jpeg", "image/png"}

const maxFileNameLen = 255

// formField is the multipart field of a document kind: files[selfie].
func formField(k FileKind) string { return "files[" + string(k) + "]" }

type uploadPolicy struct {
	policy upload.Policy
}

func newUploadPolicy(maxFileBytes int64) uploadPolicy {
	fields := make([]upload.Field, 0, len(FileKinds))
	for _, k := range FileKinds {
		fields = append(fields, upload.Field{Name: formField(k)})
	}
	return uploadPolicy{policy: upload.Policy{
		Fields:         fields,
		MaxFileBytes:   maxFileBytes,
		MaxFileNameLen: maxFileNameLen,
		AllowedTypes:   allowedFileTypes,
		// The three files, plus the plan_id the seed lists (and ignores).
		MaxParts:      8,
		MaxValueBytes: 1 << 10,
	}}
}

// receiver streams the request's documents into the blob store.
func (p uploadPolicy) receiver(r *http.Request) func(context.Context, blob.Store) ([]SubscriptionFile, error) {
	return func(ctx context.Context, store blob.Store) ([]SubscriptionFile, error) {
		if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "multipart/form-data" {
			return nil, apperr.Field(apperr.UnsupportedMedia, "content_type", "deve ser multipart/form-data")
		}
		// The three files at their cap, plus room for the multipart framing.
		r.Body = http.MaxBytesReader(nil, r.Body, int64(len(FileKinds))*p.policy.MaxFileBytes+1<<20)
		res, err := upload.Receive(ctx, r, store, p.policy)
		if err != nil {
			return nil, p.uploadError(err)
		}
		files := make([]SubscriptionFile, 0, len(res.Files))
		for _, k := range FileKinds {
			if st, ok := res.Files[formField(k)]; ok {
				files = append(files, SubscriptionFile{Kind: k, FileName: st.FileName, Object: st.Object})
			}
		}
		return files, nil
	}
}

// uploadError words the shared upload piece's client errors for this
// surface; anything else is left as it is (internal unless typed).
func (p uploadPolicy) uploadError(err error) error {
	var fe *upload.FieldError
	if !errors.As(err, &fe) {
		return err
	}
	field, code := fe.Field, apperr.Unprocessable
	if field == "" {
		field = "files"
	}
	var msg string
	switch fe.Reason {
	case upload.ReasonMissing:
		msg = msgBlank
	case upload.ReasonTooLarge:
		msg = fmt.Sprintf("muito grande (máximo %d bytes)", fe.Limit)
		if fe.Field == "" {
			code = apperr.TooLarge
		}
	case upload.ReasonTypeNotAllowed:
		msg = "tipo de arquivo não permitido (aceitos: PDF, JPEG, PNG)"
	case upload.ReasonFileNameTooLong:
		msg = fmt.Sprintf("nome do arquivo muito longo (máximo %d caracteres)", fe.Limit)
	case upload.ReasonEmpty:
		msg = "arquivo vazio"
	case upload.ReasonDuplicate:
		msg = "enviado mais de uma vez"
	case upload.ReasonUnexpected:
		msg = "campo não esperado"
	default:
		msg = "formulário multipart inválido"
		code = apperr.Invalid
	}
	return &apperr.Error{Code: code, Message: msg, Fields: map[string][]string{field: {msg}}, Err: err}
}

// AttachFiles stores a subscription's documents, replacing earlier ones of
// the same kind. The subscription is looked up before anything is read, so
// a request for an unknown (or another provider's) subscription stores
// nothing.
func (s *Service) AttachFiles(ctx context.Context, t *tenant, id string, receive func(context.Context, blob.Store) ([]SubscriptionFile, error)) (SubscribeResult, error) {
	sub, err := s.subscription(ctx, t.Provider.ID, id)
	if err != nil {
		return SubscribeResult{}, err
	}
	files, err := receive(ctx, s.blobs)
	if err != nil {
		return SubscribeResult{}, err
	}
	if len(files) == 0 {
		return SubscribeResult{}, apperr.Field(apperr.Unprocessable, "files", "nenhum arquivo enviado")
	}
	now := s.now()
	for i := range files {
		files[i].UploadedAt = now
	}
	replaced, err := s.store.PutSubscriptionFiles(ctx, t.Provider.ID, sub.ID, files)
	if err != nil {
		s.deleteBlobs(ctx, files)
		return SubscribeResult{}, err
	}
	s.deleteBlobs(ctx, replaced)
	return SubscribeResult{ID: sub.ID, Coverage: sub.Coverage}, nil
}

// deleteBlobs removes files no record points to. A failure leaves an
// orphan file, which costs disk but loses nothing: it is logged, not worth
// failing the request for.
func (s *Service) deleteBlobs(ctx context.Context, files []SubscriptionFile) {
	for _, f := range files {
		if err := s.blobs.Delete(context.WithoutCancel(ctx), f.Object.Key); err != nil {
			slog.WarnContext(ctx, "delete orphaned subscription file", "key", f.Object.Key, "err", err)
		}
	}
}
