package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"example.com/gofront/bench/heavy/internal/store"
)

// greeting is returned by GET /v1/greeting. Benchmarks edit this line to
// simulate a one-line source change.
const greeting = "hello from the gofront heavy benchmark service"

const (
	maxBodyBytes       = 1 << 20
	maxAttachmentBytes = 8 << 20
	maxTextLen         = 4000
	maxTags            = 16
	defaultListLimit   = 50
)

// requestNamespace derives stable request ids from client-supplied ones.
var requestNamespace = uuid.MustParse("6f1c8f0e-2b7a-4c39-9d57-1f0b7e0a6c11")

type errorResponse struct {
	Error string `json:"error"`
}

type greetingResponse struct {
	Message   string    `json:"message"`
	Version   string    `json:"version"`
	RequestID uuid.UUID `json:"request_id"`
}

type noteRequest struct {
	Text string   `json:"text"`
	Tags []string `json:"tags"`
}

type listResponse struct {
	Notes []store.Note `json:"notes"`
	Count int          `json:"count"`
}

func (s *server) root(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "heavy %s\n", s.version)
}

func (s *server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "ok\n")
}

func (s *server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Notes.Ping(ctx); err != nil {
		s.grpc.SetServing(false)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{
			"status": "unavailable", "backend": s.store.Notes.Name(), "error": err.Error(),
		})
		return
	}
	s.grpc.SetServing(true)
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready", "backend": s.store.Notes.Name()})
}

func (s *server) greeting(w http.ResponseWriter, r *http.Request) {
	id := uuid.New()
	if rid := r.Header.Get("X-Request-Id"); rid != "" {
		id = uuid.NewSHA1(requestNamespace, []byte(rid))
	}
	writeJSON(w, http.StatusOK, greetingResponse{Message: greeting, Version: s.version, RequestID: id})
}

func (s *server) config(w http.ResponseWriter, r *http.Request) {
	data, err := s.cfg.Redacted()
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	w.Header().Set("Content-Type", "application/yaml")
	w.Write(data)
}

func (s *server) spans(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.tel.Ring.Recent())
}

func (s *server) createNote(w http.ResponseWriter, r *http.Request) {
	var req noteRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, fmt.Errorf("invalid JSON: %w", err))
		return
	}
	req.Text = strings.TrimSpace(req.Text)
	switch {
	case req.Text == "":
		writeError(w, http.StatusUnprocessableEntity, errors.New("text is required"))
		return
	case len(req.Text) > maxTextLen:
		writeError(w, http.StatusUnprocessableEntity, fmt.Errorf("text is longer than %d bytes", maxTextLen))
		return
	case len(req.Tags) > maxTags:
		writeError(w, http.StatusUnprocessableEntity, fmt.Errorf("at most %d tags", maxTags))
		return
	}
	n := store.Note{ID: uuid.New(), Text: req.Text, Tags: req.Tags, Created: time.Now().UTC()}
	if err := s.store.Notes.Put(r.Context(), n); err != nil {
		writeError(w, http.StatusServiceUnavailable, err)
		return
	}
	s.audit(r.Context(), n.ID, "create")
	w.Header().Set("Location", "/v1/notes/"+n.ID.String())
	writeJSON(w, http.StatusCreated, n)
}

func (s *server) listNotes(w http.ResponseWriter, r *http.Request) {
	limit := defaultListLimit
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			writeError(w, http.StatusBadRequest, errors.New("limit must be 1..1000"))
			return
		}
		limit = n
	}
	notes, err := s.store.Notes.List(r.Context(), limit)
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, err)
		return
	}
	writeJSON(w, http.StatusOK, listResponse{Notes: notes, Count: len(notes)})
}

func (s *server) getNote(w http.ResponseWriter, r *http.Request) {
	n, ok := s.lookup(w, r)
	if ok {
		writeJSON(w, http.StatusOK, n)
	}
}

func (s *server) putAttachment(w http.ResponseWriter, r *http.Request) {
	if s.store.Blobs == nil {
		writeError(w, http.StatusNotImplemented, errors.New("attachments need S3_BUCKET"))
		return
	}
	n, ok := s.lookup(w, r)
	if !ok {
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAttachmentBytes))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, err)
		return
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		ct = http.DetectContentType(body)
	}
	key, err := s.store.Blobs.Put(r.Context(), n.ID, ct, body)
	if err != nil {
		writeError(w, http.StatusBadGateway, err)
		return
	}
	n.Attachment = key
	if err := s.store.Notes.Put(r.Context(), n); err != nil {
		writeError(w, http.StatusServiceUnavailable, err)
		return
	}
	s.audit(r.Context(), n.ID, "attach")
	writeJSON(w, http.StatusOK, n)
}

func (s *server) getAttachment(w http.ResponseWriter, r *http.Request) {
	if s.store.Blobs == nil {
		writeError(w, http.StatusNotImplemented, errors.New("attachments need S3_BUCKET"))
		return
	}
	n, ok := s.lookup(w, r)
	if !ok {
		return
	}
	if n.Attachment == "" {
		writeError(w, http.StatusNotFound, errors.New("note has no attachment"))
		return
	}
	if r.URL.Query().Has("inline") {
		data, ct, err := s.store.Blobs.Get(r.Context(), n.Attachment)
		if err != nil {
			writeError(w, http.StatusBadGateway, err)
			return
		}
		w.Header().Set("Content-Type", ct)
		w.Write(data)
		return
	}
	url, err := s.store.Blobs.PresignGet(r.Context(), n.Attachment, 15*time.Minute)
	if err != nil {
		writeError(w, http.StatusBadGateway, err)
		return
	}
	http.Redirect(w, r, url, http.StatusFound)
}

func (s *server) history(w http.ResponseWriter, r *http.Request) {
	if s.store.Audit == nil {
		writeError(w, http.StatusNotImplemented, errors.New("history needs DYNAMODB_TABLE"))
		return
	}
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		writeError(w, http.StatusBadRequest, errors.New("id must be a UUID"))
		return
	}
	events, err := s.store.Audit.History(r.Context(), id, 100)
	if err != nil {
		writeError(w, http.StatusBadGateway, err)
		return
	}
	writeJSON(w, http.StatusOK, events)
}

// lookup loads the note named by the {id} path value, or writes an error.
func (s *server) lookup(w http.ResponseWriter, r *http.Request) (store.Note, bool) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		writeError(w, http.StatusBadRequest, errors.New("id must be a UUID"))
		return store.Note{}, false
	}
	n, err := s.store.Notes.Get(r.Context(), id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, err)
		return n, false
	case err != nil:
		writeError(w, http.StatusServiceUnavailable, err)
		return n, false
	}
	return n, true
}

// audit records an event when the audit table is configured; failures are
// logged, not returned, so the audit log never blocks writes.
func (s *server) audit(ctx context.Context, id uuid.UUID, action string) {
	if s.store.Audit == nil {
		return
	}
	if err := s.store.Audit.Record(ctx, id, action); err != nil {
		s.log.Warn("audit record failed", "note", id, "action", action, "err", err)
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func writeError(w http.ResponseWriter, code int, err error) {
	writeJSON(w, code, errorResponse{Error: err.Error()})
}
