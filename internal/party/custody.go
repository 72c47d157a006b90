package party

import (
	"fmt"

	"ggzy/internal/apperr"
	"ggzy/internal/ids"
)

// Custody of sealed bids and sealed quotes (DESIGN.md §6.2): the key of
// every sealed package is split among custodians, k of whom open it after
// the deadline. The bounds are the same for the tender's bids and the
// sales' one-time quotes.
const (
	DefaultThreshold     = 2
	DefaultDecryptWindow = 60 // minutes after the deadline
	MinDecryptWindow     = 10
	MaxDecryptWindow     = 24 * 60
)

// CustodyInput names a custodian set: the users, the threshold k and the
// decryption window.
type CustodyInput struct {
	UserIDs       []ids.ID
	Threshold     int // 0 = DefaultThreshold
	WindowMinutes int // 0 = DefaultDecryptWindow
}

// Check fills the defaults and checks the set's shape: at least two
// custodians, each once, 1 < k ≤ n, the window within its bounds. Who may
// hold custody and from how many organisations is the caller's check (it
// reads the users).
func (in *CustodyInput) Check() error {
	if in.Threshold == 0 {
		in.Threshold = DefaultThreshold
	}
	if in.WindowMinutes == 0 {
		in.WindowMinutes = DefaultDecryptWindow
	}
	f := map[string]string{}
	n := len(in.UserIDs)
	if n < 2 {
		f["custodians"] = "密钥保管人至少2名。"
	}
	if in.Threshold <= 1 || in.Threshold > n {
		f["threshold"] = fmt.Sprintf("解密门限应大于1且不超过保管人数（%d）。", n)
	}
	if in.WindowMinutes < MinDecryptWindow || in.WindowMinutes > MaxDecryptWindow {
		f["window_minutes"] = fmt.Sprintf("解密时限应为%d至%d分钟。", MinDecryptWindow, MaxDecryptWindow)
	}
	seen := map[ids.ID]bool{}
	for _, u := range in.UserIDs {
		if seen[u] {
			f["custodians"] = "同一人不能重复担任保管人。"
		}
		seen[u] = true
	}
	return apperr.Fields("密钥保管设置有误，请按提示修改。", f)
}
