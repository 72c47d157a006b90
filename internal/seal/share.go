package seal

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Share is one custodian's Shamir share of a content key: the point (X, Y)
// with X = custodian position + 1 and Y 16 bytes.
type Share struct {
	X byte
	Y []byte
}

// String is the text form "X:hex(Y)", e.g. "2:9f…", for copying by hand.
func (s Share) String() string { return strconv.Itoa(int(s.X)) + ":" + hex.EncodeToString(s.Y) }

// ErrShareFormat is returned for a share that cannot be read.
var ErrShareFormat = errors.New("密钥份额格式错误")

// ParseShare parses the text form made by String.
func ParseShare(s string) (Share, error) {
	xs, ys, ok := strings.Cut(strings.TrimSpace(s), ":")
	x, err := strconv.Atoi(xs)
	if !ok || err != nil || x < 1 || x > MaxCustodians || !validHex(ys, keySize) {
		return Share{}, ErrShareFormat
	}
	y, _ := hex.DecodeString(ys)
	return Share{X: byte(x), Y: y}, nil
}

type shareJSON struct {
	X int    `json:"x"`
	Y string `json:"y"`
}

// MarshalJSON encodes {"x":2,"y":"hex"}.
func (s Share) MarshalJSON() ([]byte, error) {
	return json.Marshal(shareJSON{X: int(s.X), Y: hex.EncodeToString(s.Y)})
}

// UnmarshalJSON decodes the form made by MarshalJSON.
func (s *Share) UnmarshalJSON(b []byte) error {
	var j shareJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return ErrShareFormat
	}
	v, err := ParseShare(strconv.Itoa(j.X) + ":" + j.Y)
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ShareError says why shares did not give the key. Bad lists the X of shares
// known to be wrong, when that could be found out.
type ShareError struct {
	Reason string
	Bad    []byte
}

func (e *ShareError) Error() string { return e.Reason }

// maxSubsets bounds the search among k-subsets (C(32,16) would be 6·10^8);
// realistic custody (n ≤ 7) has at most 35.
const maxSubsets = 1 << 14

// RecoverKey combines custodians' shares into h's content key, checked against
// h's key_check. It needs at least Threshold distinct shares; with more, it
// tolerates wrong ones as long as some k of them agree (see RecoverKeyDetail).
func RecoverKey(h Header, shares []Share) ([]byte, error) {
	key, _, err := RecoverKeyDetail(h, shares)
	return key, err
}

// RecoverKeyDetail is RecoverKey that also names the wrong shares (by X):
// those that disagree with the polynomial the most shares agree on, when the
// key was recovered. Shares are named only when that is unambiguous (errors
// that cancel out can make two sets of k shares equally plausible; then none
// is named). On failure the error is a *ShareError.
func RecoverKeyDetail(h Header, shares []Share) (key []byte, bad []byte, err error) {
	k, n := h.Threshold, len(h.Custodians)
	if k < 2 || k > n || !validHex(h.KeyCheck, 32) {
		return nil, nil, errors.New("seal: RecoverKey needs a header from ReadHeader, Check or Seal")
	}
	// Deduplicate; conflicting copies of one X are both suspect, so keep the
	// X out and report it.
	byX := map[byte][]byte{}
	var conflict []byte
	for _, s := range shares {
		if s.X < 1 || int(s.X) > n || len(s.Y) != keySize {
			return nil, nil, &ShareError{Reason: fmt.Sprintf("密钥份额 %d 无效", s.X), Bad: []byte{s.X}}
		}
		if y, ok := byX[s.X]; ok && string(y) != string(s.Y) {
			conflict = append(conflict, s.X)
		}
		byX[s.X] = s.Y
	}
	for _, x := range conflict {
		delete(byX, x)
	}
	xs := make([]byte, 0, len(byX))
	for x := range byX {
		xs = append(xs, x)
	}
	slices.Sort(xs)
	ys := make([][]byte, len(xs))
	for i, x := range xs {
		ys[i] = byX[x]
	}
	slices.Sort(conflict)
	conflict = slices.Compact(conflict)

	if len(xs) < k {
		return nil, nil, &ShareError{
			Reason: fmt.Sprintf("密钥份额不足：需要 %d 份不同的份额，只有 %d 份", k, len(xs)),
			Bad:    conflict,
		}
	}
	// All shares at once: right whenever every share is.
	if key := combineShares(xs, ys); keyCheck(key) == h.KeyCheck {
		return key, conflict, nil
	}
	if len(xs) == k {
		return nil, nil, &ShareError{Reason: "密钥份额有误：组合出的密钥与密封文件不符（无法判断哪一份有误）", Bad: conflict}
	}
	// Look for k shares that give the right key. key_check only vouches for
	// f(0): wrong shares whose errors cancel at 0 can give the right key on a
	// wrong polynomial. So the shares named bad are those off every candidate
	// polynomial with the most support; two distinct polynomials of degree
	// k-1 share at most k-1 points, so support s with 2s > m+k-1 is unique.
	m := len(xs)
	var (
		found     []byte
		bestSize  int
		onAnyBest = make([]bool, m)
	)
	idx := make([]int, k)
	for i := range idx {
		idx[i] = i
	}
	subX, subY := make([]byte, k), make([][]byte, k)
	for tries := 0; tries < maxSubsets; tries++ {
		for i, j := range idx {
			subX[i], subY[i] = xs[j], ys[j]
		}
		if key := combineShares(subX, subY); keyCheck(key) == h.KeyCheck {
			found = key
			on := make([]bool, m)
			size := 0
			for j, x := range xs {
				if string(interpolateAt(subX, subY, x)) == string(ys[j]) {
					on[j] = true
					size++
				}
			}
			switch {
			case 2*size > m+k-1:
				clear(onAnyBest)
				copy(onAnyBest, on)
				bestSize = m + k // nothing can beat it
			case size > bestSize:
				bestSize = size
				copy(onAnyBest, on)
			case size == bestSize:
				for j := range on {
					onAnyBest[j] = onAnyBest[j] || on[j]
				}
			}
			if bestSize == m+k {
				break
			}
		}
		if !nextCombination(idx, m) {
			break
		}
	}
	if found == nil {
		return nil, nil, &ShareError{Reason: fmt.Sprintf("密钥份额有误：找不到 %d 份一致的份额", k), Bad: conflict}
	}
	bad = slices.Clone(conflict)
	for j, x := range xs {
		if !onAnyBest[j] {
			bad = append(bad, x)
		}
	}
	slices.Sort(bad)
	return found, bad, nil
}

// nextCombination advances idx (strictly increasing indices into 0..m-1) to
// the next combination in lexicographic order; false after the last.
func nextCombination(idx []int, m int) bool {
	k := len(idx)
	i := k - 1
	for i >= 0 && idx[i] == m-k+i {
		i--
	}
	if i < 0 {
		return false
	}
	idx[i]++
	for j := i + 1; j < k; j++ {
		idx[j] = idx[j-1] + 1
	}
	return true
}
