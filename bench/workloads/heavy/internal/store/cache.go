package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"example.com/gofront/bench/heavy/internal/config"
)

// Cached is a read-through Redis cache in front of another backend.
// redis.NewClient does not dial; connections are made on first command.
type Cached struct {
	next  Notes
	rdb   *redis.Client
	ttl   time.Duration
	obs   Observer
	limit time.Duration
}

// NewCached wraps next with a cache at c.Addr.
func NewCached(next Notes, c config.Redis, obs Observer) *Cached {
	rdb := redis.NewClient(&redis.Options{
		Addr:         c.Addr,
		Password:     c.Password,
		DB:           c.DB,
		DialTimeout:  2 * time.Second,
		ReadTimeout:  time.Second,
		WriteTimeout: time.Second,
		PoolSize:     16,
	})
	return &Cached{next: next, rdb: rdb, ttl: c.TTL, obs: obs, limit: 250 * time.Millisecond}
}

func (c *Cached) Name() string { return c.next.Name() + "+redis" }

func cacheKey(id uuid.UUID) string { return "heavy:note:" + id.String() }

func (c *Cached) Put(ctx context.Context, n Note) error {
	if err := c.next.Put(ctx, n); err != nil {
		return err
	}
	// Invalidate rather than write through: the backend is the truth.
	cctx, cancel := context.WithTimeout(ctx, c.limit)
	defer cancel()
	c.rdb.Del(cctx, cacheKey(n.ID))
	return nil
}

func (c *Cached) Get(ctx context.Context, id uuid.UUID) (Note, error) {
	cctx, cancel := context.WithTimeout(ctx, c.limit)
	defer cancel()
	data, err := c.rdb.Get(cctx, cacheKey(id)).Bytes()
	switch {
	case err == nil:
		var n Note
		if json.Unmarshal(data, &n) == nil {
			c.obs.CacheLookup("hit")
			return n, nil
		}
		c.obs.CacheLookup("error")
	case errors.Is(err, redis.Nil):
		c.obs.CacheLookup("miss")
	default:
		c.obs.CacheLookup("error")
	}
	n, err := c.next.Get(ctx, id)
	if err != nil {
		return n, err
	}
	if data, err := json.Marshal(n); err == nil {
		c.rdb.Set(cctx, cacheKey(id), data, c.ttl)
	}
	return n, nil
}

func (c *Cached) List(ctx context.Context, limit int) ([]Note, error) {
	return c.next.List(ctx, limit)
}

func (c *Cached) Ping(ctx context.Context) error {
	if err := c.rdb.Ping(ctx).Err(); err != nil {
		return err
	}
	return c.next.Ping(ctx)
}

func (c *Cached) Close() {
	c.rdb.Close()
	c.next.Close()
}
