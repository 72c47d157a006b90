//go:build js && wasm

package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"syscall/js"
	"time"

	"ggzy/internal/money"
)

// main registers the functions the pages call, tells the page it is ready
// (globalThis.ggzyReady, when the loader set it) and stays alive.
func main() {
	g := js.Global()
	g.Set("ggzyGenerateKey", promise(jsGenerateKey))
	g.Set("ggzySeal", promise(jsSeal))
	g.Set("ggzySealQuote", promise(jsSealQuote))
	g.Set("ggzyOpenShares", promise(jsOpenShares))
	g.Set("ggzySignDigest", promise(jsSignDigest))
	if ready := g.Get("ggzyReady"); ready.Type() == js.TypeFunction {
		ready.Invoke()
	}
	select {}
}

// promise wraps f as a JavaScript function returning a Promise. f runs on
// its own goroutine: a Go callback that blocks would otherwise hold the
// browser's event loop (syscall/js). A failure rejects with an Error whose
// message is Chinese and whose field names the form field at fault.
func promise(f func(args []js.Value) (any, error)) js.Func {
	return js.FuncOf(func(_ js.Value, args []js.Value) any {
		args = append([]js.Value(nil), args...)
		executor := js.FuncOf(func(_ js.Value, pr []js.Value) any {
			resolve, reject := pr[0], pr[1]
			go func() {
				v, err := f(args)
				if err != nil {
					e := js.Global().Get("Error").New(err.Error())
					var fe *fieldError
					if errors.As(err, &fe) {
						e.Set("field", fe.Field)
					}
					reject.Invoke(e)
					return
				}
				resolve.Invoke(v)
			}()
			return nil
		})
		defer executor.Release()
		return js.Global().Get("Promise").New(executor)
	})
}

func str(args []js.Value, i int) string {
	if i < len(args) && args[i].Type() == js.TypeString {
		return args[i].String()
	}
	return ""
}

func bytesOf(v js.Value) []byte {
	if v.Type() != js.TypeObject || v.Get("length").Type() != js.TypeNumber {
		return nil
	}
	b := make([]byte, v.Get("length").Int())
	js.CopyBytesToGo(b, v)
	return b
}

// jsGenerateKey: ggzyGenerateKey(passphrase) → {pem, publicPem, fingerprint}.
func jsGenerateKey(args []js.Value) (any, error) {
	k, err := generateKey(str(args, 0))
	if err != nil {
		return nil, err
	}
	return map[string]any{"pem": k.PEM, "publicPem": k.PublicPEM, "fingerprint": k.Fingerprint}, nil
}

// jsSeal: ggzySeal(custodyJSON, entityID, formJSON, files, keyPem,
// passphrase[, nowMillis]) → {data: Uint8Array, digest, signer, size}.
// files is an array of {name, data: Uint8Array}; nowMillis is the platform's
// time as the page knows it (the browser's clock is not trusted).
func jsSeal(args []js.Value) (any, error) {
	var in formInput
	if err := json.Unmarshal([]byte(str(args, 2)), &in); err != nil {
		return nil, errors.New("投标表单内容无法读取。")
	}
	var files []attachment
	if len(args) > 3 && args[3].Type() == js.TypeObject {
		for i := 0; i < args[3].Length(); i++ {
			f := args[3].Index(i)
			files = append(files, attachment{Name: f.Get("name").String(), Data: bytesOf(f.Get("data"))})
		}
	}
	now := time.Now()
	if len(args) > 6 && args[6].Type() == js.TypeNumber {
		now = time.UnixMilli(int64(args[6].Float()))
	}
	s, err := sealBid([]byte(str(args, 0)), str(args, 1), in, files, str(args, 4), str(args, 5), now)
	if err != nil {
		return nil, err
	}
	out := js.Global().Get("Uint8Array").New(len(s.Data))
	js.CopyBytesToJS(out, s.Data)
	return map[string]any{"data": out, "digest": s.Digest, "signer": s.Signer, "size": len(s.Data)}, nil
}

// jsSealQuote: ggzySealQuote(custodyJSON, bidderNo, amount, listedFen,
// keyPem, passphrase[, nowMillis]) → {data: Uint8Array, base64, digest,
// signer, size}: a sale's one sealed quote (the sale's custody from its
// page, the bidder's number as the sealed package's bidder). base64 is what
// the page posts in the form's "sealed" field.
func jsSealQuote(args []js.Value) (any, error) {
	var listed money.Fen
	if len(args) > 3 && args[3].Type() == js.TypeNumber {
		listed = money.Fen(args[3].Int())
	}
	now := time.Now()
	if len(args) > 6 && args[6].Type() == js.TypeNumber {
		now = time.UnixMilli(int64(args[6].Float()))
	}
	s, err := sealQuote([]byte(str(args, 0)), str(args, 1), str(args, 2), listed, str(args, 4), str(args, 5), now)
	if err != nil {
		return nil, err
	}
	out := js.Global().Get("Uint8Array").New(len(s.Data))
	js.CopyBytesToJS(out, s.Data)
	return map[string]any{"data": out, "base64": base64.StdEncoding.EncodeToString(s.Data), "digest": s.Digest, "signer": s.Signer, "size": len(s.Data)}, nil
}

// jsOpenShares: ggzyOpenShares(lotID, custodianID, envelopesJSON, keyPem,
// passphrase) → {sharesJSON, count, failures: [{bid_id, reason}], fingerprint}.
func jsOpenShares(args []js.Value) (any, error) {
	o, err := openShares(str(args, 0), str(args, 1), []byte(str(args, 2)), str(args, 3), str(args, 4))
	if err != nil {
		return nil, err
	}
	sharesJSON, err := json.Marshal(o.Shares)
	if err != nil {
		return nil, err
	}
	failures := make([]any, len(o.Failures))
	for i, f := range o.Failures {
		failures[i] = map[string]any{"bid_id": f.BidID, "reason": f.Reason}
	}
	return map[string]any{"sharesJSON": string(sharesJSON), "count": len(o.Shares), "failures": failures, "fingerprint": o.Fingerprint}, nil
}

// jsSignDigest: ggzySignDigest(digestHex, keyPem, passphrase) → {signature, fingerprint}.
func jsSignDigest(args []js.Value) (any, error) {
	s, err := signDigest(str(args, 0), str(args, 1), str(args, 2))
	if err != nil {
		return nil, err
	}
	return map[string]any{"signature": s.Signature, "fingerprint": s.Fingerprint}, nil
}
