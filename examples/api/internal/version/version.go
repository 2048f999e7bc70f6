// Package version holds build metadata injected by the linker.
package version

// Version is set at build time with
//
//	-ldflags "-X example.com/gofront/examples/api/internal/version.Version=..."
var Version = "dev"
