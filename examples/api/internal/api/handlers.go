package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"example.com/gofront/examples/api/internal/store"
)

// greeting is returned by GET /. Benchmarks edit this line to simulate a
// one-line source change.
const greeting = "hello from the gofront example api"

const (
	maxBodyBytes = 1 << 20
	maxNameLen   = 200
	maxDescLen   = 2000
)

type handlers struct {
	store   *store.Store
	log     *slog.Logger
	version string
	env     string
}

type rootResponse struct {
	Message string `json:"message"`
	Version string `json:"version"`
	Env     string `json:"env,omitempty"`
}

type versionResponse struct {
	Version string `json:"version"`
}

type itemRequest struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Quantity    int    `json:"quantity"`
}

type listResponse struct {
	Items []store.Item `json:"items"`
	Count int          `json:"count"`
}

type errorResponse struct {
	Error string `json:"error"`
}

func (h *handlers) root(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, rootResponse{Message: greeting, Version: h.version, Env: h.env})
}

func (h *handlers) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, "ok\n")
}

func (h *handlers) getVersion(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, versionResponse{Version: h.version})
}

func (h *handlers) listItems(w http.ResponseWriter, r *http.Request) {
	items := h.store.List()
	writeJSON(w, http.StatusOK, listResponse{Items: items, Count: len(items)})
}

func (h *handlers) createItem(w http.ResponseWriter, r *http.Request) {
	f, err := decodeItem(w, r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	it := h.store.Create(f)
	h.log.InfoContext(r.Context(), "item created", slog.String("id", it.ID))
	w.Header().Set("Location", "/items/"+it.ID)
	writeJSON(w, http.StatusCreated, it)
}

func (h *handlers) getItem(w http.ResponseWriter, r *http.Request) {
	it, err := h.store.Get(chi.URLParam(r, "id"))
	if err != nil {
		h.storeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, it)
}

func (h *handlers) updateItem(w http.ResponseWriter, r *http.Request) {
	f, err := decodeItem(w, r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	it, err := h.store.Update(chi.URLParam(r, "id"), f)
	if err != nil {
		h.storeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, it)
}

func (h *handlers) deleteItem(w http.ResponseWriter, r *http.Request) {
	if err := h.store.Delete(chi.URLParam(r, "id")); err != nil {
		h.storeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *handlers) storeError(w http.ResponseWriter, err error) {
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, err.Error())
		return
	}
	h.log.Error("store error", slog.Any("err", err))
	writeError(w, http.StatusInternalServerError, "internal error")
}

// decodeItem parses and validates an item request body.
func decodeItem(w http.ResponseWriter, r *http.Request) (store.Fields, error) {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	dec.DisallowUnknownFields()
	var req itemRequest
	if err := dec.Decode(&req); err != nil {
		return store.Fields{}, fmt.Errorf("invalid JSON body: %w", err)
	}
	if dec.More() {
		return store.Fields{}, errors.New("invalid JSON body: trailing data")
	}
	req.Name = strings.TrimSpace(req.Name)
	switch {
	case req.Name == "":
		return store.Fields{}, errors.New("name is required")
	case len(req.Name) > maxNameLen:
		return store.Fields{}, fmt.Errorf("name must be at most %d bytes", maxNameLen)
	case len(req.Description) > maxDescLen:
		return store.Fields{}, fmt.Errorf("description must be at most %d bytes", maxDescLen)
	case req.Quantity < 0:
		return store.Fields{}, errors.New("quantity must not be negative")
	}
	return store.Fields{Name: req.Name, Description: req.Description, Quantity: req.Quantity}, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorResponse{Error: msg})
}
