package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func do(t *testing.T, h http.Handler, method, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(body)))
	return rec
}

func TestNotesPersist(t *testing.T) {
	dir := t.TempDir()
	s, err := openStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	h := newMux(s)

	if rec := do(t, h, "GET", "/healthz", ""); rec.Code != 200 || rec.Body.String() != "ok\n" {
		t.Fatalf("GET /healthz = %d %q", rec.Code, rec.Body)
	}
	for _, text := range []string{"buy milk", "call Ada"} {
		rec := do(t, h, "POST", "/notes", text+"\n")
		if rec.Code != http.StatusCreated {
			t.Fatalf("POST /notes %q = %d %q", text, rec.Code, rec.Body)
		}
		var n Note
		if err := json.Unmarshal(rec.Body.Bytes(), &n); err != nil || n.Text != text || n.ID == 0 {
			t.Fatalf("POST /notes answer %q (%v)", rec.Body, err)
		}
	}
	if rec := do(t, h, "POST", "/notes", "   "); rec.Code != http.StatusBadRequest {
		t.Errorf("POST /notes (blank) = %d, want 400", rec.Code)
	}
	s.Close()

	if _, err := os.Stat(filepath.Join(dir, "notes.db")); err != nil {
		t.Fatalf("notes.db not in the state directory: %v", err)
	}

	// A restart (a new store on the same directory) sees the notes.
	s, err = openStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rec := do(t, newMux(s), "GET", "/notes", "")
	var notes []Note
	if err := json.Unmarshal(rec.Body.Bytes(), &notes); err != nil || rec.Code != 200 {
		t.Fatalf("GET /notes = %d %q (%v)", rec.Code, rec.Body, err)
	}
	if len(notes) != 2 || notes[0].Text != "buy milk" || notes[1].Text != "call Ada" {
		t.Errorf("GET /notes = %+v", notes)
	}
}

func TestUnusableStateDir(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{filepath.Join(dir, "missing"), file} {
		if s, err := openStore(bad); err == nil {
			s.Close()
			t.Errorf("openStore(%s) succeeded, want an error", bad)
		}
	}
	if os.Getuid() != 0 { // root writes anywhere
		ro := filepath.Join(dir, "ro")
		if err := os.Mkdir(ro, 0o500); err != nil {
			t.Fatal(err)
		}
		if s, err := openStore(ro); err == nil || !strings.Contains(err.Error(), "not writable") {
			if s != nil {
				s.Close()
			}
			t.Errorf("openStore(read-only dir) = %v, want a 'not writable' error", err)
		}
	}
}
