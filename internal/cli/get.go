package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
)

// get prints resources the way `kubectl get` does, through the API server's own Table rendering,
// so the printer columns shown are exactly those the CRDs declare. It exists so the demo and
// newcomers do not depend on whatever kubectl a machine happens to have.
type getOptions struct {
	kubeconfig    string
	wide          bool
	conditions    bool
	allNamespaces bool
	namespace     string
}

func newGetCommand() *cobra.Command {
	o := getOptions{}
	cmd := &cobra.Command{
		Use:   "get [RESOURCE|CATEGORY]...",
		Short: "List ZoneKeeper resources like kubectl get (default: the zonekeeper category)",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				args = []string{"zonekeeper"}
			}
			cfg, err := restConfig(o.kubeconfig)
			if err != nil {
				return errors.Wrap(err, "cannot load kubeconfig")
			}
			return runGet(cmd.Context(), cmd.OutOrStdout(), cfg, args, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.kubeconfig, "kubeconfig", "", "path to a kubeconfig; defaults to $KUBECONFIG, ~/.kube/config, then in-cluster")
	f.BoolVarP(&o.wide, "wide", "w", false, "show every printer column, as kubectl get -o wide")
	f.BoolVar(&o.conditions, "conditions", false, "print each object's conditions below the table")
	f.BoolVarP(&o.allNamespaces, "all-namespaces", "A", true, "list namespaced resources in every namespace")
	f.StringVarP(&o.namespace, "namespace", "n", "", "list namespaced resources in this namespace only")
	return cmd
}

func runGet(ctx context.Context, out io.Writer, cfg *rest.Config, args []string, o getOptions) error {
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return errors.Wrap(err, "cannot create discovery client")
	}
	lists, err := dc.ServerPreferredResources()
	if err != nil && len(lists) == 0 {
		return errors.Wrap(err, "cannot discover API resources")
	}
	resources, err := resolveResources(lists, args)
	if err != nil {
		return err
	}
	hc, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return errors.Wrap(err, "cannot create HTTP client")
	}
	for i, r := range resources {
		if i > 0 {
			fmt.Fprintln(out)
		}
		tbl, err := fetchTable(ctx, hc, cfg.Host, r, o)
		if err != nil {
			return err
		}
		printTable(out, r, tbl, o)
	}
	return nil
}

type apiResource struct {
	gv schema.GroupVersion
	metav1.APIResource
}

// resolveResources expands each argument as kubectl does: a category, a plural, singular or short
// name, or a kind; the order of the result follows the arguments, then the resource name.
func resolveResources(lists []*metav1.APIResourceList, args []string) ([]apiResource, error) {
	var out []apiResource
	for _, arg := range args {
		arg = strings.ToLower(arg)
		var found []apiResource
		for _, l := range lists {
			gv, err := schema.ParseGroupVersion(l.GroupVersion)
			if err != nil {
				continue
			}
			for _, r := range l.APIResources {
				if strings.Contains(r.Name, "/") || !slices.Contains(r.Verbs, "list") {
					continue
				}
				if slices.Contains(r.Categories, arg) || r.Name == arg || r.SingularName == arg ||
					strings.ToLower(r.Kind) == arg || slices.Contains(r.ShortNames, arg) ||
					r.Name+"."+gv.Group == arg {
					found = append(found, apiResource{gv: gv, APIResource: r})
				}
			}
		}
		if len(found) == 0 {
			return nil, errors.Errorf("the server has no resource type or category %q", arg)
		}
		slices.SortFunc(found, func(a, b apiResource) int { return strings.Compare(a.Name, b.Name) })
		out = append(out, found...)
	}
	return out, nil
}

func fetchTable(ctx context.Context, hc *http.Client, host string, r apiResource, o getOptions) (*metav1.Table, error) {
	prefix := "/apis/" + r.gv.String()
	if r.gv.Group == "" {
		prefix = "/api/" + r.gv.Version
	}
	path := prefix + "/" + r.Name
	if r.Namespaced && o.namespace != "" {
		path = prefix + "/namespaces/" + url.PathEscape(o.namespace) + "/" + r.Name
	}
	q := url.Values{"includeObject": {"Object"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(host, "/")+path+"?"+q.Encode(), nil)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot build request for %s", r.Name)
	}
	req.Header.Set("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot list %s", r.Name)
	}
	defer resp.Body.Close() //nolint:errcheck // a read-only body
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot read %s", r.Name)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, errors.Errorf("cannot list %s: %s: %s", r.Name, resp.Status, strings.TrimSpace(string(body)))
	}
	tbl := &metav1.Table{}
	if err := json.Unmarshal(body, tbl); err != nil {
		return nil, errors.Wrapf(err, "cannot decode %s table", r.Name)
	}
	return tbl, nil
}

func printTable(out io.Writer, r apiResource, tbl *metav1.Table, o getOptions) {
	kind := r.Name
	if r.gv.Group != "" {
		kind += "." + r.gv.Group
	}
	if len(tbl.Rows) == 0 {
		fmt.Fprintf(out, "No %s found.\n", kind)
		return
	}
	tw := tabwriter.NewWriter(out, 0, 8, 3, ' ', 0)
	var show []int
	for i, c := range tbl.ColumnDefinitions {
		if o.wide || c.Priority == 0 {
			show = append(show, i)
		}
	}
	var header []string
	if r.Namespaced {
		header = append(header, "NAMESPACE")
	}
	for _, i := range show {
		header = append(header, strings.ToUpper(tbl.ColumnDefinitions[i].Name))
	}
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	objs := make([]*unstructured.Unstructured, len(tbl.Rows))
	for ri, row := range tbl.Rows {
		u := &unstructured.Unstructured{}
		if row.Object.Raw != nil {
			_ = u.UnmarshalJSON(row.Object.Raw) // a row without its object still prints its cells
		}
		objs[ri] = u
		var cells []string
		if r.Namespaced {
			cells = append(cells, u.GetNamespace())
		}
		for _, i := range show {
			cells = append(cells, cell(row.Cells, i))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	_ = tw.Flush()
	if !o.conditions {
		return
	}
	for _, u := range objs {
		name := u.GetName()
		if u.GetNamespace() != "" {
			name = u.GetNamespace() + "/" + name
		}
		conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
		fmt.Fprintf(out, "  %s %s\n", r.SingularName, name)
		if len(conds) == 0 {
			fmt.Fprintln(out, "    (no conditions yet)")
		}
		for _, c := range conds {
			m, _ := c.(map[string]any)
			fmt.Fprintf(out, "    %-10s %-8v %-26v %v\n", m["type"], m["status"], m["reason"], m["message"])
		}
	}
}

func cell(cells []any, i int) string {
	if i >= len(cells) || cells[i] == nil {
		return "<none>"
	}
	switch v := cells[i].(type) {
	case string:
		if v == "" {
			return "<none>"
		}
		return v
	case []any:
		s := make([]string, len(v))
		for j := range v {
			s[j] = fmt.Sprint(v[j])
		}
		return strings.Join(s, ",")
	default:
		return fmt.Sprint(v)
	}
}
