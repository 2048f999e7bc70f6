// Command server runs the gofront example JSON API.
//
// Configuration comes from the environment:
//
//	PORT      listen port (default 8080)
//	APP_ENV   deployment environment, reported in logs and on GET /
//	LOG_LEVEL debug, info, warn or error (default info)
//
// Flags:
//
//	-version      print the version and exit 0
//	-healthcheck  GET http://127.0.0.1:$PORT/healthz and exit 0 (healthy) or 1
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"example.com/gofront/examples/api/internal/api"
	"example.com/gofront/examples/api/internal/store"
	"example.com/gofront/examples/api/internal/version"
)

type config struct {
	Port     string
	Env      string
	LogLevel slog.Level
}

func loadConfig() (config, error) {
	c := config{Port: getenv("PORT", "8080"), Env: getenv("APP_ENV", "development")}
	if err := c.LogLevel.UnmarshalText([]byte(getenv("LOG_LEVEL", "info"))); err != nil {
		return c, fmt.Errorf("LOG_LEVEL: %w", err)
	}
	return c, nil
}

func getenv(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}

func main() {
	showVersion := flag.Bool("version", false, "print the version and exit")
	healthcheck := flag.Bool("healthcheck", false, "check http://127.0.0.1:$PORT/healthz and exit 0 (healthy) or 1")
	flag.Parse()

	if *showVersion {
		fmt.Println(version.Version)
		return
	}

	cfg, err := loadConfig()
	if err != nil {
		fmt.Fprintln(os.Stderr, "config:", err)
		os.Exit(2)
	}

	if *healthcheck {
		if err := checkHealth(cfg.Port); err != nil {
			fmt.Fprintln(os.Stderr, "unhealthy:", err)
			os.Exit(1)
		}
		return
	}

	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	slog.SetDefault(logger)

	if err := run(cfg, logger); err != nil {
		logger.Error("server failed", slog.Any("err", err))
		os.Exit(1)
	}
}

func run(cfg config, logger *slog.Logger) error {
	handler := api.NewRouter(api.Config{
		Store:   store.New(),
		Logger:  logger,
		Version: version.Version,
		Env:     cfg.Env,
	})

	srv := &http.Server{
		Addr:              net.JoinHostPort("", cfg.Port),
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       60 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}

	// SIGTERM (docker stop) and SIGINT (Ctrl-C) trigger a graceful shutdown.
	// Explicit handling matters when running as PID 1.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	errc := make(chan error, 1)
	go func() {
		logger.Info("listening", slog.String("addr", srv.Addr),
			slog.String("version", version.Version), slog.String("env", cfg.Env))
		errc <- srv.ListenAndServe()
	}()

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	stop()
	logger.Info("shutting down")

	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("stopped")
	return nil
}

func checkHealth(port string) error {
	client := &http.Client{Timeout: 3 * time.Second}
	resp, err := client.Get("http://" + net.JoinHostPort("127.0.0.1", port) + "/healthz")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %s", resp.Status)
	}
	return nil
}
