// Command cgo-sqlite is the gofront cgo example: an HTTP server backed by
// SQLite through github.com/mattn/go-sqlite3, which compiles SQLite's C
// source with cgo. At start it creates an in-memory database with three rows.
//
// Endpoints:
//
//	GET /healthz  -> "ok\n"
//	GET /         -> "sqlite <sqlite_version()> rows=<n>\n"
//
// Flags:
//
//	-version      print the version and exit 0
//	-healthcheck  GET http://127.0.0.1:$PORT/healthz and exit 0 (healthy) or 1
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	_ "github.com/mattn/go-sqlite3"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	showVersion := flag.Bool("version", false, "print the version and exit")
	healthcheck := flag.Bool("healthcheck", false, "check http://127.0.0.1:$PORT/healthz and exit 0 (healthy) or 1")
	flag.Parse()

	if *showVersion {
		fmt.Println(version)
		return
	}

	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}

	if *healthcheck {
		if err := checkHealth(port); err != nil {
			fmt.Fprintln(os.Stderr, "unhealthy:", err)
			os.Exit(1)
		}
		return
	}

	db, err := openDB()
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	if err := run(port, db); err != nil {
		log.Fatal(err)
	}
}

// openDB creates the in-memory database and fills it. Every connection to
// ":memory:" is a database of its own, so the pool keeps exactly one.
func openDB() (*sql.DB, error) {
	db, err := sql.Open("sqlite3", ":memory:")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	for _, stmt := range []string{
		`CREATE TABLE greetings (id INTEGER PRIMARY KEY, word TEXT NOT NULL)`,
		`INSERT INTO greetings (word) VALUES ('hello'), ('bonjour'), ('hallo')`,
	} {
		if _, err := db.Exec(stmt); err != nil {
			db.Close()
			return nil, fmt.Errorf("sqlite: %s: %w", stmt, err)
		}
	}
	return db, nil
}

func newMux(db *sql.DB) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		var sqliteVersion string
		var rows int
		err := db.QueryRowContext(r.Context(),
			`SELECT sqlite_version(), (SELECT count(*) FROM greetings)`).Scan(&sqliteVersion, &rows)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "sqlite %s rows=%d\n", sqliteVersion, rows)
	})
	return mux
}

func run(port string, db *sql.DB) error {
	srv := &http.Server{
		Addr:              ":" + port,
		Handler:           newMux(db),
		ReadHeaderTimeout: 5 * time.Second,
	}

	// SIGTERM (docker stop) and SIGINT (Ctrl-C) trigger a graceful shutdown.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	errc := make(chan error, 1)
	go func() {
		log.Printf("cgo-sqlite %s listening on %s", version, srv.Addr)
		errc <- srv.ListenAndServe()
	}()

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	stop()
	log.Print("shutting down")

	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func checkHealth(port string) error {
	client := &http.Client{Timeout: 3 * time.Second}
	resp, err := client.Get("http://127.0.0.1:" + port + "/healthz")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %s", resp.Status)
	}
	return nil
}
