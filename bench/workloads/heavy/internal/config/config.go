// Package config loads the service configuration from an optional YAML
// file and the environment. Every backend is optional: with no
// configuration at all the service keeps its data in memory.
package config

import (
	"fmt"
	"net/url"
	"os"
	"strconv"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is the effective configuration of the service.
type Config struct {
	Port        string        `yaml:"port"`
	Env         string        `yaml:"env"`
	ServiceName string        `yaml:"service_name"`
	Shutdown    time.Duration `yaml:"shutdown_timeout"`
	Postgres    Postgres      `yaml:"postgres"`
	Redis       Redis         `yaml:"redis"`
	AWS         AWS           `yaml:"aws"`
	Tracing     Tracing       `yaml:"tracing"`
}

// Postgres configures the optional PostgreSQL note store.
type Postgres struct {
	URL      string `yaml:"url"`
	MaxConns int32  `yaml:"max_conns"`
}

// Redis configures the optional read-through cache.
type Redis struct {
	Addr     string        `yaml:"addr"`
	Password string        `yaml:"password"`
	DB       int           `yaml:"db"`
	TTL      time.Duration `yaml:"ttl"`
}

// AWS configures the optional S3 attachment bucket and DynamoDB audit table.
type AWS struct {
	Region      string `yaml:"region"`
	Endpoint    string `yaml:"endpoint"`
	Bucket      string `yaml:"bucket"`
	AuditTable  string `yaml:"audit_table"`
	UsePathURLs bool   `yaml:"use_path_urls"`
}

// Tracing configures the in-process OpenTelemetry tracer.
type Tracing struct {
	SampleRatio float64 `yaml:"sample_ratio"`
	KeepSpans   int     `yaml:"keep_spans"`
}

// Default returns the configuration used when nothing is set.
func Default() Config {
	return Config{
		Port:        "8080",
		Env:         "development",
		ServiceName: "heavy",
		Shutdown:    5 * time.Second,
		Postgres:    Postgres{MaxConns: 8},
		Redis:       Redis{TTL: 5 * time.Minute},
		AWS:         AWS{Region: "us-east-1"},
		Tracing:     Tracing{SampleRatio: 1, KeepSpans: 256},
	}
}

// Load reads path (if not empty) over the defaults, then applies the
// environment: PORT, APP_ENV, DATABASE_URL, REDIS_ADDR, REDIS_PASSWORD,
// AWS_REGION, AWS_ENDPOINT_URL, S3_BUCKET, DYNAMODB_TABLE, TRACE_SAMPLE_RATIO.
func Load(path string) (Config, error) {
	cfg := Default()
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return cfg, fmt.Errorf("config: %w", err)
		}
		if err := yaml.Unmarshal(data, &cfg); err != nil {
			return cfg, fmt.Errorf("config %s: %w", path, err)
		}
	}
	env := func(key string, dst *string) {
		if v, ok := os.LookupEnv(key); ok && v != "" {
			*dst = v
		}
	}
	env("PORT", &cfg.Port)
	env("APP_ENV", &cfg.Env)
	env("DATABASE_URL", &cfg.Postgres.URL)
	env("REDIS_ADDR", &cfg.Redis.Addr)
	env("REDIS_PASSWORD", &cfg.Redis.Password)
	env("AWS_REGION", &cfg.AWS.Region)
	env("AWS_ENDPOINT_URL", &cfg.AWS.Endpoint)
	env("S3_BUCKET", &cfg.AWS.Bucket)
	env("DYNAMODB_TABLE", &cfg.AWS.AuditTable)
	if v := os.Getenv("TRACE_SAMPLE_RATIO"); v != "" {
		ratio, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return cfg, fmt.Errorf("TRACE_SAMPLE_RATIO: %w", err)
		}
		cfg.Tracing.SampleRatio = ratio
	}
	return cfg, cfg.Validate()
}

// Validate reports the first inconsistent setting.
func (c Config) Validate() error {
	if n, err := strconv.Atoi(c.Port); err != nil || n <= 0 || n > 65535 {
		return fmt.Errorf("config: bad port %q", c.Port)
	}
	if c.Tracing.SampleRatio < 0 || c.Tracing.SampleRatio > 1 {
		return fmt.Errorf("config: sample_ratio %v is outside [0, 1]", c.Tracing.SampleRatio)
	}
	if c.Postgres.MaxConns < 1 {
		return fmt.Errorf("config: postgres.max_conns must be positive")
	}
	return nil
}

// Redacted returns the configuration as YAML with secrets masked.
func (c Config) Redacted() ([]byte, error) {
	if c.Redis.Password != "" {
		c.Redis.Password = "***"
	}
	if c.Postgres.URL != "" {
		if u, err := url.Parse(c.Postgres.URL); err == nil && u.User != nil {
			if _, ok := u.User.Password(); ok {
				u.User = url.UserPassword(u.User.Username(), "REDACTED")
			}
			c.Postgres.URL = u.String()
		}
	}
	return yaml.Marshal(c)
}
