// Package status is the job states of the generate example. Their names come
// from stringer: `go generate ./...` writes status_string.go (the String
// method), which is not committed; gofront's `generate:` step (or
// `go generate` in a Dockerfile) makes it before the build.
package status

//go:generate go tool stringer -type=Status

// Status is the state of a job.
type Status int

// The states, in the order a job goes through them. Their String() names
// are generated.
const (
	Unknown Status = iota
	Queued
	Running
	Succeeded
	Failed
	Cancelled
)

// All lists every status, in order.
func All() []Status {
	return []Status{Unknown, Queued, Running, Succeeded, Failed, Cancelled}
}

// Valid reports whether s is one of the declared statuses.
func (s Status) Valid() bool { return s >= Unknown && s <= Cancelled }

// Done reports whether a job in state s has finished.
func (s Status) Done() bool { return s == Succeeded || s == Failed || s == Cancelled }
