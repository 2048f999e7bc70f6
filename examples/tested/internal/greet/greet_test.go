package greet

import "testing"

func TestGreet(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"x", "hello, x"},
		{"gopher", "hello, gopher"},
		{"  padded  ", "hello, padded"},
		{"", "hello, world"},
		{"   ", "hello, world"},
	} {
		if got := Greet(tc.name); got != tc.want {
			t.Errorf("Greet(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}
