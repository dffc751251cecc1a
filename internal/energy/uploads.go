package energy

import (
	"context"
	"errors"
	"fmt"
	"time"

	"partnership-service/internal/apperr"
	"partnership-service/internal/textnorm"
	"partnership-service/internal/upload"
)

// DocumentKind names a file a lead can have. The names are the form fields
// of the v2 upload (and "utilityBill"), so the lead shows its documents
// under the names partners send them with.
type DocumentKind string

const (
	DocUtilityBill    DocumentKind = "utilityBill"
	DocConstitutional DocumentKind = "constitucional"
	DocIDFront        DocumentKind = "identificacaoFrente"
	DocIDBack         DocumentKind = "identificacaoVerso"
)

// Document is a stored file of a lead.
type Document struct {
	Kind        DocumentKind
	Key         string // blob key
	FileName    string
	ContentType string
	Size        int64
	SHA256      string // hex
	UploadedAt  time.Time
}

// UploadForm is one of the three upload routes.
type UploadForm int

const (
	// UtilityBillForm is POST …/utility-bill: field "utilityBill".
	UtilityBillForm UploadForm = iota
	// DocumentForm is POST …/document: field "file", the constitutional
	// document of a juridical lead.
	DocumentForm
	// DocumentsV2Form is PUT …/v2/document: "identificacaoFrente",
	// "identificacaoVerso" and, for juridical leads, "constitucional".
	DocumentsV2Form
)

// Upload limits besides the configurable file size.
const (
	MaxFileNameLen = 150 // characters of the file name the client sends
	uploadMaxParts = 8
)

// uploadTypes are accepted by content, whatever the file's name says.
var uploadTypes = []string{"application/pdf", "image/jpeg", "image/png"}

// formField maps a form field to the document it carries.
type formField struct {
	name string
	kind DocumentKind
}

func (u UploadForm) fields() []formField {
	switch u {
	case UtilityBillForm:
		return []formField{{"utilityBill", DocUtilityBill}}
	case DocumentForm:
		return []formField{{"file", DocConstitutional}}
	default:
		return []formField{
			{"identificacaoFrente", DocIDFront},
			{"identificacaoVerso", DocIDBack},
			{"constitucional", DocConstitutional},
		}
	}
}

// Upload streams the files of one upload form into the blob store and
// records them on the lead. A document is sent once: sending it again is a
// 400 naming the field. In the v2 form each document is required unless it
// was already sent (so "constitucional" is optional there after
// POST …/document), and "constitucional" exists only for juridical leads.
// Any refusal, including one found after the files were stored, leaves no
// file and no record behind.
func (s *LeadService) Upload(ctx context.Context, p Principal, id string, form UploadForm, src upload.Source) (Lead, error) {
	l, err := s.changeableLead(ctx, p, id)
	if err != nil {
		return Lead{}, err
	}
	policy := upload.Policy{
		MaxFileBytes:   s.maxFile,
		MaxFileNameLen: MaxFileNameLen,
		AllowedTypes:   uploadTypes,
		MaxParts:       uploadMaxParts,
		MaxValueBytes:  1 << 10,
		// A PDF must parse as one and an image decode its header, so an
		// HTML page with a PDF or PNG magic is refused.
		CheckStructure: true,
	}
	refused := map[string]string{} // field → why it may not be sent
	for _, ff := range form.fields() {
		switch {
		case ff.kind == DocConstitutional && l.PersonType != Juridical:
			refused[ff.name] = ff.name + ": o documento constitucional é apenas para lead PJ"
		case hasDocument(l, ff.kind):
			refused[ff.name] = ff.name + ": documento já enviado"
		default:
			policy.Fields = append(policy.Fields, upload.Field{Name: ff.name, Required: true})
		}
	}
	// The single-file forms refuse before reading the body; the v2 form
	// refuses when a refused field arrives (see uploadError).
	if form != DocumentsV2Form {
		if msg, ok := refused[form.fields()[0].name]; ok {
			return Lead{}, apperr.Field(apperr.Invalid, form.fields()[0].name, msg)
		}
	} else if len(policy.Fields) == 0 {
		return Lead{}, apperr.Field(apperr.Invalid, "identificacaoFrente", "todos os documentos deste lead já foram enviados")
	}

	res, err := src.Receive(ctx, s.blobs, policy)
	if err != nil {
		return Lead{}, s.uploadError(err, refused)
	}
	now := s.clock()
	var docs []Document
	for _, ff := range form.fields() {
		if st, ok := res.Files[ff.name]; ok {
			docs = append(docs, Document{
				Kind: ff.kind, Key: st.Object.Key, FileName: st.FileName, ContentType: st.Object.ContentType,
				Size: st.Object.Size, SHA256: st.Object.SHA256, UploadedAt: now,
			})
		}
	}
	updated, err := s.updateLead(ctx, p, id, func(l *Lead) error {
		if err := l.checkChangeable(); err != nil {
			return err
		}
		for _, d := range docs {
			if hasDocument(*l, d.Kind) { // sent by a concurrent request
				return apperr.Field(apperr.Invalid, string(d.Kind), string(d.Kind)+": documento já enviado")
			}
		}
		l.Documents = append(l.Documents, docs...)
		l.UpdatedAt = now
		return nil
	})
	if err != nil {
		for _, d := range docs {
			s.deleteBlobs(ctx, d.Key)
		}
		return Lead{}, leadNotFound(err)
	}
	return updated, nil
}

