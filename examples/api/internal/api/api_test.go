package api

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"example.com/gofront/examples/api/internal/store"
)

func newTestServer(t *testing.T) *httptest.Server {
	t.Helper()
	h := NewRouter(Config{
		Store:   store.New(),
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		Version: "1.2.3-test",
		Env:     "test",
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func do(t *testing.T, srv *httptest.Server, method, path, body string) (*http.Response, []byte) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, srv.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

func TestHealthz(t *testing.T) {
	srv := newTestServer(t)
	resp, body := do(t, srv, http.MethodGet, "/healthz", "")
	if resp.StatusCode != http.StatusOK || string(body) != "ok\n" {
		t.Fatalf("GET /healthz = %d %q", resp.StatusCode, body)
	}
}

func TestVersionAndRoot(t *testing.T) {
	srv := newTestServer(t)

	resp, body := do(t, srv, http.MethodGet, "/version", "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /version = %d", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	if v := decode[versionResponse](t, body); v.Version != "1.2.3-test" {
		t.Errorf("version = %q", v.Version)
	}

	_, body = do(t, srv, http.MethodGet, "/", "")
	root := decode[rootResponse](t, body)
	if root.Message != greeting || root.Version != "1.2.3-test" || root.Env != "test" {
		t.Errorf("GET / = %+v", root)
	}
}

func TestItemsCRUD(t *testing.T) {
	srv := newTestServer(t)

	resp, body := do(t, srv, http.MethodGet, "/items", "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("list = %d", resp.StatusCode)
	}
	if l := decode[listResponse](t, body); l.Count != 0 || l.Items == nil {
		t.Fatalf("empty list = %s", body)
	}

	resp, body = do(t, srv, http.MethodPost, "/items", `{"name":" widget ","quantity":2}`)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create = %d %s", resp.StatusCode, body)
	}
	created := decode[store.Item](t, body)
	if created.ID == "" || created.Name != "widget" || created.Quantity != 2 {
		t.Fatalf("created = %+v", created)
	}
	if loc := resp.Header.Get("Location"); loc != "/items/"+created.ID {
		t.Errorf("Location = %q", loc)
	}

	resp, body = do(t, srv, http.MethodGet, "/items/"+created.ID, "")
	if got := decode[store.Item](t, body); resp.StatusCode != http.StatusOK || got.ID != created.ID {
		t.Fatalf("get = %d %s", resp.StatusCode, body)
	}

	resp, body = do(t, srv, http.MethodPut, "/items/"+created.ID, `{"name":"gadget","description":"shiny","quantity":5}`)
	updated := decode[store.Item](t, body)
	if resp.StatusCode != http.StatusOK || updated.Name != "gadget" || updated.Description != "shiny" || updated.Quantity != 5 {
		t.Fatalf("update = %d %s", resp.StatusCode, body)
	}

	_, body = do(t, srv, http.MethodGet, "/items", "")
	if l := decode[listResponse](t, body); l.Count != 1 || l.Items[0].Name != "gadget" {
		t.Fatalf("list = %s", body)
	}

	resp, _ = do(t, srv, http.MethodDelete, "/items/"+created.ID, "")
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete = %d", resp.StatusCode)
	}
	resp, _ = do(t, srv, http.MethodGet, "/items/"+created.ID, "")
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("get after delete = %d", resp.StatusCode)
	}
}

func TestItemErrors(t *testing.T) {
	srv := newTestServer(t)
	cases := []struct {
		name, method, path, body string
		want                     int
	}{
		{"missing name", http.MethodPost, "/items", `{"quantity":1}`, http.StatusBadRequest},
		{"blank name", http.MethodPost, "/items", `{"name":"   "}`, http.StatusBadRequest},
		{"negative quantity", http.MethodPost, "/items", `{"name":"x","quantity":-1}`, http.StatusBadRequest},
		{"unknown field", http.MethodPost, "/items", `{"name":"x","color":"red"}`, http.StatusBadRequest},
		{"malformed json", http.MethodPost, "/items", `{"name":`, http.StatusBadRequest},
		{"trailing data", http.MethodPost, "/items", `{"name":"x"}{"name":"y"}`, http.StatusBadRequest},
		{"long name", http.MethodPost, "/items", `{"name":"` + strings.Repeat("a", maxNameLen+1) + `"}`, http.StatusBadRequest},
		{"get missing", http.MethodGet, "/items/nope", "", http.StatusNotFound},
		{"update missing", http.MethodPut, "/items/nope", `{"name":"x"}`, http.StatusNotFound},
		{"delete missing", http.MethodDelete, "/items/nope", "", http.StatusNotFound},
		{"unknown route", http.MethodGet, "/nope", "", http.StatusNotFound},
		{"wrong method", http.MethodPatch, "/items", "", http.StatusMethodNotAllowed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := do(t, srv, tc.method, tc.path, tc.body)
			if resp.StatusCode != tc.want {
				t.Fatalf("%s %s = %d, want %d (%s)", tc.method, tc.path, resp.StatusCode, tc.want, body)
			}
			if e := decode[errorResponse](t, body); e.Error == "" {
				t.Errorf("missing error message in %s", body)
			}
		})
	}
}

func TestMetrics(t *testing.T) {
	srv := newTestServer(t)
	do(t, srv, http.MethodPost, "/items", `{"name":"x"}`)
	do(t, srv, http.MethodGet, "/items/does-not-exist", "")

	resp, body := do(t, srv, http.MethodGet, "/metrics", "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics = %d", resp.StatusCode)
	}
	text := string(body)
	for _, want := range []string{
		`api_http_requests_total{code="201",method="POST",route="/items"} 1`,
		`api_http_requests_total{code="404",method="GET",route="/items/{id}"} 1`,
		`api_items 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics output missing %q", want)
		}
	}
}
