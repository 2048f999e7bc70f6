// Package store is a concurrency-safe in-memory item store.
package store

import (
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
)

// ErrNotFound is returned when an item with the given ID does not exist.
var ErrNotFound = errors.New("item not found")

// Item is a stored record.
type Item struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	Quantity    int       `json:"quantity"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Fields are the user-editable parts of an Item.
type Fields struct {
	Name        string
	Description string
	Quantity    int
}

// Store keeps items in memory, guarded by a RWMutex.
type Store struct {
	mu    sync.RWMutex
	items map[string]Item
	now   func() time.Time
	newID func() string
}

// Option customises a Store.
type Option func(*Store)

// WithClock overrides the time source (useful in tests).
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// WithIDs overrides the ID generator (useful in tests).
func WithIDs(newID func() string) Option { return func(s *Store) { s.newID = newID } }

// New returns an empty store. IDs are random UUIDs unless overridden.
func New(opts ...Option) *Store {
	s := &Store{
		items: make(map[string]Item),
		now:   func() time.Time { return time.Now().UTC() },
		newID: uuid.NewString,
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Create adds a new item and returns it.
func (s *Store) Create(f Fields) Item {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	it := Item{
		ID:          s.newID(),
		Name:        f.Name,
		Description: f.Description,
		Quantity:    f.Quantity,
		CreatedAt:   now,
		UpdatedAt:   now,
	}
	s.items[it.ID] = it
	return it
}

// Get returns the item with the given ID.
func (s *Store) Get(id string) (Item, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	it, ok := s.items[id]
	if !ok {
		return Item{}, ErrNotFound
	}
	return it, nil
}

// List returns all items ordered by creation time, then ID.
func (s *Store) List() []Item {
	s.mu.RLock()
	out := make([]Item, 0, len(s.items))
	for _, it := range s.items {
		out = append(out, it)
	}
	s.mu.RUnlock()
	slices.SortFunc(out, func(a, b Item) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	return out
}

// Update replaces the editable fields of an existing item.
func (s *Store) Update(id string, f Fields) (Item, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.items[id]
	if !ok {
		return Item{}, ErrNotFound
	}
	it.Name = f.Name
	it.Description = f.Description
	it.Quantity = f.Quantity
	it.UpdatedAt = s.now()
	s.items[id] = it
	return it, nil
}

// Delete removes an item.
func (s *Store) Delete(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.items[id]; !ok {
		return ErrNotFound
	}
	delete(s.items, id)
	return nil
}

// Len reports the number of stored items.
func (s *Store) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.items)
}
