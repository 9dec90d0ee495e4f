package course

import (
	"encoding/xml"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/latent-ai/latent/notebook"
)

// root is the module root, relative to this package.
const root = "../.."

// latentBin is the binary built by TestMain.
var latentBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "latent-course-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	latentBin = filepath.Join(dir, "latent")
	build := exec.Command("go", "build", "-o", latentBin, "./cmd/latent")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build ./cmd/latent: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// bound says that result Name must lie in [Lo, Hi].
type bound struct {
	Name   string
	Lo, Hi float64
}

// order says that result Less must be at most Factor times result More
// (e.g. the autoencoder's error below PCA's).
type order struct {
	Less, More string
	Factor     float64
}

// lesson is one course notebook, the parameters CI runs it with, and the
// tolerances its results must meet with those parameters.
type lesson struct {
	Name   string
	Params []string // -p NAME=VALUE, smaller than the defaults
	Bounds []bound
	Orders []order
}

// course lists every notebook with its CI parameters and tolerances. The
// bounds are wide around the values measured with these parameters (noted
// beside them), so that they catch a broken model, loss or metric rather
// than a change in the last digit.
var course = []lesson{
	{Name: "00-tour", Params: []string{"epochs=4"},
		Bounds: []bound{
			{"train_loss", 0.005, 0.025}, // 0.0147
			{"test_mse", 0.005, 0.025},   // 0.0141
			{"bag_auroc", 0.85, 1},       // 0.935
		}},
	{Name: "01-undercomplete", Params: []string{"epochs=3", "trainSize=30000"},
		Bounds: []bound{
			{"ae_mse_2", 0.02, 0.045},    // 0.0342
			{"pca_mse_2", 0.04, 0.052},   // 0.0461 (closed form)
			{"ae_mse_8", 0.012, 0.03},    // 0.0205
			{"pca_mse_8", 0.024, 0.029},  // 0.0266 (closed form)
			{"ae_mse_32", 0.008, 0.03},   // 0.0189
			{"pca_mse_32", 0.013, 0.017}, // 0.0152 (closed form)
		},
		Orders: []order{{"ae_mse_2", "pca_mse_2", 0.9}, {"ae_mse_8", "pca_mse_8", 0.9}, {"ae_mse_8", "ae_mse_2", 0.8}}},
	{Name: "02-sparse", Params: []string{"epochs=5", "trainSize=30000"},
		Bounds: []bound{
			{"mse_plain", 0.008, 0.03},  // 0.0204
			{"mse_l1", 0.008, 0.03},     // 0.0205
			{"act_ratio_l1", 0.05, 0.7}, // 0.48
			{"act_kl", 0.03, 0.3},       // 0.127 (target ρ = 0.1)
		},
		Orders: []order{{"mse_l1", "mse_plain", 1.25}}},
	// The defaults: with less training the denoising model does not yet
	// beat PCA-64 (0.0207 after 4 epochs on 30000 images).
	{Name: "03-denoising",
		Bounds: []bound{
			{"dae_mse", 0.008, 0.018},   // 0.0139
			{"pca64_mse", 0.013, 0.017}, // 0.0152 (closed form)
			{"noisy_mse", 0.024, 0.027}, // 0.0255 (the noise itself)
		},
		Orders: []order{{"dae_mse", "noisy_mse", 0.7}, {"dae_mse", "pca64_mse", 1}}},
	{Name: "04-variational", Params: []string{"epochs=2", "trainSize=30000"},
		Bounds: []bound{
			{"vae20_val_loss", 230, 295}, // 263
			{"vae2_val_loss", 250, 320},  // 279
		},
		Orders: []order{{"vae20_val_loss", "vae2_val_loss", 1}}},
	{Name: "05-convolutional", Params: []string{"epochs=2", "trainSize=10000"},
		Bounds: []bound{
			{"conv_mse", 0.002, 0.03},       // 0.0123
			{"dense_tiny_mse", 0.04, 0.15},  // 0.096
			{"dense_big_mse", 0.008, 0.045}, // 0.022
		},
		Orders: []order{{"conv_mse", "dense_tiny_mse", 0.5}}},
	{Name: "06-anomaly-detection", Params: []string{"epochs=5", "trainSize=30000", "seriesWindows=2000"},
		Bounds: []bound{
			{"image_auroc", 0.85, 1},  // 0.896
			{"image_f1", 0.4, 0.8},    // 0.53
			{"pca_auroc", 0.8, 1},     // 0.882
			{"series_auroc", 0.85, 1}, // 0.922
			{"series_f1", 0.35, 1},    // 0.53
		}},
	{Name: "07-dimensionality-reduction", Params: []string{"epochs=4", "trainSize=30000"},
		Bounds: []bound{
			{"ae2_mse", 0.02, 0.042},         // 0.0312
			{"pca2_mse", 0.043, 0.049},       // 0.0461 (closed form)
			{"ae2_centroid_acc", 0.45, 0.8},  // 0.574
			{"pca2_centroid_acc", 0.42, 0.5}, // 0.458
		},
		Orders: []order{{"ae2_mse", "pca2_mse", 0.9}, {"pca2_centroid_acc", "ae2_centroid_acc", 1}}},
	{Name: "08-data-generation", Params: []string{"epochs=2", "trainSize=30000", "convTrainSize=5000"},
		Bounds: []bound{
			{"vae_val_loss", 100, 145},      // 127.8
			{"conv_vae_val_loss", 100, 260}, // 194
		}},
	{Name: "09-recommendation", Params: []string{"epochs=100"},
		Bounds: []bound{
			{"autorec_rmse", 0.6, 0.98},      // 0.888
			{"item_mean_rmse", 0.95, 1.1},    // 1.021 (closed form)
			{"global_mean_rmse", 1.05, 1.17}, // 1.113 (closed form)
		},
		Orders: []order{{"autorec_rmse", "item_mean_rmse", 0.95}}},
	{Name: "10-decoder-swap", Params: []string{"epochs=4", "perDomain=10000"},
		Bounds: []bound{
			{"loss_a", 0.008, 0.05}, // 0.0263
			{"loss_b", 0.008, 0.06}, // 0.0348
		}},
	{Name: "11-your-own-data",
		Bounds: []bound{
			{"image_train_loss", 0.002, 0.02}, // 0.0080
			{"cross_auroc", 0.8, 1},           // 0.929
			{"faults_found", 3, 3},            // 3 of 3
			{"csv_rows", 1440, 1440},
		}},
}

