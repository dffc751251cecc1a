package storefront

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"partnership-service/internal/apperr"
	"partnership-service/internal/textnorm"
	"partnership-service/internal/upload"
	"partnership-service/internal/webhook"
)

// Documents are accepted with the same rules as the energy uploads: PDF,
// JPEG or PNG by content, names up to 255 bytes.
var allowedFileTypes = []string{"application/pdf", "image/jpeg", "image/png"}

const maxFileNameLen = 255

// formField is the multipart field of a document kind: files[selfie].
func formField(k FileKind) string { return "files[" + string(k) + "]" }

// filePolicy is what an upload of documents may carry.
func filePolicy(maxFileBytes int64) upload.Policy {
	fields := make([]upload.Field, 0, len(FileKinds))
	for _, k := range FileKinds {
		fields = append(fields, upload.Field{Name: formField(k)})
	}
	return upload.Policy{
		Fields:         fields,
		MaxFileBytes:   maxFileBytes,
		MaxFileNameLen: maxFileNameLen,
		AllowedTypes:   allowedFileTypes,
		// The three files, plus the plan_id the seed lists (and ignores).
		MaxParts:      8,
		MaxValueBytes: 1 << 10,
		// The three files at their cap, plus room for the multipart framing.
		MaxBodyBytes: int64(len(FileKinds))*maxFileBytes + 1<<20,
		// A PDF must parse as one and an image decode its header, so an
		// HTML page with a PDF or PNG magic is refused.
		CheckStructure: true,
	}
}

// uploadError words the shared upload piece's client errors for this
// surface; anything else is left as it is (internal unless typed).
func uploadError(err error) error {
	var fe *upload.FieldError
	if !errors.As(err, &fe) {
		return err
	}
	if fe.Reason == upload.ReasonNotMultipart {
		return apperr.Field(apperr.UnsupportedMedia, "content_type", "deve ser multipart/form-data")
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
	case upload.ReasonFileNameNotAllowed:
		msg = "o nome do arquivo " + textnorm.Message
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
func (s *Service) AttachFiles(ctx context.Context, providerID int64, id string, src upload.Source) (SubscribeResult, error) {
	sub, err := s.subscription(ctx, providerID, id)
	if err != nil {
		return SubscribeResult{}, err
	}
	res, err := src.Receive(ctx, s.blobs, s.files)
	if err != nil {
		return SubscribeResult{}, uploadError(err)
	}
	files := make([]SubscriptionFile, 0, len(res.Files))
	for _, k := range FileKinds {
		if st, ok := res.Files[formField(k)]; ok {
			files = append(files, SubscriptionFile{Kind: k, FileName: st.FileName, Object: st.Object})
		}
	}
	if len(files) == 0 {
		return SubscribeResult{}, apperr.Field(apperr.Unprocessable, "files", "nenhum arquivo enviado")
	}
	now := s.now()
	for i := range files {
		files[i].UploadedAt = now
	}
	ev, err := subscriptionEvent(webhook.SubscriptionFilesUploaded, withFiles(sub, files), now)
	if err != nil {
		s.deleteBlobs(ctx, files)
		return SubscribeResult{}, err
	}
	replaced, err := s.store.PutSubscriptionFiles(ctx, providerID, sub.ID, files, ev)
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

// withFiles is sub after files replace those of their kinds, in the GET's
// order (by kind).
func withFiles(sub Subscription, files []SubscriptionFile) Subscription {
	merged := slices.DeleteFunc(slices.Clone(sub.Files), func(old SubscriptionFile) bool {
		return slices.ContainsFunc(files, func(f SubscriptionFile) bool { return f.Kind == old.Kind })
	})
	sub.Files = append(merged, files...)
	slices.SortFunc(sub.Files, func(a, b SubscriptionFile) int { return strings.Compare(string(a.Kind), string(b.Kind)) })
	return sub
}
