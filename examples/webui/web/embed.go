// Package web holds the web UI. Its source is in src/ and index.html; `npm ci
// && npm run build` in this directory bundles it into dist/, which is not in
// the repository: gofront's `web:` step (or the node stage of a Dockerfile)
// makes it before `go build`, and the Go binary embeds it.
package web

import "embed"

// Dist is the built UI: dist/index.html, dist/app.js. The "all:" prefix
// keeps files whose names start with "." or "_" (bundlers emit such chunks).
//
//go:embed all:dist
var Dist embed.FS
