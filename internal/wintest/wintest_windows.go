package wintest

import (
	"os"

	"golang.org/x/sys/windows/registry"
)

func underWine() bool {
	if os.Getenv(EnvVar) == "1" {
		return true
	}
	k, err := registry.OpenKey(registry.CURRENT_USER, `Software\Wine`, registry.QUERY_VALUE)
	if err != nil {
		return false
	}
	_ = k.Close()
	return true
}
