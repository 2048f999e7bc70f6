// Command webui is the gofront example for a web UI built with npm: the
// bundle (web/dist, made by `npm run build` in web/) is embedded into the
// binary and served at /, next to a small JSON API.
//
// Endpoints:
//
//	GET /           -> the UI (web/dist/index.html, app.js)
//	GET /api/hello  -> {"message":"hello, <name>","time":"..."} (?name=..., default "world")
//	GET /healthz    -> "ok\n"
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"io/fs"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"example.com/gofront/examples/webui/web"
)

func main() {
	addr := flag.String("addr", ":8080", "listen address")
	flag.Parse()
	mux, err := newMux()
	if err != nil {
		log.Fatal(err)
	}
	if err := serve(*addr, mux); err != nil {
		log.Fatal(err)
	}
}

func newMux() (*http.ServeMux, error) {
	ui, err := fs.Sub(web.Dist, "dist")
	if err != nil {
		return nil, err
	}
	if _, err := fs.Stat(ui, "index.html"); err != nil {
		return nil, errors.New("web/dist has no index.html: run `npm ci && npm run build` in web/ before go build")
	}
	mux := http.NewServeMux()
	mux.Handle("GET /", http.FileServerFS(ui))
	mux.HandleFunc("GET /api/hello", func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Query().Get("name")
		if name == "" {
			name = "world"
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{
			"message": "hello, " + name,
			"time":    time.Now().UTC().Format(time.RFC3339),
		})
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok\n")
	})
	return mux, nil
}

func serve(addr string, h http.Handler) error {
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 5 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	errc := make(chan error, 1)
	go func() {
		log.Printf("webui: listening on %s", addr)
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
