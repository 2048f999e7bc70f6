// Command ctl is the command-line client shipped next to the server in the
// multi example's image.
//
//	ctl version     print "ctl <version> <commit>"
//	ctl ping [URL]  GET URL (default http://127.0.0.1:$PORT/) and print the body;
//	                exit 1 on an error or a non-2xx status
package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

// Set at build time with -ldflags "-X main.version=... -X main.commit=...".
// The image's other -X flags (main.date, main.builder) name variables ctl
// does not declare; the linker ignores them.
var (
	version = "dev"
	commit  = "unknown"
)

const usage = `usage:
  ctl version     print the version and commit
  ctl ping [URL]  GET URL (default http://127.0.0.1:$PORT/) and print the body
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	switch os.Args[1] {
	case "version":
		fmt.Printf("ctl %s %s\n", version, commit)
	case "ping":
		url := ""
		if len(os.Args) > 2 {
			url = os.Args[2]
		} else {
			port := os.Getenv("PORT")
			if port == "" {
				port = "8080"
			}
			url = "http://127.0.0.1:" + port + "/"
		}
		if err := ping(url, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "ctl ping:", err)
			os.Exit(1)
		}
	case "help", "-h", "-help", "--help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "ctl: unknown command %q\n%s", os.Args[1], usage)
		os.Exit(2)
	}
}

func ping(url string, out io.Writer) error {
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(out, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("%s: status %s", url, resp.Status)
	}
	return nil
}
