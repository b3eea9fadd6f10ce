// Command zonekeeper is the ZoneKeeper operator and its command line.
package main

import (
	"os"

	"github.com/zonekeeper/zonekeeper/internal/cli"
)

func main() {
	os.Exit(cli.Execute())
}
