// Package verify is `ggzy verify`: the checks that let people outside the
// platform trust its ledger (DESIGN.md §6.1) without trusting its operator.
//
//   - Monitor is an independent client of the public HTTP API only: it checks
//     the signed checkpoint, recomputes every leaf and the root, checks
//     consistency with what it verified before, and checks every reveal
//     against the commitment it opens.
//   - Audit is the operator's check of the database itself: it recomputes the
//     tree from the entries and compares every stored node, the head, every
//     checkpoint and every commitment, so a row changed behind the
//     application's back is named.
//   - Receipt is the document a bidder keeps; VerifyReceipt checks it offline.
//
// Messages for users are Chinese; a Report lists what was checked and every
// problem with the index or node it concerns.
package verify

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"ggzy/internal/clock"
	"ggzy/internal/gm"
	"ggzy/internal/ledger"
)

// verifierFromKey parses a signed-note verifier key: the platform's SM2 key
// (gm's "\xffggzy/sm2" algorithm), or an Ed25519 key as golang.org/x/mod
// makes them (test platforms and older deployments).
func verifierFromKey(vkey string) (note.Verifier, error) {
	vkey = strings.TrimSpace(vkey)
	v, gmErr := gm.NewNoteVerifierFromKey(vkey)
	if gmErr == nil {
		return v, nil
	}
	if v, err := note.NewVerifier(vkey); err == nil {
		return v, nil
	}
	// gm's message says what is wrong with an SM2 key (the usual case).
	return nil, fmt.Errorf("验证密钥无法解析（应为“名称+校验值+Base64”格式的 SM2 或 Ed25519 签名便笺密钥）：%v", gmErr)
}

// openCheckpoint checks a signed checkpoint note with v and parses its body.
// The error says in Chinese why it was refused.
func openCheckpoint(text []byte, v note.Verifier) (ledger.Checkpoint, error) {
	if v == nil {
		return ledger.Checkpoint{}, errors.New("没有验证密钥")
	}
	n, err := note.Open(text, note.VerifierList(v))
	if err != nil {
		return ledger.Checkpoint{}, noteError(err)
	}
	cp, err := ledger.ParseBody(n.Text)
	if err != nil {
		return ledger.Checkpoint{}, fmt.Errorf("检查点内容格式错误：%v", err)
	}
	cp.Note = text
	return cp, nil
}

// noteError turns note.Open's errors into what a user can act on.
func noteError(err error) error {
	var unverified *note.UnverifiedNoteError
	var invalid *note.InvalidSignatureError
	switch {
	case errors.As(err, &invalid):
		return fmt.Errorf("检查点签名无效（密钥 %s 的签名验证失败）", invalid.Name)
	case errors.As(err, &unverified):
		return errors.New("检查点没有所信任密钥的签名（可能由其他密钥签署）")
	}
	return fmt.Errorf("检查点不是有效的签名便笺：%v", err)
}

// unverifiedCheckpoint parses a checkpoint note without checking any
// signature: for building receipts and for reading the body of a stored
// checkpoint when no key was given. Callers must not trust the result.
func unverifiedCheckpoint(text []byte) (ledger.Checkpoint, error) {
	_, err := note.Open(text, nil)
	var unverified *note.UnverifiedNoteError
	if !errors.As(err, &unverified) {
		return ledger.Checkpoint{}, fmt.Errorf("检查点不是有效的签名便笺：%v", err)
	}
	cp, err := ledger.ParseBody(unverified.Note.Text)
	if err != nil {
		return ledger.Checkpoint{}, fmt.Errorf("检查点内容格式错误：%v", err)
	}
	cp.Note = text
	return cp, nil
}

// Report is the outcome of a check: what was verified, for the reader, and
// each problem found, naming the entry, node or checkpoint it concerns.
type Report struct {
	Title    string
	Facts    []string
	Problems []string
}

func (r *Report) fact(format string, args ...any) {
	r.Facts = append(r.Facts, fmt.Sprintf(format, args...))
}

func (r *Report) problem(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

// OK is true when nothing was found.
func (r Report) OK() bool { return len(r.Problems) == 0 }

// Write prints the report as short Chinese text.
func (r Report) Write(w io.Writer) {
	var b strings.Builder
	if r.Title != "" {
		b.WriteString(r.Title + "\n")
	}
	for _, f := range r.Facts {
		b.WriteString("  " + f + "\n")
	}
	if r.OK() {
		b.WriteString("结论：全部核验通过。\n")
	} else {
		fmt.Fprintf(&b, "结论：发现 %d 个问题：\n", len(r.Problems))
		for _, p := range r.Problems {
			b.WriteString("  ✗ " + p + "\n")
		}
	}
	_, _ = io.WriteString(w, b.String())
}

// String is the report as Write prints it.
func (r Report) String() string {
	var b strings.Builder
	r.Write(&b)
	return b.String()
}

// beijing formats a checkpoint time for people (to the second: checkpoints
// may be seconds apart).
func beijing(t time.Time) string {
	return t.In(clock.Shanghai).Format("2006-01-02 15:04:05") + "（北京时间）"
}

func b64(h []byte) string { return base64.StdEncoding.EncodeToString(h) }

// missingMsg names missing entries: "记录 5 缺失" or "记录 5 至 9 缺失（共 5 条）".
func missingMsg(from, to int64) string {
	if from == to {
		return fmt.Sprintf("记录 %d 缺失", from)
	}
	return fmt.Sprintf("记录 %d 至 %d 缺失（共 %d 条）", from, to, to-from+1)
}

// listSizes names up to ten sizes and says how many more there are: a
// changed node can spoil thousands of checkpoints, and one line is enough.
func listSizes(sizes []uint64) string {
	const shown = 10
	var parts []string
	for i, s := range sizes {
		if i == shown {
			parts = append(parts, fmt.Sprintf("等共 %d 个", len(sizes)))
			break
		}
		parts = append(parts, fmt.Sprint(s))
	}
	return strings.Join(parts, "、")
}