func hasDocument(l Lead, k DocumentKind) bool {
	_, ok := l.Document(k)
	return ok
}

// deleteBlobs removes files whose record was refused or replaced. It runs
// even when the request was cancelled, or the files would stay behind.
func (s *LeadService) deleteBlobs(ctx context.Context, keys ...string) {
	ctx = context.WithoutCancel(ctx)
	for _, k := range keys {
		if err := s.blobs.Delete(ctx, k); err != nil {
			s.log.ErrorContext(ctx, "delete stored file", "key", k, "err", err)
		}
	}
}

// uploadError words the upload package's refusals for this surface.
func (s *LeadService) uploadError(err error, refused map[string]string) error {
	var fe *upload.FieldError
	if !errors.As(err, &fe) {
		return err
	}
	var msg string
	switch fe.Reason {
	case upload.ReasonNotMultipart:
		return apperr.Wrap(apperr.UnsupportedMedia, err, "Content-Type deve ser multipart/form-data")
	case upload.ReasonTooLarge:
		if fe.Field == "" { // the whole body is over the server's cap
			return apperr.Wrap(apperr.TooLarge, err, fmt.Sprintf("o corpo da requisição excede %s", byteSize(fe.Limit)))
		}
		msg = fmt.Sprintf("%s excede o tamanho máximo de %s", fe.Field, byteSize(s.maxFile))
	case upload.ReasonMissing:
		msg = fe.Field + " é obrigatório"
	case upload.ReasonTypeNotAllowed:
		msg = fe.Field + " deve ser um arquivo PDF, JPEG ou PNG"
	case upload.ReasonFileNameTooLong:
		msg = fmt.Sprintf("%s: o nome do arquivo excede %d caracteres", fe.Field, MaxFileNameLen)
	case upload.ReasonFileNameNotAllowed:
		msg = fe.Field + ": o nome do arquivo " + textnorm.Message
	case upload.ReasonEmpty:
		msg = fe.Field + " está vazio"
	case upload.ReasonDuplicate:
		msg = fe.Field + " foi enviado mais de uma vez"
	case upload.ReasonUnexpected:
		if m, ok := refused[fe.Field]; ok {
			msg = m
		} else {
			msg = fmt.Sprintf("campo %q não esperado neste envio", clip(fe.Field))
		}
	default:
		msg = "o corpo deve ser multipart/form-data válido"
	}
	field := fe.Field
	if field == "" {
		field = "body"
	}
	return &apperr.Error{Code: apperr.Invalid, Message: msg, Fields: map[string][]string{field: {msg}}, Err: err}
}

// byteSize renders a size limit for messages: "10 MiB".
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
