// Command gendefault writes the small built-in datasets of package data: a
// class-balanced subset of Fashion-MNIST (from Debian's dataset-fashion-mnist
// package) and of MNIST (from the GoMNIST module's data folder), as gzipped
// IDX files. Run it through `go generate ./runtime/data`.
//
// Usage: gendefault -out DIR [-train N] [-test N] [-fashion DIR] [-mnist DIR]
package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/latent-ai/latent/runtime/data"
)

func main() {
	out := flag.String("out", "defaultdata", "output directory")
	nTrain := flag.Int("train", 6000, "training images per dataset (a multiple of 10)")
	nTest := flag.Int("test", 1000, "test images per dataset (a multiple of 10)")
	fashion := flag.String("fashion", "", "Fashion-MNIST directory (default: found like data.FashionMNIST)")
	mnist := flag.String("mnist", "", "MNIST directory (default: found like data.MNIST)")
	flag.Parse()
	if err := run(*out, *nTrain, *nTest, *fashion, *mnist); err != nil {
		fmt.Fprintln(os.Stderr, "gendefault:", err)
		os.Exit(1)
	}
}

func run(out string, nTrain, nTest int, fashion, mnist string) error {
	var err error
	if fashion == "" {
		if fashion, err = data.FindFashionMNIST(); err != nil {
			return err
		}
	}
	if mnist == "" {
		if mnist, err = data.FindMNIST(); err != nil {
			return err
		}
	}
	for _, d := range []struct{ src, dst string }{{fashion, "fashion-mnist"}, {mnist, "mnist"}} {
		for _, split := range []struct {
			prefix string
			n      int
		}{{"train", nTrain}, {"t10k", nTest}} {
			if err := subset(d.src, filepath.Join(out, d.dst), split.prefix, split.n); err != nil {
				return err
			}
		}
	}
	return nil
}

// subset keeps the first n/10 images of each class, in file order.
func subset(src, dst, prefix string, n int) error {
	img, err := data.ReadIDXFile(filepath.Join(src, prefix+"-images-idx3-ubyte.gz"))
	if err != nil {
		return err
	}
	lab, err := data.ReadIDXFile(filepath.Join(src, prefix+"-labels-idx1-ubyte.gz"))
	if err != nil {
		return err
	}
	per := n / 10
	pix := img.Dims[1] * img.Dims[2]
	var count [10]int
	var keepImg, keepLab []byte
	for i, l := range lab.Raw {
		if l > 9 || count[l] >= per {
			continue
		}
		count[l]++
		keepLab = append(keepLab, l)
		keepImg = append(keepImg, img.Raw[i*pix:(i+1)*pix]...)
	}
	if len(keepLab) != per*10 {
		return fmt.Errorf("%s: found only %d images for a balanced subset of %d", src, len(keepLab), per*10)
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	images := &data.IDX{Type: data.IDXUint8, Dims: []int{len(keepLab), img.Dims[1], img.Dims[2]}, Raw: keepImg}
	labels := &data.IDX{Type: data.IDXUint8, Dims: []int{len(keepLab)}, Raw: keepLab}
	if err := write(filepath.Join(dst, prefix+"-images-idx3-ubyte.gz"), images); err != nil {
		return err
	}
	return write(filepath.Join(dst, prefix+"-labels-idx1-ubyte.gz"), labels)
}

func write(path string, a *data.IDX) error {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return err
	}
	if err := data.WriteIDX(zw, a); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}
