package main

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestStatusNames(t *testing.T) {
	mux := newMux()
	for _, tc := range []struct {
		path string
		code int
		body string
	}{
		{"/status/0", 200, "Unknown\n"},
		{"/status/2", 200, "Running\n"},
		{"/status/5", 200, "Cancelled\n"},
		{"/status/9", 404, "no such status: Status(9)\n"},
		{"/status/x", 400, "status code must be a number\n"},
		{"/healthz", 200, "ok\n"},
	} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("GET", tc.path, nil))
		if rec.Code != tc.code || rec.Body.String() != tc.body {
			t.Errorf("GET %s = %d %q, want %d %q", tc.path, rec.Code, rec.Body, tc.code, tc.body)
		}
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/status", nil))
	if !strings.Contains(rec.Body.String(), `{"code":3,"name":"Succeeded","done":true}`) {
		t.Errorf("GET /status = %q", rec.Body)
	}
}
