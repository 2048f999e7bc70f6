// Package greeting is a library shared by the monorepo's services.
package greeting

// Hello returns the shared greeting.
func Hello() string {
	return "hello from the greeting lib"
}
