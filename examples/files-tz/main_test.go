package main

import (
	"net/http/httptest"
	"testing"
	"time"
)

func TestOffsetHours(t *testing.T) {
	for _, tc := range []struct {
		seconds int
		want    string
	}{
		{7200, "+2"}, {0, "+0"}, {-5 * 3600, "-5"}, {5*3600 + 1800, "+5:30"}, {-(9*3600 + 1800), "-9:30"},
	} {
		if got := offsetHours(tc.seconds); got != tc.want {
			t.Errorf("offsetHours(%d) = %q, want %q", tc.seconds, got, tc.want)
		}
	}
}

func TestRoutes(t *testing.T) {
	// The files the image gets from the build context, read from here.
	cfg, err := loadConfig("config/config.json")
	if err != nil {
		t.Fatal(err)
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	mux := newMux(cfg, loc)
	for _, tc := range []struct{ path, want string }{
		{"/healthz", "ok\n"},
		{"/", "bonjour Europe/Paris +2\n"},
		{"/static/", "static ok\n"},
	} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("GET", tc.path, nil))
		if rec.Code != 200 || rec.Body.String() != tc.want {
			t.Errorf("GET %s = %d %q, want 200 %q", tc.path, rec.Code, rec.Body.String(), tc.want)
		}
	}
}
