// Package telemetry sets up OpenTelemetry tracing. Finished spans are kept
// in a bounded in-memory ring (served at /debug/spans) instead of being
// exported, so the service needs no collector to run.
package telemetry

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.25.0"
	"go.opentelemetry.io/otel/trace"
)

// SpanSummary is the JSON form of a finished span.
type SpanSummary struct {
	TraceID    string            `json:"trace_id"`
	SpanID     string            `json:"span_id"`
	Name       string            `json:"name"`
	Start      time.Time         `json:"start"`
	DurationMS float64           `json:"duration_ms"`
	Status     string            `json:"status"`
	Attributes map[string]string `json:"attributes,omitempty"`
}

// Ring is a sdktrace.SpanExporter that keeps the last N spans.
type Ring struct {
	mu    sync.Mutex
	spans []SpanSummary
	next  int
	full  bool
}

// NewRing returns a ring holding up to n spans.
func NewRing(n int) *Ring {
	if n < 1 {
		n = 1
	}
	return &Ring{spans: make([]SpanSummary, n)}
}

// ExportSpans implements sdktrace.SpanExporter.
func (r *Ring) ExportSpans(_ context.Context, spans []sdktrace.ReadOnlySpan) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range spans {
		attrs := make(map[string]string, len(s.Attributes()))
		for _, kv := range s.Attributes() {
			attrs[string(kv.Key)] = kv.Value.Emit()
		}
		r.spans[r.next] = SpanSummary{
			TraceID:    s.SpanContext().TraceID().String(),
			SpanID:     s.SpanContext().SpanID().String(),
			Name:       s.Name(),
			Start:      s.StartTime(),
			DurationMS: float64(s.EndTime().Sub(s.StartTime()).Microseconds()) / 1000,
			Status:     s.Status().Code.String(),
			Attributes: attrs,
		}
		r.next = (r.next + 1) % len(r.spans)
		if r.next == 0 {
			r.full = true
		}
	}
	return nil
}

// Shutdown implements sdktrace.SpanExporter.
func (r *Ring) Shutdown(context.Context) error { return nil }

// Recent returns the kept spans, newest first.
func (r *Ring) Recent() []SpanSummary {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.next
	if r.full {
		n = len(r.spans)
	}
	out := make([]SpanSummary, 0, n)
	for i := 1; i <= n; i++ {
		out = append(out, r.spans[(r.next-i+len(r.spans))%len(r.spans)])
	}
	return out
}

// Provider bundles the tracer provider and its span ring.
type Provider struct {
	TP     *sdktrace.TracerProvider
	Ring   *Ring
	tracer trace.Tracer
}

// Setup installs a global tracer provider and W3C propagators.
func Setup(ctx context.Context, service, version, env string, ratio float64, keep int) (*Provider, error) {
	res, err := resource.Merge(resource.Default(), resource.NewWithAttributes(
		semconv.SchemaURL,
		semconv.ServiceName(service),
		semconv.ServiceVersion(version),
		semconv.DeploymentEnvironment(env),
	))
	if err != nil {
		return nil, fmt.Errorf("telemetry resource: %w", err)
	}
	ring := NewRing(keep)
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithResource(res),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(ratio))),
		sdktrace.WithSpanProcessor(sdktrace.NewSimpleSpanProcessor(ring)),
	)
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(
		propagation.TraceContext{}, propagation.Baggage{},
	))
	return &Provider{TP: tp, Ring: ring, tracer: tp.Tracer("example.com/gofront/bench/heavy")}, nil
}

// Shutdown flushes and stops the tracer provider.
func (p *Provider) Shutdown(ctx context.Context) error { return p.TP.Shutdown(ctx) }

// Tracer returns the service's tracer.
func (p *Provider) Tracer() trace.Tracer { return p.tracer }

type codeRecorder struct {
	http.ResponseWriter
	code int
}

func (c *codeRecorder) WriteHeader(code int) {
	c.code = code
	c.ResponseWriter.WriteHeader(code)
}

func (c *codeRecorder) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// Middleware starts a server span per request, continuing any incoming
// trace context, and records the response status.
func (p *Provider) Middleware(next http.Handler) http.Handler {
	prop := otel.GetTextMapPropagator()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := prop.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
		ctx, span := p.tracer.Start(ctx, r.Method+" "+r.URL.Path,
			trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(
				semconv.HTTPRequestMethodKey.String(r.Method),
				semconv.URLPath(r.URL.Path),
				attribute.String("http.user_agent", r.UserAgent()),
			))
		defer span.End()
		rec := &codeRecorder{ResponseWriter: w, code: http.StatusOK}
		req := r.WithContext(ctx)
		next.ServeHTTP(rec, req)
		if req.Pattern != "" {
			span.SetName(req.Pattern)
		}
		span.SetAttributes(semconv.HTTPResponseStatusCode(rec.code))
		if rec.code >= 500 {
			span.SetStatus(codes.Error, http.StatusText(rec.code))
		}
	})
}
