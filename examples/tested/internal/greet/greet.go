// Package greet makes greetings.
package greet

import "strings"

// Greet returns "hello, <name>", or "hello, world" when name is blank.
func Greet(name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		name = "world"
	}
	return "hello, " + name
}