// TestCourseListed checks that every notebook in notebooks/ is in the table
// above, and the other way round.
func TestCourseListed(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(root, "notebooks", "*.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, f := range files {
		have[strings.TrimSuffix(filepath.Base(f), ".ipynb")] = true
	}
	for _, l := range course {
		if !have[l.Name] {
			t.Errorf("notebooks/%s.ipynb is missing", l.Name)
		}
		delete(have, l.Name)
	}
	for n := range have {
		t.Errorf("notebooks/%s.ipynb has no entry in the course table of course_test.go", n)
	}
}

// TestCourseClean checks that the committed notebooks are clean nbformat
// 4.5 for the Latent kernel, with a parameters cell, and up to date with
// their Markdown sources.
func TestCourseClean(t *testing.T) {
	for _, l := range course {
		t.Run(l.Name, func(t *testing.T) {
			nb, err := notebook.ReadFile(filepath.Join(root, "notebooks", l.Name+".ipynb"))
			if err != nil {
				t.Fatal(err)
			}
			if nb.Format != 4 || nb.FormatMinor != 5 {
				t.Errorf("nbformat %d.%d, want 4.5", nb.Format, nb.FormatMinor)
			}
			ks, _ := nb.Metadata["kernelspec"].(map[string]any)
			if ks["name"] != "latent" || ks["display_name"] != "Go (Latent)" || ks["language"] != "go" {
				t.Errorf("kernelspec %v, want latent / Go (Latent) / go", ks)
			}
			params := 0
			for i, c := range nb.Cells {
				if len(c.Outputs) > 0 || c.ExecutionCount != nil {
					t.Errorf("cell %d has outputs or an execution count; commit notebooks clean (regenerate them with mkcourse)", i)
				}
				if c.HasTag(notebook.TagParameters) {
					params++
				}
			}
			if params != 1 {
				t.Errorf("%d cells tagged parameters, want 1", params)
			}
		})
	}
	cmd := exec.Command("go", "run", "./notebooks/internal/mkcourse", "-check")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("notebooks differ from notebooks/src: %v\n%s", err, out)
	}
}

