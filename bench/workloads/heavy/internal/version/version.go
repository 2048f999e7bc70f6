// Package version holds the build version of the service.
package version

// Version is set at build time with
// -ldflags "-X example.com/gofront/bench/heavy/internal/version.Version=...".
var Version = "dev"
