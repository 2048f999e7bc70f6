package main

import (
	"net/http/httptest"
	"regexp"
	"testing"
)

func TestRoutes(t *testing.T) {
	db, err := openDB()
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	mux := newMux(db)

	for _, tc := range []struct {
		path string
		want *regexp.Regexp
	}{
		{"/healthz", regexp.MustCompile(`^ok\n$`)},
		{"/", regexp.MustCompile(`^sqlite 3\.\d+\.\d+ rows=3\n$`)},
	} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("GET", tc.path, nil))
		if rec.Code != 200 || !tc.want.MatchString(rec.Body.String()) {
			t.Errorf("GET %s = %d %q, want 200 matching %s", tc.path, rec.Code, rec.Body.String(), tc.want)
		}
	}
}
