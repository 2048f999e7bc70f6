package main

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestServesUIAndAPI(t *testing.T) {
	mux, err := newMux()
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec
	}

	if rec := get("/"); rec.Code != 200 || !strings.Contains(rec.Body.String(), `<script src="/app.js"`) {
		t.Errorf("GET / = %d %q, want index.html with the bundle", rec.Code, rec.Body)
	}
	if rec := get("/app.js"); rec.Code != 200 || !strings.Contains(rec.Body.String(), "/api/hello") {
		t.Errorf("GET /app.js = %d, want the bundle calling /api/hello", rec.Code)
	}
	rec := get("/api/hello?name=gofront")
	var body map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body["message"] != "hello, gofront" {
		t.Errorf("GET /api/hello = %d %q (%v)", rec.Code, rec.Body, err)
	}
}
