package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/latent-ai/latent/dsl"
	"github.com/latent-ai/latent/kernel"
)

func init() {
	register("kernel", "run a Jupyter kernel (started by Jupyter with --connection-file)", kernelMain)
}

func kernelMain(args []string) int {
	fs := flag.NewFlagSet("kernel", flag.ContinueOnError)
	connFile := fs.String("connection-file", "", "the Jupyter connection `file` naming ports and key (Jupyter passes it)")
	maxMsg := fs.Int("max-message-size", 64<<20, "refuse incoming messages larger than this many `bytes`")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: latent kernel --connection-file FILE\n\nRuns a Jupyter kernel for Go. Jupyter starts it through the kernelspec\nthat 'latent install' writes; you rarely run it by hand.\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if *connFile == "" || fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	lg := log.New(os.Stderr, "latent kernel: ", log.LstdFlags)
	ci, warning, err := kernel.ReadConnectionFile(*connFile)
	if warning != "" {
		lg.Printf("warning: %s", warning)
	}
	if err != nil {
		lg.Print(err)
		return 1
	}
	ver, _ := buildVersions()
	k, err := kernel.New(kernel.Config{
		Conn:           ci,
		NewEvaluator:   func() (kernel.Evaluator, error) { return dsl.New() },
		Log:            lg,
		Version:        ver,
		MaxMessageSize: *maxMsg,
	})
	if err != nil {
		lg.Print(err)
		return 1
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case s := <-sigs:
				if s == os.Interrupt {
					k.Interrupt()
					continue
				}
				lg.Printf("%v: shutting down", s)
				cancel()
				return
			}
		}
	}()
	go kernel.WatchParent(ctx, time.Second, func(pid int) {
		lg.Printf("parent process %d has exited: shutting down", pid)
		cancel()
	})
	if err := k.Run(ctx); err != nil {
		lg.Print(err)
		return 1
	}
	return 0
}
