// Command server is gofront's heavy benchmark workload: a notes service
// with HTTP and gRPC (h2c) on one port, Prometheus metrics, OpenTelemetry
// tracing, and optional PostgreSQL, Redis, S3 and DynamoDB backends that
// are only contacted when configured and used.
//
// Endpoints:
//
//	GET /healthz  -> "ok\n"
//	GET /         -> "heavy <version>\n"
//	GET /metrics, /readyz, /v1/greeting, /v1/notes, ... (see internal/api)
//
// Flags:
//
//	-version      print the version and exit 0
//	-healthcheck  GET http://127.0.0.1:$PORT/healthz and exit 0 (healthy) or 1
//	-config FILE  YAML configuration (the environment overrides it)
//
// `server admin ...` runs the operator commands (internal/admin).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"example.com/gofront/bench/heavy/internal/admin"
	"example.com/gofront/bench/heavy/internal/api"
	"example.com/gofront/bench/heavy/internal/config"
	"example.com/gofront/bench/heavy/internal/grpcsvc"
	"example.com/gofront/bench/heavy/internal/metrics"
	"example.com/gofront/bench/heavy/internal/store"
	"example.com/gofront/bench/heavy/internal/telemetry"
	"example.com/gofront/bench/heavy/internal/version"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "admin" {
		if err := admin.Run(context.Background(), os.Stdout, os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "admin:", err)
			os.Exit(1)
		}
		return
	}

	showVersion := flag.Bool("version", false, "print the version and exit")
	healthcheck := flag.Bool("healthcheck", false, "check http://127.0.0.1:$PORT/healthz and exit 0 (healthy) or 1")
	cfgPath := flag.String("config", "", "YAML configuration file")
	flag.Parse()

	if *showVersion {
		fmt.Println(version.Version)
		return
	}

	if *healthcheck {
		port := os.Getenv("PORT")
		if port == "" {
			port = "8080"
		}
		if err := checkHealth(port); err != nil {
			fmt.Fprintln(os.Stderr, "unhealthy:", err)
			os.Exit(1)
		}
		return
	}

	cfg, err := config.Load(*cfgPath)
	if err != nil {
		log.Fatal(err)
	}
	if err := run(cfg); err != nil {
		log.Fatal(err)
	}
}

func run(cfg config.Config) error {
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil)).With("service", cfg.ServiceName)

	// SIGTERM (docker stop) and SIGINT (Ctrl-C) trigger a graceful shutdown.
	// Handling them explicitly matters when running as PID 1, where the
	// kernel applies no default action.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	tel, err := telemetry.Setup(ctx, cfg.ServiceName, version.Version, cfg.Env,
		cfg.Tracing.SampleRatio, cfg.Tracing.KeepSpans)
	if err != nil {
		return err
	}
	m := metrics.New(cfg.ServiceName, version.Version)
	st, err := store.Open(cfg, m)
	if err != nil {
		return err
	}
	defer st.Close()
	gs := grpcsvc.New(st, version.Version, m)

	var protocols http.Protocols
	protocols.SetHTTP1(true)
	protocols.SetUnencryptedHTTP2(true)
	srv := &http.Server{
		Addr: ":" + cfg.Port,
		Handler: api.NewHandler(api.Deps{
			Version:   version.Version,
			Config:    cfg,
			Store:     st,
			Metrics:   m,
			Telemetry: tel,
			GRPC:      gs,
			Log:       logger,
		}),
		Protocols:         &protocols,
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}

	errc := make(chan error, 1)
	go func() {
		logger.Info("listening", "addr", srv.Addr, "version", version.Version, "backend", st.Notes.Name())
		errc <- srv.ListenAndServe()
	}()

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	stop()
	logger.Info("shutting down")

	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.Shutdown)
	defer cancel()
	gs.Stop()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := tel.Shutdown(shutdownCtx); err != nil {
		logger.Warn("tracer shutdown", "err", err)
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
