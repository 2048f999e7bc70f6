// Package store keeps notes. The default backend is in memory; PostgreSQL
// (pgx), a Redis read-through cache, S3 attachments and a DynamoDB audit
// log are used when configured. No backend is contacted before the first
// request that needs it.
package store

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"example.com/gofront/bench/heavy/internal/config"
)

// ErrNotFound is returned when a note does not exist.
var ErrNotFound = errors.New("note not found")

// Note is one stored note.
type Note struct {
	ID         uuid.UUID `json:"id"`
	Text       string    `json:"text"`
	Tags       []string  `json:"tags,omitempty"`
	Created    time.Time `json:"created"`
	Attachment string    `json:"attachment,omitempty"`
}

// Notes is a note backend.
type Notes interface {
	Name() string
	Put(ctx context.Context, n Note) error
	Get(ctx context.Context, id uuid.UUID) (Note, error)
	List(ctx context.Context, limit int) ([]Note, error)
	Ping(ctx context.Context) error
	Close()
}

// Observer receives store events; *metrics.Metrics satisfies it.
type Observer interface {
	StoreOp(backend, op string, err error)
	CacheLookup(result string)
}

// Store is the assembled storage stack.
type Store struct {
	Notes Notes
	Blobs *Blobs // nil unless aws.bucket is set
	Audit *Audit // nil unless aws.audit_table is set
}

// Open assembles the backends that cfg enables. It does not connect.
func Open(cfg config.Config, obs Observer) (*Store, error) {
	var notes Notes = NewMemory()
	if cfg.Postgres.URL != "" {
		pg, err := NewPostgres(cfg.Postgres)
		if err != nil {
			return nil, err
		}
		notes = pg
	}
	if cfg.Redis.Addr != "" {
		notes = NewCached(notes, cfg.Redis, obs)
	}
	s := &Store{Notes: observed{notes, obs}}
	if cfg.AWS.Bucket != "" || cfg.AWS.AuditTable != "" {
		lazy := newLazyAWS(cfg.AWS)
		if cfg.AWS.Bucket != "" {
			s.Blobs = &Blobs{aws: lazy, bucket: cfg.AWS.Bucket}
		}
		if cfg.AWS.AuditTable != "" {
			s.Audit = &Audit{aws: lazy, table: cfg.AWS.AuditTable}
		}
	}
	return s, nil
}

// Close releases the backends' connections.
func (s *Store) Close() { s.Notes.Close() }

// observed reports every operation of a backend to an Observer.
type observed struct {
	Notes
	obs Observer
}

func (o observed) Put(ctx context.Context, n Note) error {
	err := o.Notes.Put(ctx, n)
	o.obs.StoreOp(o.Name(), "put", err)
	return err
}

func (o observed) Get(ctx context.Context, id uuid.UUID) (Note, error) {
	n, err := o.Notes.Get(ctx, id)
	if errors.Is(err, ErrNotFound) {
		o.obs.StoreOp(o.Name(), "get", nil)
	} else {
		o.obs.StoreOp(o.Name(), "get", err)
	}
	return n, err
}

func (o observed) List(ctx context.Context, limit int) ([]Note, error) {
	ns, err := o.Notes.List(ctx, limit)
	o.obs.StoreOp(o.Name(), "list", err)
	return ns, err
}

// Memory is the in-process backend.
type Memory struct {
	mu    sync.RWMutex
	notes map[uuid.UUID]Note
}

// NewMemory returns an empty in-memory backend.
func NewMemory() *Memory { return &Memory{notes: make(map[uuid.UUID]Note)} }

func (m *Memory) Name() string { return "memory" }

func (m *Memory) Put(_ context.Context, n Note) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	n.Tags = slices.Clone(n.Tags)
	m.notes[n.ID] = n
	return nil
}

func (m *Memory) Get(_ context.Context, id uuid.UUID) (Note, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	n, ok := m.notes[id]
	if !ok {
		return Note{}, ErrNotFound
	}
	return n, nil
}

func (m *Memory) List(_ context.Context, limit int) ([]Note, error) {
	m.mu.RLock()
	out := make([]Note, 0, len(m.notes))
	for _, n := range m.notes {
		out = append(out, n)
	}
	m.mu.RUnlock()
	slices.SortFunc(out, func(a, b Note) int { return b.Created.Compare(a.Created) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func (m *Memory) Ping(context.Context) error { return nil }

func (m *Memory) Close() {}
