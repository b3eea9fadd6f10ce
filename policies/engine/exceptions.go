package engine

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

const day = 24 * time.Hour

// ValidateException checks an exception before it is admitted. Every problem
// is reported, joined: unknown controls (ErrUnknownControl: no loaded baseline
// or custom policy reports them), a span longer than a baseline allows for one
// of its controls (ErrExceptionTooLong; caps are declared by baselines as
// exception_max_days), and a missing name, control, target, kind,
// justification or approver, an invalid selector, or an expiry not after now
// (ErrInvalidException).
func (e *Engine) ValidateException(ex Exception, now time.Time) error {
	snap := e.current.Load()
	var errs []error
	invalid := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrInvalidException}, args...)...))
	}
	if ex.Name == "" {
		invalid("name is empty")
	}
	if len(ex.Controls) == 0 {
		invalid("no controls: name the controls it waives")
	}
	if len(ex.Targets) == 0 {
		invalid("no targets: name the objects it applies to")
	}
	for i, t := range ex.Targets {
		if t.Kind == "" {
			invalid("targets[%d].kind is empty", i)
		}
		switch {
		case namespaced(t.Kind) && len(t.Namespaces) == 0:
			invalid("targets[%d].namespaces is empty: a %s target must list its namespaces, since %s names and labels are chosen in each namespace", i, t.Kind, t.Kind)
		case !namespaced(t.Kind) && len(t.Namespaces) > 0:
			invalid("targets[%d].namespaces is set: %s is cluster-scoped", i, t.Kind)
		}
		if t.Selector != nil {
			if _, err := metav1.LabelSelectorAsSelector(t.Selector); err != nil {
				invalid("targets[%d].selector: %v", i, err)
			}
		}
	}
	if ex.Justification == "" {
		invalid("justification is empty")
	}
	if ex.ApprovedBy == "" {
		invalid("approvedBy is empty")
	}
	if !ex.ExpiresAt.After(now) {
		invalid("expiresAt %s is not in the future", ex.ExpiresAt.UTC().Format(time.RFC3339))
	}
	for _, control := range ex.Controls {
		owners := snap.owners(control)
		if len(owners) == 0 {
			errs = append(errs, fmt.Errorf("%w %q: no loaded baseline or custom policy reports it (known: %s)", ErrUnknownControl, control, strings.Join(snap.controls(), ", ")))
			continue
		}
		if limit, by, ok := snap.cap(control); ok && ex.ExpiresAt.Sub(now) > time.Duration(limit)*day {
			errs = append(errs, fmt.Errorf("%w: baseline %q allows exceptions for control %q for at most %d days; set expiresAt no later than %s",
				ErrExceptionTooLong, by, control, limit, now.Add(time.Duration(limit)*day).UTC().Format(time.RFC3339)))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("exception %q is refused: %w", ex.Name, err)
	}
	return nil
}

// owners returns the names of the policies that report a control.
func (s *snapshot) owners(control string) []string {
	var out []string
	for name, p := range s.policies {
		if _, ok := p.controls[control]; ok {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// controls returns every control a loaded policy reports, sorted.
func (s *snapshot) controls() []string {
	var out []string
	for _, p := range s.policies {
		for c := range p.controls {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// cap returns the strictest cap any loaded policy declares for a control, and
// which policy declares it.
func (s *snapshot) cap(control string) (days int, by string, ok bool) {
	for _, name := range s.sortedNames() {
		if d, has := s.policies[name].maxDays[control]; has && (!ok || d < days) {
			days, by, ok = d, name, true
		}
	}
	return days, by, ok
}

func (s *snapshot) sortedNames() []string {
	names := make([]string, 0, len(s.policies))
	for n := range s.policies {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// waive moves the violations an exception covers from Violations to Waived.
// An exception applies when it has not expired at now, lists the control, has
// a target matching the object and, if a baseline caps the control, does not
// outlast the cap from now: the cap holds even for an exception admitted
// without validation. The first matching exception by name is credited.
func waive(v *Verdict, obj map[string]any, exceptions []Exception, snap *snapshot, now time.Time) {
	if len(exceptions) == 0 || len(v.Violations) == 0 {
		return
	}
	live := make([]Exception, 0, len(exceptions))
	for _, ex := range exceptions {
		if ex.ExpiresAt.After(now) && matchesObject(ex.Targets, obj) {
			live = append(live, ex)
		}
	}
	if len(live) == 0 {
		return
	}
	slices.SortFunc(live, func(a, b Exception) int { return strings.Compare(a.Name, b.Name) })

	kept := v.Violations[:0]
	for _, violation := range v.Violations {
		if name, ok := waiver(live, violation.Control, snap, now); ok {
			v.Waived = append(v.Waived, WaivedViolation{Violation: violation, Exception: name})
			continue
		}
		kept = append(kept, violation)
	}
	v.Violations = kept
}

func waiver(live []Exception, control string, snap *snapshot, now time.Time) (string, bool) {
	limit, _, capped := snap.cap(control)
	for _, ex := range live {
		if !slices.Contains(ex.Controls, control) {
			continue
		}
		if capped && ex.ExpiresAt.Sub(now) > time.Duration(limit)*day {
			continue
		}
		return ex.Name, true
	}
	return "", false
}

// Selects reports whether one of the exception's targets selects obj, a
// JSON-shaped object with its kind and metadata, as evaluations match them.
// It does not look at expiry or controls.
func (ex Exception) Selects(obj map[string]any) bool { return matchesObject(ex.Targets, obj) }

// namespaced reports whether objects of kind live in namespaces.
func namespaced(kind string) bool { return kind == "Workload" }

// matchesObject reports whether any target selects the object: same kind,
// same name if the target names one, in one of its namespaces for a namespaced
// kind, labels matching if it has a selector. A namespaced target without
// namespaces selects nothing: one admitted before namespaces were required
// must not reach every namespace.
func matchesObject(targets []Target, obj map[string]any) bool {
	kind, _ := obj["kind"].(string)
	name := nameOf(obj)
	for _, t := range targets {
		if t.Kind != kind || (t.Name != "" && t.Name != name) {
			continue
		}
		if namespaced(kind) {
			ns, _ := at(obj, "metadata", "namespace").(string)
			if !slices.Contains(t.Namespaces, ns) {
				continue
			}
		}
		if t.Selector != nil {
			sel, err := metav1.LabelSelectorAsSelector(t.Selector)
			if err != nil || !sel.Matches(objectLabels(obj)) {
				continue // an invalid selector selects nothing
			}
		}
		return true
	}
	return false
}

func objectLabels(obj map[string]any) labels.Set {
	set := labels.Set{}
	switch m := at(obj, "metadata", "labels").(type) {
	case map[string]any:
		for k, v := range m {
			if s, ok := v.(string); ok {
				set[k] = s
			}
		}
	case map[string]string:
		for k, v := range m {
			set[k] = v
		}
	}
	return set
}
