package fsroot

import "smswork/ops"

// Short local names for ops's pure path helpers.

func relName(rel string) string       { return ops.RootName(rel) }
func joinRel(dir, name string) string { return ops.JoinRel(dir, name) }