// TestCourse executes every notebook with `latent run -j 2 --junit` (two
// notebooks at a time, as CI runs a course) and with `jupyter nbconvert
// --execute`, and checks the results of both.
func TestCourse(t *testing.T) {
	if testing.Short() {
		t.Skip("executes the whole course twice (about 15 minutes); skipped with -short")
	}
	const jupyter = "/usr/bin/jupyter"
	if _, err := os.Stat(jupyter); err != nil {
		t.Fatalf("%s is missing: apt-get install jupyter-nbconvert python3-nbclient", jupyter)
	}
	dir := t.TempDir()
	prefix := filepath.Join(dir, "prefix")
	if out, err := exec.Command(latentBin, "install", "--prefix", prefix).CombinedOutput(); err != nil {
		t.Fatalf("latent install --prefix: %v\n%s", err, out)
	}
	env := append(os.Environ(),
		"JUPYTER_PATH="+filepath.Join(prefix, "share", "jupyter"),
		"JUPYTER_DATA_DIR="+filepath.Join(dir, "data"),
		"JUPYTER_RUNTIME_DIR="+filepath.Join(dir, "runtime"),
		"JUPYTER_CONFIG_DIR="+filepath.Join(dir, "config"),
		"PATH="+filepath.Dir(latentBin)+":"+os.Getenv("PATH"),
	)

	// Each lesson's CI parameters are injected into a copy, as papermill
	// (and latent run -p) would, so that one `latent run -j 2` runs them all
	// and nbconvert, which has no -p, runs the same copies.
	var inputs []string
	for _, l := range course {
		inputs = append(inputs, withParameters(t, dir, l))
	}
	// -j starts notebooks in the order given: the two longest first, so
	// that the others fill in around them (measured: 03 and 01 take 60%
	// of a serial run).
	sort.SliceStable(inputs, func(i, j int) bool { return slowFirst(inputs[i]) && !slowFirst(inputs[j]) })
	junit := filepath.Join(dir, "course-junit.xml")
	if art := os.Getenv("LATENT_ARTIFACTS"); art != "" {
		junit = filepath.Join(art, "course-junit.xml")
	}
	args := append([]string{"run", "-j", "2", "--timeout", "600", "--junit", junit, "--output-dir", filepath.Join(dir, "latent")}, inputs...)
	run := exec.Command(latentBin, args...)
	run.Dir = dir
	if out, err := run.CombinedOutput(); err != nil {
		t.Fatalf("latent run -j 2: %v\n%s", err, out)
	} else {
		t.Logf("latent run -j 2:\n%s", out)
	}
	checkJUnit(t, junit, len(course))

	for _, l := range course {
		t.Run(l.Name, func(t *testing.T) {
			ours := filepath.Join(dir, "latent", l.Name+".ipynb")
			conv := exec.Command(jupyter, "nbconvert", "--to", "notebook", "--execute",
				"--ExecutePreprocessor.kernel_name=latent", "--ExecutePreprocessor.timeout=600",
				"--output", l.Name+".nbconvert.ipynb", filepath.Join(dir, l.Name+".ipynb"))
			conv.Dir, conv.Env = dir, env
			if out, err := conv.CombinedOutput(); err != nil {
				t.Fatalf("jupyter nbconvert --execute %s: %v\n%s", l.Name, err, out)
			}
			theirs := filepath.Join(dir, l.Name+".nbconvert.ipynb")

			var got [2]map[string]float64
			for i, path := range []string{ours, theirs} {
				got[i] = results(t, path)
				check(t, filepath.Base(path), l, got[i])
			}
			// Training is deterministic given its seeds, so both executions
			// should agree; allow a little for floating-point summation order.
			for name, a := range got[0] {
				if b, ok := got[1][name]; ok && math.Abs(a-b) > 0.02*math.Max(math.Abs(a), math.Abs(b))+1e-9 {
					t.Errorf("%s: latent run gave %g, nbconvert %g (more than 2%% apart)", name, a, b)
				}
			}
			t.Logf("%s results: %v", l.Name, got[0])
		})
	}
}

