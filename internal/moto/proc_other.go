//go:build !linux

package moto

import "syscall"

// sysProcAttr has no parent-death signal outside Linux; Stop is then the only cleanup.
func sysProcAttr() *syscall.SysProcAttr { return nil }
