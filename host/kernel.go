package host

import (
	"fmt"
	"strconv"
	"strings"
)

// maxKernels bounds the kernels of one module (the C block holds a handle
// for each).
const maxKernels = 4096

// Kernel is a kernel export of a module: a function whose parameters and
// result (at most one) are i32, i64, f32 or f64, looked up once with
// Module.Kernel and called on any instance of that module with
// Instance.Call or Buffers.Call. A Kernel is immutable and safe for
// concurrent use.
type Kernel struct {
	m     *Module
	index export // its slot in every instance's table of kernels
	name  string
	sig   signature
}

// Name returns the export's name ("" for a nil Kernel; Params and Results
// then return nil, String "<nil>").
func (k *Kernel) Name() string {
	if k == nil {
		return ""
	}
	return k.name
}

// Params returns the types of the kernel's parameters, in order, each
// "i32", "i64", "f32" or "f64" (WIT's u32 and s32 lower to i32, u64 and s64
// to i64): an argument of type "f64" is Encode(float64(x)), and so on.
func (k *Kernel) Params() []string {
	if k == nil {
		return nil
	}
	return typeNames(k.sig.params)
}

// Results returns the type of the kernel's result, named as in Params:
// empty, or one type (Decode[float64] of Call's result for "f64").
func (k *Kernel) Results() []string {
	if k == nil {
		return nil
	}
	return typeNames(k.sig.results)
}

func typeNames(ts []valType) []string {
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.String()
	}
	return names
}

// String returns the kernel's name and core signature, as
// "step: func(f64, i32) -> f64".
func (k *Kernel) String() string {
	if k == nil {
		return "<nil>"
	}
	return k.name + ": " + k.sig.String()
}

// Kernel returns the kernel export named name. Look it up once and call it
// on any instance of this module (Instance.Call, Buffers.Call). It returns
// ErrMissingExport (in a *GuestError) if the module has no such kernel.
func (m *Module) Kernel(name string) (*Kernel, error) {
	if m.zero() {
		return nil, errZeroModule
	}
	if k, ok := m.contract.byName[name]; ok {
		return k, nil
	}
	if reserved(name) {
		return nil, guestErr(m.name, name, ErrMissingExport, "%q is reserved by the contract, not a kernel", name)
	}
	if m.contract.nonFunc[name] {
		return nil, guestErr(m.name, name, ErrSignature, "export %q is not a function", name)
	}
	return nil, guestErr(m.name, name, ErrMissingExport, "no kernel %q (the guest exports %s)", name, m.kernelNames())
}

// kernelNames lists the module's kernels for an error message, at most 8.
func (m *Module) kernelNames() string {
	ks := m.contract.kernels
	if len(ks) == 0 {
		return "no kernels"
	}
	var names []string
	for i, k := range ks {
		if i == 8 {
			names = append(names, fmt.Sprintf("and %d more", len(ks)-8))
			break
		}
		names = append(names, strconv.Quote(k.name))
	}
	return "kernels " + strings.Join(names, ", ")
}

// Kernels returns every kernel of the module, in export order.
// (None for a nil or zero Module.)
func (m *Module) Kernels() []*Kernel {
	if m.zero() {
		return nil
	}
	return append([]*Kernel(nil), m.contract.kernels...)
}
