//go:build !(js && wasm)

package main

import (
	"fmt"
	"os"
)

// main explains how to build: the command exists only as WebAssembly.
func main() {
	fmt.Fprintln(os.Stderr, "ggzy-wasm 仅用于浏览器：GOOS=js GOARCH=wasm go build -trimpath -ldflags=-s -o internal/web/static/ggzy.wasm ./cmd/ggzy-wasm")
	os.Exit(2)
}
