// Command stream is `zonekeeper check -f DIR -o FORMAT` through check.Stream instead of check.Run
// and check.Write: results are written as they are evaluated instead of being collected first,
// so memory does not grow with the number of results. hack/bench/check.sh measures it beside the
// command, to show what `zonekeeper check` gains once internal/cli calls check.Stream. Exit codes
// are the command's: 0 nothing denied, 1 something denied, 2 bad input, 3 anything else.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/zonekeeper/zonekeeper/internal/check"
)

func main() {
	var paths, baselines, policies string
	var format string
	flag.StringVar(&paths, "f", "", "files or directories of manifests, comma-separated")
	flag.StringVar(&baselines, "baseline", "", "extra baselines, comma-separated")
	flag.StringVar(&policies, "policy", "", "custom policy directories, comma-separated")
	flag.StringVar(&format, "o", "text", "output format: "+strings.Join(check.Formats, ", "))
	flag.Parse()
	o := check.Options{Paths: split(paths), Baselines: split(baselines), PolicyDirs: split(policies)}
	denied, err := check.Stream(context.Background(), o, os.Stdout, format)
	switch {
	case errors.Is(err, check.ErrBadInput):
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(3)
	case denied:
		os.Exit(1)
	}
}

func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
