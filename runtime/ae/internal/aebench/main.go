// Command aebench measures Latent's autoencoder training throughput on
// Fashion-MNIST for bench/runtime.sh: the same models, optimizer (Adam,
// lr 1e-3) and batch size (256) as bench/torch_ref.py, printing one JSON
// line in the same format.
//
//	go run ./runtime/ae/internal/aebench -model dense -epochs 4
//
// samples_per_s is the training samples / the median epoch time of epochs 2..N (epoch 1
// is a warm-up). For dense it also reports the latency of encoding and
// decoding one image and the peak resident memory of the process.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sort"
	"syscall"
	"time"

	"github.com/latent-ai/latent/nnops"
	"github.com/latent-ai/latent/runtime/ae"
	"github.com/latent-ai/latent/runtime/data"
	"github.com/latent-ai/latent/runtime/nn"
)

func main() {
	model := flag.String("model", "dense", "dense, vae or conv")
	epochs := flag.Int("epochs", 4, "epochs to run (the first is a warm-up)")
	samples := flag.Int("samples", 0, "train on the first N training images only (0: all 60000)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the training to this file")
	simulate := flag.Int("simulate", 0, "run every parallel region on one core, split as for N threads, and report the span N threads would take (nnops.Simulate)")
	regions := flag.Bool("regions", false, "time every parallel region on the real threads and report each kind's wall time per step (nnops.TimeRegions): run at GOMAXPROCS=1 and 2 to see which regions gain least from the second core")
	flag.Parse()
	if *epochs < 2 {
		*epochs = 2
	}
	dir, err := data.FindFashionMNIST()
	if err != nil {
		fmt.Fprintln(os.Stderr, "aebench:", err)
		os.Exit(1)
	}
	train, test, err := data.LoadFashionMNIST(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "aebench:", err)
		os.Exit(1)
	}
	if *samples > 0 && *samples < train.N {
		train = train.Take(*samples)
	}
	var m *ae.Model
	switch *model {
	case "dense":
		m = ae.Dense(784, 256, 64).WithCodeActivation(nn.ReLU) // as the reference
	case "vae":
		m = ae.Variational(784, 400, 20)
	case "conv":
		m = ae.Convolutional(1, 28, 28)
	default:
		fmt.Fprintf(os.Stderr, "aebench: unknown model %q; use dense, vae or conv\n", *model)
		os.Exit(2)
	}
	m.WithInit(nn.TorchDefault)
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "aebench:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	var ep, cpu []float64
	var timed nnops.SimReport // the regions of epochs 2..N, with -regions
	var simStart time.Time
	nnops.Simulate(*simulate)
	last, lastCPU := time.Now(), cpuSeconds()
	h := m.Fit(train, ae.Epochs(*epochs), ae.Batch(256), ae.Quiet(), ae.AfterEpoch(func(e *ae.Epoch) {
		now, c := time.Now(), cpuSeconds()
		ep = append(ep, now.Sub(last).Seconds())
		cpu = append(cpu, c-lastCPU)
		last, lastCPU = now, c
		if len(ep) == *epochs && *regions {
			timed = nnops.TimedRegions()
			nnops.TimeRegions(false)
		}
		if len(ep) == 1 { // measure from the second epoch
			if *simulate > 0 {
				nnops.Simulate(*simulate)
			}
			nnops.TimeRegions(*regions)
			simStart = time.Now()
		}
	}))
	var sim nnops.SimReport
	var serial time.Duration // outside regions, in the simulated epochs
	switch {
	case *simulate > 0:
		sim = nnops.Simulated()
		nnops.Simulate(0)
		sim.Overhead += time.Since(last) // the last epoch's callback onwards
		serial = time.Since(simStart) - sim.Work - sim.Overhead
		printRegions(fmt.Sprintf("simulated %d threads", sim.Threads), "work", sim, serial, *epochs-1, train.N)
	case *regions:
		printRegions(fmt.Sprintf("measured on %d thread(s)", timed.Threads), "busy", timed, last.Sub(simStart)-timed.Span, *epochs-1, train.N)
	}
	med := median(ep[1:])
	res := map[string]any{
		"impl": "latent " + runtime.Version(), "model": *model, "threads": runtime.GOMAXPROCS(0), "batch": 256,
		"epoch_s": round3(ep), "median_epoch_s": med, "samples_per_s": int(float64(train.N) / med),
		"last_loss": h.Last(), "train_samples": train.N, "kernel_threads": nnops.Threads(), "cpu_s": round3(cpu), "median_cpu_s": median(cpu[1:]),
	}
	if *simulate > 0 {
		perEpoch := (serial + sim.Span).Seconds() / float64(*epochs-1)
		res["simulated_threads"] = *simulate
		res["simulated_samples_per_s"] = int(float64(train.N) / perEpoch)
		res["simulated_serial_share"] = round3([]float64{serial.Seconds() / (serial + sim.Span).Seconds()})[0]
	}
	if *model == "dense" {
		x := test.Row(0)
		out := make([]float32, 784)
		for i := 0; i < 50; i++ {
			m.ReconstructInto(out, x)
		}
		var lat []float64
		for r := 0; r < 7; r++ {
			t0 := time.Now()
			for i := 0; i < 500; i++ {
				m.ReconstructInto(out, x)
			}
			lat = append(lat, time.Since(t0).Seconds()/500)
		}
		res["encode_decode_1_us"] = median(lat) * 1e6
		res["encode_decode_1_us_min"] = minOf(lat) * 1e6
		res["test_mse"] = m.Reconstruct(test).MSE
	}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		res["peak_rss_mb"] = float64(ru.Maxrss) / 1024
	}
	json.NewEncoder(os.Stdout).Encode(res)
}

// printRegions prints the regions of a simulation or of a timed run, per
// training step, on stderr: their work (simulated) or the threads' busy
// time in them (timed), their span (wall time), and the ratio; serial is
// the time spent outside regions.
func printRegions(title, work string, rep nnops.SimReport, serial time.Duration, epochs, samples int) {
	steps := float64(epochs * ((samples + 255) / 256))
	us := func(d time.Duration) float64 { return float64(d.Microseconds()) / steps }
	fmt.Fprintf(os.Stderr, "%s, per training step: %.0f µs of %s in regions, %.0f µs span; %.0f µs outside regions\n", title, us(rep.Work), work, us(rep.Span), us(serial))
	fmt.Fprintf(os.Stderr, "%10s %10s %7s  region\n", work+" µs", "span µs", "ratio")
	for i, r := range rep.Regions {
		if i == 16 {
			break
		}
		fmt.Fprintf(os.Stderr, "%10.1f %10.1f %6.2fx  %s\n", us(r.Work), us(r.Span), float64(r.Work)/float64(max(r.Span, 1)), r.Name)
	}
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func round3(xs []float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = float64(int(x*1000+0.5)) / 1000
	}
	return out
}

// cpuSeconds returns the user and system CPU time of the process so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

func minOf(xs []float64) float64 {
	m := xs[0]
	for _, x := range xs[1:] {
		m = min(m, x)
	}
	return m
}
