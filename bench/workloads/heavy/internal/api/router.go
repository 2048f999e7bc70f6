// Package api is the HTTP surface of the service. Its handler also routes
// HTTP/2 gRPC requests (h2c) to the gRPC server, so one port serves both.
package api

import (
	"log/slog"
	"net/http"
	"strings"

	"example.com/gofront/bench/heavy/internal/config"
	"example.com/gofront/bench/heavy/internal/grpcsvc"
	"example.com/gofront/bench/heavy/internal/metrics"
	"example.com/gofront/bench/heavy/internal/store"
	"example.com/gofront/bench/heavy/internal/telemetry"
)

// Deps is everything the handlers use.
type Deps struct {
	Version   string
	Config    config.Config
	Store     *store.Store
	Metrics   *metrics.Metrics
	Telemetry *telemetry.Provider
	GRPC      *grpcsvc.Server
	Log       *slog.Logger
}

type server struct {
	version string
	cfg     config.Config
	store   *store.Store
	tel     *telemetry.Provider
	grpc    *grpcsvc.Server
	log     *slog.Logger
}

// NewHandler returns the service's root handler.
func NewHandler(d Deps) http.Handler {
	s := &server{
		version: d.Version,
		cfg:     d.Config,
		store:   d.Store,
		tel:     d.Telemetry,
		grpc:    d.GRPC,
		log:     d.Log,
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.root)
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", d.Metrics.Handler())
	mux.HandleFunc("GET /debug/spans", s.spans)
	mux.HandleFunc("GET /v1/greeting", s.greeting)
	mux.HandleFunc("GET /v1/config", s.config)
	mux.HandleFunc("POST /v1/notes", s.createNote)
	mux.HandleFunc("GET /v1/notes", s.listNotes)
	mux.HandleFunc("GET /v1/notes/{id}", s.getNote)
	mux.HandleFunc("PUT /v1/notes/{id}/attachment", s.putAttachment)
	mux.HandleFunc("GET /v1/notes/{id}/attachment", s.getAttachment)
	mux.HandleFunc("GET /v1/notes/{id}/history", s.history)

	// Telemetry outermost: metrics and the mux share its request, so the
	// matched pattern is visible to both.
	httpHandler := d.Telemetry.Middleware(d.Metrics.Middleware(logRequests(d.Log, mux)))

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ProtoMajor == 2 && strings.HasPrefix(r.Header.Get("Content-Type"), "application/grpc") {
			d.GRPC.GRPC.ServeHTTP(w, r)
			return
		}
		httpHandler.ServeHTTP(w, r)
	})
}

// logRequests logs non-probe requests at debug level.
func logRequests(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		if r.URL.Path != "/healthz" && r.URL.Path != "/metrics" {
			log.Debug("request", "method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr)
		}
	})
}
