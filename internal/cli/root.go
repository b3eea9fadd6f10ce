// Package cli is the zonekeeper command line: the manager and the commands people run.
package cli

import (
	"github.com/spf13/cobra"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// Execute runs the command line and returns the process exit code.
func Execute() int {
	root := &cobra.Command{
		Use:           "zonekeeper",
		Short:         "Compliant cloud landing zones as Kubernetes resources",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newManagerCommand(), newGetCommand(), newCheckCommand(), newPolicyCommand())
	return exitCode(root.Execute())
}

// restConfig loads a kubeconfig the way kubectl does: the --kubeconfig flag, then $KUBECONFIG,
// then ~/.kube/config, then the in-cluster service account.
func restConfig(kubeconfig string) (*rest.Config, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = kubeconfig
	return clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{}).ClientConfig()
}
