// Command zonekeeper-webhook serves ZoneKeeper's validating admission webhook on its own, beside a
// manager run with --disable-webhooks (see internal/webhookserver).
package main

import (
	"flag"
	"fmt"
	"os"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/zonekeeper/zonekeeper/internal/webhookserver"
)

func main() {
	var (
		o  webhookserver.Options
		zo zap.Options
	)
	// controller-runtime registers --kubeconfig; GetConfig reads it, then $KUBECONFIG, the
	// in-cluster service account and ~/.kube/config.
	o.BindFlags(flag.CommandLine)
	zo.BindFlags(flag.CommandLine)
	flag.Parse()
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&zo)))

	cfg, err := ctrl.GetConfig()
	if err != nil {
		fmt.Fprintln(os.Stderr, "cannot load kubeconfig:", err)
		os.Exit(1)
	}
	if err := webhookserver.Run(ctrl.SetupSignalHandler(), cfg, o); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
