// Command etcd is the etcd server, built from the same module graph as kube-apiserver so the test
// control plane never needs a binary download.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
