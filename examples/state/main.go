// Command state is the gofront example for a state directory: a notes
// service that keeps its SQLite database (github.com/mattn/go-sqlite3, cgo)
// in -data, by default /var/lib/notes. The image declares that directory
// (owned by the runtime user, mode 0700, a volume), so the database lives
// outside the container's writable layer.
//
// At start the server creates (or opens) <data>/notes.db and writes to it
// once; if the directory is missing, not writable for the current user or
// the file cannot be created, it exits 1 with a message saying so.
//
// Endpoints:
//
//	POST /notes   body: the note's text -> 201 {"id":..,"text":..,"created":..}
//	GET  /notes   -> 200 [{"id":..,"text":..,"created":..}, ...] (oldest first)
//	GET  /healthz -> 200 "ok\n" (the database answers)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	dataDir := flag.String("data", "/var/lib/notes", "state directory holding notes.db")
	addr := flag.String("addr", ":8080", "listen address")
	flag.Parse()

	store, err := openStore(*dataDir)
	if err != nil {
		fmt.Fprintf(os.Stderr, "notes: %v\n", err)
		os.Exit(1)
	}
	defer store.Close()
	log.Printf("notes: database %s", store.path)

	if err := serve(*addr, newMux(store)); err != nil {
		log.Fatal(err)
	}
}

func serve(addr string, h http.Handler) error {
	srv := &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
	}
	// SIGTERM (docker stop) and SIGINT (Ctrl-C) shut down gracefully, so
	// SQLite closes the database cleanly.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	errc := make(chan error, 1)
	go func() {
		log.Printf("notes: listening on %s", addr)
		errc <- srv.ListenAndServe()
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	stop()
	log.Print("notes: shutting down")
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
