//go:build !windows

package wintest

func underWine() bool { return false }
