package store

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

func fixedStore() *Store {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var n int
	return New(
		WithClock(func() time.Time { n++; return t0.Add(time.Duration(n) * time.Second) }),
		WithIDs(func() string { return fmt.Sprintf("id-%d", n) }),
	)
}

func TestCRUD(t *testing.T) {
	s := fixedStore()

	a := s.Create(Fields{Name: "apple", Quantity: 3})
	b := s.Create(Fields{Name: "banana", Description: "yellow"})
	if a.ID == b.ID {
		t.Fatalf("duplicate IDs %q", a.ID)
	}
	if !a.CreatedAt.Equal(a.UpdatedAt) {
		t.Errorf("new item: created %v != updated %v", a.CreatedAt, a.UpdatedAt)
	}

	got, err := s.Get(a.ID)
	if err != nil || got != a {
		t.Fatalf("Get(%q) = %+v, %v; want %+v", a.ID, got, err, a)
	}

	list := s.List()
	if len(list) != 2 || list[0].ID != a.ID || list[1].ID != b.ID {
		t.Fatalf("List() = %+v", list)
	}

	up, err := s.Update(a.ID, Fields{Name: "apricot", Quantity: 7})
	if err != nil {
		t.Fatal(err)
	}
	if up.Name != "apricot" || up.Quantity != 7 || !up.CreatedAt.Equal(a.CreatedAt) || !up.UpdatedAt.After(a.UpdatedAt) {
		t.Errorf("Update = %+v", up)
	}

	if err := s.Delete(a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(a.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after Delete: err = %v, want ErrNotFound", err)
	}
	if s.Len() != 1 {
		t.Errorf("Len() = %d, want 1", s.Len())
	}
}

func TestNotFound(t *testing.T) {
	s := New()
	if _, err := s.Get("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get: %v", err)
	}
	if _, err := s.Update("nope", Fields{Name: "x"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("Update: %v", err)
	}
	if err := s.Delete("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Delete: %v", err)
	}
}

func TestDefaultIDsAreUUIDs(t *testing.T) {
	it := New().Create(Fields{Name: "x"})
	if len(it.ID) != 36 {
		t.Errorf("ID %q does not look like a UUID", it.ID)
	}
}

func TestConcurrentAccess(t *testing.T) {
	s := New()
	const workers, perWorker = 8, 50
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				it := s.Create(Fields{Name: fmt.Sprintf("w%d-%d", w, i)})
				if _, err := s.Update(it.ID, Fields{Name: it.Name, Quantity: i}); err != nil {
					t.Error(err)
				}
				_ = s.List()
			}
		}()
	}
	wg.Wait()
	if got := s.Len(); got != workers*perWorker {
		t.Errorf("Len() = %d, want %d", got, workers*perWorker)
	}
}
