package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"time"

	_ "github.com/mattn/go-sqlite3"
)

// Note is one stored note.
type Note struct {
	ID      int64     `json:"id"`
	Text    string    `json:"text"`
	Created time.Time `json:"created"`
}

// Store is the notes database, a SQLite file in the state directory.
type Store struct {
	db   *sql.DB
	path string
}

// openStore creates (or opens) dir/notes.db and proves it can write there:
// a state directory that is missing or read-only must stop the service at
// start, not at the first POST.
func openStore(dir string) (*Store, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("state directory: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("state directory %s is not a directory", dir)
	}
	// SQLite's own error for an unwritable directory is "unable to open
	// database file" (or "out of memory"); say what is wrong instead.
	probe, err := os.CreateTemp(dir, ".write-test-*")
	if err != nil {
		return nil, fmt.Errorf("state directory %s is not writable by uid %d: %w", dir, os.Getuid(), err)
	}
	probe.Close()
	os.Remove(probe.Name())

	path := filepath.Join(dir, "notes.db")
	db, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_busy_timeout=5000&_foreign_keys=on")
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	s := &Store{db: db, path: path}
	for _, stmt := range []string{
		`CREATE TABLE IF NOT EXISTS notes (
			id      INTEGER PRIMARY KEY AUTOINCREMENT,
			text    TEXT    NOT NULL,
			created INTEGER NOT NULL
		)`,
		`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
		// A write on every start, so a database file that exists but is
		// read-only fails here too.
		`INSERT INTO meta (key, value) VALUES ('last_start', datetime('now'))
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
	} {
		if _, err := db.Exec(stmt); err != nil {
			db.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Ping checks the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// Add stores a note and returns it with its id and creation time.
func (s *Store) Add(ctx context.Context, text string) (Note, error) {
	n := Note{Text: text, Created: time.Now().UTC().Truncate(time.Millisecond)}
	res, err := s.db.ExecContext(ctx, `INSERT INTO notes (text, created) VALUES (?, ?)`, n.Text, n.Created.UnixMilli())
	if err != nil {
		return Note{}, err
	}
	n.ID, err = res.LastInsertId()
	return n, err
}

// List returns all notes, oldest first.
func (s *Store) List(ctx context.Context) ([]Note, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, text, created FROM notes ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	notes := []Note{}
	for rows.Next() {
		var n Note
		var ms int64
		if err := rows.Scan(&n.ID, &n.Text, &ms); err != nil {
			return nil, err
		}
		n.Created = time.UnixMilli(ms).UTC()
		notes = append(notes, n)
	}
	return notes, rows.Err()
}
