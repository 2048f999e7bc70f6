package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"example.com/gofront/bench/heavy/internal/config"
)

const schema = `CREATE TABLE IF NOT EXISTS notes (
	id         uuid PRIMARY KEY,
	text       text NOT NULL,
	tags       text[] NOT NULL DEFAULT '{}',
	created    timestamptz NOT NULL,
	attachment text NOT NULL DEFAULT ''
)`

// Postgres stores notes in PostgreSQL. The pool is created, and the schema
// applied, on first use.
type Postgres struct {
	cfg  *pgxpool.Config
	mu   sync.Mutex
	pool *pgxpool.Pool
}

// NewPostgres parses the connection settings without connecting.
func NewPostgres(c config.Postgres) (*Postgres, error) {
	cfg, err := pgxpool.ParseConfig(c.URL)
	if err != nil {
		return nil, fmt.Errorf("postgres url: %w", err)
	}
	cfg.MaxConns = c.MaxConns
	cfg.MinConns = 0
	cfg.MaxConnIdleTime = 5 * time.Minute
	cfg.ConnConfig.RuntimeParams["application_name"] = "heavy"
	return &Postgres{cfg: cfg}, nil
}

func (p *Postgres) Name() string { return "postgres" }

func (p *Postgres) get(ctx context.Context) (*pgxpool.Pool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pool != nil {
		return p.pool, nil
	}
	pool, err := pgxpool.NewWithConfig(ctx, p.cfg)
	if err != nil {
		return nil, err
	}
	if _, err := pool.Exec(ctx, schema); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres schema: %w", err)
	}
	p.pool = pool
	return pool, nil
}

func (p *Postgres) Put(ctx context.Context, n Note) error {
	pool, err := p.get(ctx)
	if err != nil {
		return err
	}
	_, err = pool.Exec(ctx,
		`INSERT INTO notes (id, text, tags, created, attachment) VALUES ($1::uuid, $2, $3, $4, $5)
		 ON CONFLICT (id) DO UPDATE SET text = $2, tags = $3, attachment = $5`,
		n.ID.String(), n.Text, n.Tags, n.Created, n.Attachment)
	return err
}

type noteRow struct {
	ID         string
	Text       string
	Tags       []string
	Created    time.Time
	Attachment string
}

func (r noteRow) note() (Note, error) {
	id, err := uuid.Parse(r.ID)
	return Note{ID: id, Text: r.Text, Tags: r.Tags, Created: r.Created, Attachment: r.Attachment}, err
}

const selectNotes = `SELECT id::text AS id, text, tags, created, attachment FROM notes`

func (p *Postgres) Get(ctx context.Context, id uuid.UUID) (Note, error) {
	pool, err := p.get(ctx)
	if err != nil {
		return Note{}, err
	}
	rows, err := pool.Query(ctx, selectNotes+` WHERE id = $1::uuid`, id.String())
	if err != nil {
		return Note{}, err
	}
	row, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[noteRow])
	if errors.Is(err, pgx.ErrNoRows) {
		return Note{}, ErrNotFound
	}
	if err != nil {
		return Note{}, err
	}
	return row.note()
}

func (p *Postgres) List(ctx context.Context, limit int) ([]Note, error) {
	pool, err := p.get(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := pool.Query(ctx, selectNotes+` ORDER BY created DESC LIMIT $1`, limit)
	if err != nil {
		return nil, err
	}
	got, err := pgx.CollectRows(rows, pgx.RowToStructByName[noteRow])
	if err != nil {
		return nil, err
	}
	out := make([]Note, 0, len(got))
	for _, r := range got {
		n, err := r.note()
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

func (p *Postgres) Ping(ctx context.Context) error {
	pool, err := p.get(ctx)
	if err != nil {
		return err
	}
	return pool.Ping(ctx)
}

func (p *Postgres) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pool != nil {
		p.pool.Close()
		p.pool = nil
	}
}
