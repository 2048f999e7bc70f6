package main

import (
	"net/http/httptest"
	"testing"

	"git.gofront.test/team/greeting"
)

func TestRoutes(t *testing.T) {
	for _, tc := range []struct{ path, want string }{
		{"/healthz", "ok\n"},
		{"/", greeting.Hello() + "\n"},
	} {
		rec := httptest.NewRecorder()
		newMux().ServeHTTP(rec, httptest.NewRequest("GET", tc.path, nil))
		if rec.Code != 200 || rec.Body.String() != tc.want {
			t.Errorf("GET %s = %d %q, want 200 %q", tc.path, rec.Code, rec.Body.String(), tc.want)
		}
	}
}
