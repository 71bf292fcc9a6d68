// Serializes a module compiled by Wasmtime with and without epoch
// interruption, as the host compiles it (Cranelift, opt level speed), into
// rayon-plain.elf and rayon-epoch.elf for objdump -d -M intel: the machine
// code of bench/results/epoch-loop/alma-inner-loop.txt.
//
//	go run ./bench/results/epoch-loop examples/rayon/rayon-single.wasm
package main

import (
	"os"

	"github.com/bytecodealliance/wasmtime-go/v44"
)

func main() {
	if len(os.Args) != 2 {
		panic("usage: go run ./bench/results/epoch-loop MODULE.wasm")
	}
	wasm, err := os.ReadFile(os.Args[1])
	if err != nil {
		panic(err)
	}
	for _, epoch := range []bool{false, true} {
		cfg := wasmtime.NewConfig()
		cfg.SetWasmThreads(true)
		cfg.SetEpochInterruption(epoch)
		cfg.SetCraneliftOptLevel(wasmtime.OptLevelSpeed)
		e := wasmtime.NewEngineWithConfig(cfg)
		m, err := wasmtime.NewModule(e, wasm)
		if err != nil {
			panic(err)
		}
		b, err := m.Serialize()
		if err != nil {
			panic(err)
		}
		name := "rayon-plain.elf"
		if epoch {
			name = "rayon-epoch.elf"
		}
		if err := os.WriteFile(name, b, 0o644); err != nil {
			panic(err)
		}
	}
}