// slowFirst reports whether the notebook at path is one of the course's
// two longest runs.
func slowFirst(path string) bool {
	name := strings.TrimSuffix(filepath.Base(path), ".ipynb")
	return name == "03-denoising" || name == "01-undercomplete"
}

// withParameters writes dir/NAME.ipynb: the lesson's notebook with its CI
// parameters injected.
func withParameters(t *testing.T, dir string, l lesson) string {
	t.Helper()
	nb, err := notebook.ReadFile(filepath.Join(root, "notebooks", l.Name+".ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	var params []notebook.Param
	for _, s := range l.Params {
		p, err := notebook.ParseParam(s)
		if err != nil {
			t.Fatal(err)
		}
		params = append(params, p)
	}
	if _, err := nb.InjectParameters(params); err != nil {
		t.Fatal(err)
	}
	b, err := nb.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, l.Name+".ipynb")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// checkJUnit reads the JUnit report of the course run: one passing test
// case per notebook.
func checkJUnit(t *testing.T, path string, notebooks int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("JUnit report: %v", err)
	}
	var report struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Errors   int `xml:"errors,attr"`
		Suites   []struct {
			Cases []struct {
				Name string `xml:"name,attr"`
				Time string `xml:"time,attr"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(data, &report); err != nil {
		t.Fatalf("JUnit report %s: %v", path, err)
	}
	if report.Tests != notebooks || report.Failures+report.Errors != 0 || len(report.Suites) != 1 || len(report.Suites[0].Cases) != notebooks {
		t.Errorf("JUnit report: %d tests, %d failures, %d errors; want %d passing\n%s", report.Tests, report.Failures, report.Errors, notebooks, data)
	}
}

var resultLine = regexp.MustCompile(`(?m)^RESULT ([A-Za-z0-9_]+)=(\S+)$`)

// results reads an executed notebook, fails on any error output or when no
// cell shows an image, and returns the values of its RESULT lines.
func results(t *testing.T, path string) map[string]float64 {
	t.Helper()
	nb, err := notebook.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	res := map[string]float64{}
	images := 0
	for i, c := range nb.Cells {
		for _, o := range c.Outputs {
			switch o.Type {
			case notebook.ErrorOutput:
				t.Errorf("%s: cell %d failed: %s: %s", filepath.Base(path), i, o.EName, o.EValue)
			case notebook.StreamOutput:
				for _, m := range resultLine.FindAllStringSubmatch(o.Text, -1) {
					v, err := strconv.ParseFloat(m[2], 64)
					if err != nil {
						t.Errorf("%s: RESULT %s=%s is not a number", filepath.Base(path), m[1], m[2])
						continue
					}
					res[m[1]] = v
				}
			default:
				if _, ok := o.Data["image/png"]; ok {
					images++
				}
			}
		}
	}
	if images == 0 {
		t.Errorf("%s: no cell shows an image", filepath.Base(path))
	}
	return res
}

// check holds the results of one execution against the lesson's tolerances.
func check(t *testing.T, file string, l lesson, res map[string]float64) {
	t.Helper()
	get := func(name string) (float64, bool) {
		v, ok := res[name]
		if !ok {
			t.Errorf("%s: no RESULT %s line (got %v)", file, name, res)
		} else if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Errorf("%s: RESULT %s=%v", file, name, v)
			ok = false
		}
		return v, ok
	}
	for _, b := range l.Bounds {
		if v, ok := get(b.Name); ok && (v < b.Lo || v > b.Hi) {
			t.Errorf("%s: %s = %.5g, want within [%g, %g]", file, b.Name, v, b.Lo, b.Hi)
		}
	}
	for _, o := range l.Orders {
		a, ok1 := get(o.Less)
		b, ok2 := get(o.More)
		if ok1 && ok2 && !(a <= o.Factor*b) {
			t.Errorf("%s: %s = %.5g, want at most %g × %s = %.5g", file, o.Less, a, o.Factor, o.More, o.Factor*b)
		}
	}
}
