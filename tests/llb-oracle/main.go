// Command llb-oracle checks that LLB ops are encoded byte for byte the way
// BuildKit's own Go code encodes them.
//
// Since BuildKit v0.18 the daemon does not trust the digests a frontend
// computed: loadLLB (solver/llbsolver/vertex.go) unmarshals every op of the
// definition and recomputeDigests re-marshals it with pb.Op.Marshal, which
// is proto.MarshalOptions{Deterministic: true}.Marshal (solver/pb/ops.go).
// Metadata and source locations are keyed by the client's digests, so an op
// whose bytes differ from Go's canonical encoding loses them.
//
// Usage:
//
//	llb-oracle DEFINITION.pb   check every op of a serialized pb.Definition
//	llb-oracle -sample         marshal a small graph with client/llb and check it
//
// For each op it prints "<digest of the given bytes> <digest of Go's bytes>
// <kind>" on stdout, and exits 1 if any pair differs (or on any error).
package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"os"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: llb-oracle DEFINITION.pb | -sample")
		os.Exit(1)
	}
	var def *pb.Definition
	if os.Args[1] == "-sample" {
		d, err := sample()
		if err != nil {
			fmt.Fprintln(os.Stderr, "llb-oracle: client/llb sample:", err)
			os.Exit(1)
		}
		def = d
	} else {
		dt, err := os.ReadFile(os.Args[1])
		if err != nil {
			fmt.Fprintln(os.Stderr, "llb-oracle:", err)
			os.Exit(1)
		}
		def = &pb.Definition{}
		if err := def.Unmarshal(dt); err != nil {
			fmt.Fprintln(os.Stderr, "llb-oracle: not a pb.Definition:", err)
			os.Exit(1)
		}
	}
	if len(def.Def) == 0 {
		fmt.Fprintln(os.Stderr, "llb-oracle: the definition has no ops")
		os.Exit(1)
	}
	differ := 0
	for i, dt := range def.Def {
		// Exactly what loadLLB does with each op...
		var op pb.Op
		if err := op.Unmarshal(dt); err != nil {
			fmt.Fprintf(os.Stderr, "llb-oracle: op %d: failed to parse llb proto op: %v\n", i, err)
			os.Exit(1)
		}
		// ...and what recomputeDigests does with it (input digests are
		// left as they are: if every op is canonical they do not change).
		goBytes, err := op.Marshal()
		if err != nil {
			fmt.Fprintf(os.Stderr, "llb-oracle: op %d: marshal: %v\n", i, err)
			os.Exit(1)
		}
		ours, theirs := digest.FromBytes(dt), digest.FromBytes(goBytes)
		fmt.Printf("%s %s %s\n", ours, theirs, kind(&op))
		if ours != theirs {
			differ++
			explain(i, dt, goBytes)
		}
	}
	if differ > 0 {
		fmt.Fprintf(os.Stderr, "llb-oracle: %d of %d ops are not in Go's canonical encoding\n", differ, len(def.Def))
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "llb-oracle: all %d ops match Go's canonical encoding\n", len(def.Def))
}

func kind(op *pb.Op) string {
	switch o := op.Op.(type) {
	case *pb.Op_Source:
		return "source"
	case *pb.Op_Exec:
		return "exec"
	case *pb.Op_File:
		return "file"
	case *pb.Op_Build:
		return "build"
	case *pb.Op_Merge:
		return "merge"
	case *pb.Op_Diff:
		return "diff"
	case nil:
		return "terminal"
	default:
		return fmt.Sprintf("%T", o)
	}
}

// explain prints where the two encodings part, for the failure message.
func explain(i int, ours, theirs []byte) {
	n := 0
	for n < len(ours) && n < len(theirs) && ours[n] == theirs[n] {
		n++
	}
	window := func(b []byte) string {
		end := min(n+24, len(b))
		return hex.EncodeToString(b[n:end])
	}
	fmt.Fprintf(os.Stderr, "llb-oracle: op %d differs at byte %d (lengths %d and %d): ours %s… go %s…\n",
		i, n, len(ours), len(theirs), window(ours), window(theirs))
}

// sample builds a graph like gofront's with BuildKit's own client/llb, for
// the record: its bytes are canonical by construction.
func sample() (*pb.Definition, error) {
	ctx := context.Background()
	arm64 := ocispecs.Platform{OS: "linux", Architecture: "arm64"}
	armv7 := ocispecs.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}
	amd64 := ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	base := llb.Image("docker.io/library/alpine:3.21", llb.Platform(arm64))
	builder := llb.Image("docker.io/library/golang:1.26-alpine", llb.Platform(amd64))
	ctxSrc := llb.Local("context",
		llb.SessionID("session"),
		llb.SharedKeyHint("context"),
		llb.ExcludePatterns([]string{"*.md"}),
		llb.Platform(amd64),
		llb.WithCustomName("[gofront] load build context"))
	run := builder.Run(
		llb.Args([]string{"go", "build", "-o", "/out/server", "."}),
		llb.Dir("/src"),
		llb.AddEnv("CGO_ENABLED", "0"),
		llb.AddMount("/src", ctxSrc, llb.Readonly),
		llb.AddMount("/root/.cache/go-build", llb.Scratch(), llb.AsPersistentCacheDir("gofront-gocache", llb.CacheMountShared)),
	)
	out := run.AddMount("/out", llb.Scratch())
	staged := llb.Scratch().File(
		llb.Mkdir("/usr/local/bin", 0o755, llb.WithParents(true), llb.WithUIDGID(0, 0)).
			Copy(out, "/server", "/usr/local/bin/server", &llb.CopyInfo{Mode: &llb.ChmodOpt{Mode: 0o755}}),
		llb.Platform(armv7))
	image := llb.Merge([]llb.State{base, staged}, llb.Platform(arm64))
	def, err := image.Marshal(ctx)
	if err != nil {
		return nil, err
	}
	return def.ToPB(), nil
}
