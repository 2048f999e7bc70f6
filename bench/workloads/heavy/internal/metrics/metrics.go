// Package metrics owns the Prometheus registry of the service and the HTTP
// and gRPC instrumentation that feeds it.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
)

// Metrics is the set of collectors the service updates.
type Metrics struct {
	reg         *prometheus.Registry
	requests    *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	inFlight    prometheus.Gauge
	rpcs        *prometheus.CounterVec
	storeOps    *prometheus.CounterVec
	cacheResult *prometheus.CounterVec
}

// New registers the service's collectors, plus the Go runtime and process
// collectors, on a fresh registry.
func New(service, version string) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_requests_total",
			Help: "HTTP requests by route, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "http_request_duration_seconds",
			Help:    "HTTP request latency by route.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
		}, []string{"route"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "http_requests_in_flight",
			Help: "HTTP requests being served.",
		}),
		rpcs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "grpc_server_handled_total",
			Help: "gRPC calls by method and status code.",
		}, []string{"method", "code"}),
		storeOps: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "store_operations_total",
			Help: "Store operations by backend, operation and outcome.",
		}, []string{"backend", "op", "outcome"}),
		cacheResult: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cache_lookups_total",
			Help: "Cache lookups by result (hit, miss, error).",
		}, []string{"result"}),
	}
	buildInfo := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "service_build_info",
		Help: "Always 1; labelled with the service name and version.",
	}, []string{"service", "version"})
	buildInfo.WithLabelValues(service, version).Set(1)

	reg.MustRegister(
		m.requests, m.duration, m.inFlight, m.rpcs, m.storeOps, m.cacheResult, buildInfo,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// Handler serves the registry in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// StoreOp counts one store operation.
func (m *Metrics) StoreOp(backend, op string, err error) {
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	m.storeOps.WithLabelValues(backend, op, outcome).Inc()
}

// CacheLookup counts one cache lookup: "hit", "miss" or "error".
func (m *Metrics) CacheLookup(result string) {
	m.cacheResult.WithLabelValues(result).Inc()
}

type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.code = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Middleware records count, latency and in-flight requests for next, using
// the matched ServeMux pattern as the route label.
func (m *Metrics) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		m.inFlight.Inc()
		defer m.inFlight.Dec()
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(rec, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		m.requests.WithLabelValues(route, r.Method, strconv.Itoa(rec.code)).Inc()
		m.duration.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}

// UnaryInterceptor counts unary gRPC calls by method and status code.
func (m *Metrics) UnaryInterceptor() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		resp, err := handler(ctx, req)
		m.rpcs.WithLabelValues(info.FullMethod, status.Code(err).String()).Inc()
		return resp, err
	}
}

// StreamInterceptor counts streaming gRPC calls by method and status code.
func (m *Metrics) StreamInterceptor() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		err := handler(srv, ss)
		m.rpcs.WithLabelValues(info.FullMethod, status.Code(err).String()).Inc()
		return err
	}
}
