// Command files-tz is the gofront example for image contents: a config file
// and a static folder copied from the build context (`files`), a working
// directory (`workdir`), and the time zone database embedded in the binary
// (`tzdata`) so time.LoadLocation works on `scratch`.
//
// At start it reads the config file (default /etc/files-tz/config.json,
// {"greeting": "bonjour"}) and loads the location Europe/Paris; either
// failing stops it with exit status 1.
//
// Endpoints:
//
//	GET /healthz  -> "ok\n"
//	GET /         -> "<greeting> Europe/Paris <offset>\n": the UTC offset in hours
//	                 at the fixed instant 2024-07-01 12:00 UTC ("bonjour Europe/Paris +2\n")
//	GET /static/  -> the files of ./static, relative to the working directory
//
// Flags:
//
//	-config PATH  the config file
//	-version      print the version and exit 0
//	-healthcheck  GET http://127.0.0.1:$PORT/healthz and exit 0 (healthy) or 1
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
	"syscall"
	"time"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// zone is the location the service reports; refDate makes the answer
// independent of the day it is asked (Paris is UTC+2 in summer).
const zone = "Europe/Paris"

var refDate = time.Date(2024, time.July, 1, 12, 0, 0, 0, time.UTC)

type config struct {
	Greeting string `json:"greeting"`
}

func main() {
	configPath := flag.String("config", "/etc/files-tz/config.json", "the config file")
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

	cfg, err := loadConfig(*configPath)
	if err != nil {
		log.Fatal(err)
	}
	// Without a zoneinfo directory (scratch) this needs the embedded
	// database: -tags timetzdata, which `tzdata: true` adds.
	loc, err := time.LoadLocation(zone)
	if err != nil {
		log.Fatalf("time zone: %v", err)
	}

	if err := run(port, newMux(cfg, loc)); err != nil {
		log.Fatal(err)
	}
}

func loadConfig(path string) (config, error) {
	var cfg config
	data, err := os.ReadFile(path)
	if err != nil {
		return cfg, fmt.Errorf("config: %w", err)
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		return cfg, fmt.Errorf("config: %s: %w", path, err)
	}
	if cfg.Greeting == "" {
		return cfg, fmt.Errorf("config: %s: no greeting", path)
	}
	return cfg, nil
}

// offsetHours formats a UTC offset in seconds as "+2", "-5" or "+5:30".
func offsetHours(seconds int) string {
	sign := "+"
	if seconds < 0 {
		sign, seconds = "-", -seconds
	}
	if m := seconds % 3600 / 60; m != 0 {
		return fmt.Sprintf("%s%d:%02d", sign, seconds/3600, m)
	}
	return fmt.Sprintf("%s%d", sign, seconds/3600)
}

func newMux(cfg config, loc *time.Location) *http.ServeMux {
	_, offset := refDate.In(loc).Zone()
	answer := fmt.Sprintf("%s %s %s\n", cfg.Greeting, loc, offsetHours(offset))

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, answer)
	})
	// Relative to the working directory: the image's `workdir: /srv`.
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServer(http.Dir("static"))))
	return mux
}

func run(port string, handler http.Handler) error {
	srv := &http.Server{
		Addr:              ":" + port,
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
	}

	// SIGTERM (docker stop) and SIGINT (Ctrl-C) trigger a graceful shutdown.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	errc := make(chan error, 1)
	go func() {
		log.Printf("files-tz %s listening on %s", version, srv.Addr)
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
