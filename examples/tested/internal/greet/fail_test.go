//go:build failing

package greet

import "testing"

// TestDeliberateFailure fails on purpose. It is compiled only with the build
// tag "failing" (`tags: [failing]` in the spec), so the end-to-end test can
// check that a failing test fails the build and its output reaches the user.
func TestDeliberateFailure(t *testing.T) {
	t.Fatal("greet: deliberate failure for the e2e test")
}
