package greeting

import "testing"

func TestHello(t *testing.T) {
	if got, want := Hello(), "hello from the greeting lib"; got != want {
		t.Errorf("Hello() = %q, want %q", got, want)
	}
}
