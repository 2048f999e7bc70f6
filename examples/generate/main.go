// Command generate is the gofront example for `go generate`: the names of
// the job states in internal/status come from stringer (a `tool` in go.mod)
// and the generated file is not in the repository.
//
// Endpoints:
//
//	GET /status      -> [{"code":0,"name":"Unknown","done":false}, ...]
//	GET /status/{n}  -> the name of status n, e.g. "Running\n"; 404 if unknown
//	GET /healthz     -> "ok\n"
//
// With -list it prints the statuses and exits.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"example.com/gofront/examples/generate/internal/status"
)

func main() {
	addr := flag.String("addr", ":8080", "listen address")
	list := flag.Bool("list", false, "print the statuses and exit")
	flag.Parse()
	if *list {
		for _, s := range status.All() {
			fmt.Printf("%d\t%s\n", int(s), s)
		}
		return
	}
	if err := serve(*addr, newMux()); err != nil {
		log.Fatal(err)
	}
}

type statusJSON struct {
	Code int    `json:"code"`
	Name string `json:"name"`
	Done bool   `json:"done"`
}

func newMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /status", func(w http.ResponseWriter, r *http.Request) {
		var out []statusJSON
		for _, s := range status.All() {
			out = append(out, statusJSON{int(s), s.String(), s.Done()})
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(out)
	})
	mux.HandleFunc("GET /status/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.PathValue("n"))
		if err != nil {
			http.Error(w, "status code must be a number", http.StatusBadRequest)
			return
		}
		s := status.Status(n)
		if !s.Valid() {
			http.Error(w, "no such status: "+s.String(), http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, s.String()+"\n")
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok\n")
	})
	return mux
}

func serve(addr string, h http.Handler) error {
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 5 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	errc := make(chan error, 1)
	go func() {
		log.Printf("generate: listening on %s", addr)
		errc <- srv.ListenAndServe()
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	stop()
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
