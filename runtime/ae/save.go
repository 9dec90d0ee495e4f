package ae

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"math"

	"github.com/latent-ai/latent/internal/atomicfile"
	"github.com/latent-ai/latent/runtime/nn"
)

// The file format (version 1), all integers little-endian:
//
//	"LATENTAE"  magic, 8 bytes
//	uint32      format version
//	uint32      header length h
//	h bytes     JSON header: model config, parameter names and shapes,
//	            optimizer settings, training state of a checkpoint
//	float32s    every parameter in order; then, when the header has an
//	            optimizer, its first moments and (Adam) second moments
//	uint32      CRC-32C of everything before it
const (
	fileMagic     = "LATENTAE"
	fileVersion   = 1
	maxHeader     = 1 << 24
	maxFileFloats = 1 << 30
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

type paramInfo struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
}

type optInfo struct {
	Kind        string  `json:"kind"`
	LR          float32 `json:"lr"`
	Momentum    float32 `json:"momentum,omitempty"`
	Beta1       float32 `json:"beta1,omitempty"`
	Beta2       float32 `json:"beta2,omitempty"`
	Eps         float32 `json:"eps,omitempty"`
	WeightDecay float32 `json:"weight_decay,omitempty"`
	ClipNorm    float32 `json:"clip_norm,omitempty"`
	Steps       int     `json:"steps"`
}

type fileHeader struct {
	Config Config      `json:"config"`
	Epochs int         `json:"epochs_trained"`
	Params []paramInfo `json:"params"`
	Opt    *optInfo    `json:"optimizer,omitempty"`
	State  *trainState `json:"state,omitempty"`
}

// savedFile is a decoded file.
type savedFile struct {
	Config Config
	Epochs int
	Params [][]float32
	Opt    *nn.Optimizer
	State  *trainState
}

// Save writes the model (configuration and weights) to path atomically:
// it writes a temporary file in the same directory, syncs it and renames it
// over path, so a crash leaves either the old file or the new one. It
// panics with an *Error on failure; SaveE returns it.
func (m *Model) Save(path string) { must(m.SaveE(path)) }

// SaveE is Save returning an error.
func (m *Model) SaveE(path string) error {
	defer m.hold()()
	b, err := m.encode(false, nil)
	if err != nil {
		return err
	}
	if err := writeAtomic(path, b); err != nil {
		return wrap("Save", err, "cannot write %s; check the directory exists and is writable", path)
	}
	return nil
}

func (m *Model) saveCheckpoint(path string, st trainState) error {
	b, err := m.encode(true, &st)
	if err != nil {
		return err
	}
	if err := writeAtomic(path, b); err != nil {
		return wrap("Fit", err, "cannot write checkpoint %s; check the directory exists and is writable", path)
	}
	return nil
}

// Bytes returns the model in the Save format.
func (m *Model) Bytes() []byte {
	defer m.hold()()
	b, err := m.encode(false, nil)
	must(err)
	return b
}

func (m *Model) encode(withOpt bool, st *trainState) ([]byte, error) {
	if err := m.customLayerError("Save"); err != nil {
		return nil, err
	}
	var o *nn.Optimizer
	if withOpt {
		o = m.opt
	}
	return encodeFile(m.cfg, m.params, m.epochs, o, st)
}

// encodeFile writes the file format for a config, its parameters and,
// optionally, optimizer state and a checkpoint's training state.
func encodeFile(cfg Config, params []*nn.Param, epochs int, o *nn.Optimizer, st *trainState) ([]byte, error) {
	h := fileHeader{Config: cfg, Epochs: epochs, State: st}
	for _, p := range params {
		h.Params = append(h.Params, paramInfo{p.Name, p.Shape})
	}
	if o != nil && len(o.M) == len(params) {
		h.Opt = &optInfo{o.Kind, o.LR, o.Momentum, o.Beta1, o.Beta2, o.Eps, o.WeightDecay, o.ClipNorm, o.Steps}
	}
	hj, err := json.Marshal(h)
	if err != nil {
		return nil, wrap("Save", err, "cannot encode the header")
	}
	var buf bytes.Buffer
	buf.WriteString(fileMagic)
	binary.Write(&buf, binary.LittleEndian, uint32(fileVersion))
	binary.Write(&buf, binary.LittleEndian, uint32(len(hj)))
	buf.Write(hj)
	put := func(xs []float32) {
		var b [4]byte
		for _, v := range xs {
			binary.LittleEndian.PutUint32(b[:], math.Float32bits(v))
			buf.Write(b[:])
		}
	}
	for _, p := range params {
		put(p.W)
	}
	if h.Opt != nil {
		for _, x := range o.M {
			put(x)
		}
		if o.Kind != "sgd" {
			for _, x := range o.V {
				put(x)
			}
		}
	}
	sum := crc32.Checksum(buf.Bytes(), castagnoli)
	binary.Write(&buf, binary.LittleEndian, sum)
	return buf.Bytes(), nil
}

// writeAtomic writes a model or checkpoint file with the project's one
// atomic writer: never half written, and through a symbolic link rather
// than over it.
func writeAtomic(path string, b []byte) error {
	return atomicfile.WriteFile(path, b, 0o644)
}

// Load reads a model saved with Save (or a checkpoint). It panics with an
// *Error when the file is missing, truncated, corrupt, of another version
// or inconsistent; LoadE returns the error.
func Load(path string) *Model {
	m, err := LoadE(path)
	must(err)
	return m
}

// LoadE is Load returning an error.
func LoadE(path string) (*Model, error) {
	f, err := readFile(path)
	if err != nil {
		return nil, err
	}
	return modelFrom(f, path)
}

// FromBytes decodes a model from the Save format.
func FromBytes(b []byte) (*Model, error) {
	f, err := decode(b, "model bytes")
	if err != nil {
		return nil, err
	}
	return modelFrom(f, "model bytes")
}

func modelFrom(f *savedFile, src string) (m *Model, err error) {
	defer catch("Load", &err)
	if f.Config.Kind == twoDecodersKind {
		return nil, errf("Load", "%s holds a two-decoder model; load it with ae.LoadTwoDecoders", src)
	}
	have := 0
	for _, p := range f.Params {
		have += len(p)
	}
	if need, ok := paramCount(f.Config); !ok || need != have {
		return nil, errf("Load", "%s: the model described in the file needs %d weights but the file holds %d; the file is inconsistent", src, need, have)
	}
	m = &Model{cfg: f.Config}
	if err := m.rebuild("Load"); err != nil {
		return nil, wrap("Load", err, "%s: the stored model cannot be rebuilt", src)
	}
	if len(m.params) != len(f.Params) {
		return nil, errf("Load", "%s: the file has %d parameter tensors but its model has %d; the file is inconsistent", src, len(f.Params), len(m.params))
	}
	for i, p := range m.params {
		if len(f.Params[i]) != p.Len() {
			return nil, errf("Load", "%s: parameter %s has %d values in the file, the model needs %d", src, p.Name, len(f.Params[i]), p.Len())
		}
	}
	m.load(f)
	return m, nil
}

// load copies weights from a decoded file whose shapes were checked.
func (m *Model) load(f *savedFile) {
	for i, p := range m.params {
		copy(p.W, f.Params[i])
	}
	m.epochs = f.Epochs
	if f.Config.Image.Size() > 0 {
		m.cfg.Image = f.Config.Image
	}
}

func readFile(path string) (*savedFile, error) {
	b, err := readModelFile(path)
	if err != nil {
		return nil, err
	}
	return decode(b, path)
}

// sameArch reports whether two configs describe the same network.
func sameArch(a, b Config) bool {
	a.Image, b.Image = nn.Shape{}, nn.Shape{}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

// decode parses and validates the file format; it never panics.
func decode(b []byte, src string) (f *savedFile, err error) {
	defer catch("Load", &err)
	bad := func(format string, args ...any) error {
		return errf("Load", "%s: %s", src, fmt.Sprintf(format, args...))
	}
	if len(b) < 8 || string(b[:8]) != fileMagic {
		return nil, bad("not a Latent model file (no LATENTAE header); pass a file written by Save or ae.Checkpoint")
	}
	if len(b) < 20 {
		return nil, bad("truncated (%d bytes); the file was cut short, save it again", len(b))
	}
	ver := binary.LittleEndian.Uint32(b[8:])
	if ver == 0 || ver > fileVersion {
		return nil, bad("format version %d, this Latent reads version %d; upgrade Latent or save the model again", ver, fileVersion)
	}
	body, tail := b[:len(b)-4], b[len(b)-4:]
	hl := binary.LittleEndian.Uint32(b[12:])
	if hl > maxHeader || int(hl) > len(body)-16 {
		return nil, bad("truncated or corrupt: header length %d does not fit in %d bytes", hl, len(b))
	}
	if crc32.Checksum(body, castagnoli) != binary.LittleEndian.Uint32(tail) {
		return nil, bad("checksum mismatch: the file is corrupt or truncated; save it again or use an older copy")
	}
	var h fileHeader
	if err := json.Unmarshal(b[16:16+hl], &h); err != nil {
		return nil, wrap("Load", err, "%s: corrupt header", src)
	}
	total := 0
	for _, p := range h.Params {
		n := 1
		for _, s := range p.Shape {
			if s <= 0 || s > maxFileFloats || n > maxFileFloats/s {
				return nil, bad("parameter %s has an impossible shape %v", p.Name, p.Shape)
			}
			n *= s
		}
		total += n
		if total > maxFileFloats {
			return nil, bad("parameters are impossibly large")
		}
	}
	moments := 0
	if h.Opt != nil {
		switch h.Opt.Kind {
		case "sgd":
			moments = 1
		case "adam", "adamw":
			moments = 2
		default:
			return nil, bad("unknown optimizer %q", h.Opt.Kind)
		}
	}
	data := body[16+hl:]
	if want := int64(total) * int64(1+moments) * 4; int64(len(data)) != want {
		return nil, bad("holds %d bytes of weights, its header describes %d; the file is truncated or corrupt", len(data), want)
	}
	f = &savedFile{Config: h.Config, Epochs: h.Epochs, State: h.State}
	next := func(n int) []float32 {
		out := make([]float32, n)
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
		}
		data = data[4*n:]
		return out
	}
	sizes := make([]int, len(h.Params))
	for i, p := range h.Params {
		n := 1
		for _, s := range p.Shape {
			n *= s
		}
		sizes[i] = n
		f.Params = append(f.Params, next(n))
	}
	if h.Opt != nil {
		o := &nn.Optimizer{Kind: h.Opt.Kind, LR: h.Opt.LR, Momentum: h.Opt.Momentum, Beta1: h.Opt.Beta1, Beta2: h.Opt.Beta2,
			Eps: h.Opt.Eps, WeightDecay: h.Opt.WeightDecay, ClipNorm: h.Opt.ClipNorm, Steps: h.Opt.Steps}
		o.M = make([][]float32, len(sizes))
		o.V = make([][]float32, len(sizes))
		for i, n := range sizes {
			o.M[i] = next(n)
		}
		if moments == 2 {
			for i, n := range sizes {
				o.V[i] = next(n)
			}
		}
		f.Opt = o
	}
	if h.State != nil && (h.State.History == nil || h.State.Epoch < 0) {
		return nil, bad("corrupt training state")
	}
	return f, nil
}

// paramCount computes, without allocating, how many weights the model a
// config describes has; ok is false for impossible sizes.
func paramCount(c Config) (int, bool) {
	specs := append([]nn.Spec(nil), c.Encoder...)
	specs = append(specs, c.DecoderSpec...)
	if c.Widths != nil {
		for _, w := range c.Widths {
			if w <= 0 || w > maxFileFloats {
				return 0, false
			}
		}
		if c.Decoder != nil {
			for _, w := range c.Decoder {
				if w <= 0 || w > maxFileFloats {
					return 0, false
				}
			}
		}
		cc := c
		cc.Latent = c.Widths[len(c.Widths)-1]
		e, d := denseSpecs(&cc)
		specs = append(e, d...)
	}
	total := 0
	for _, s := range specs {
		var n int
		in := []int{s.In.C, s.In.H, s.In.W}
		for _, v := range in {
			if v < 0 || v > maxFileFloats {
				return 0, false
			}
		}
		if s.Out < 0 || s.Out > maxFileFloats || s.K < 0 || s.K > 1<<12 {
			return 0, false
		}
		switch s.Type {
		case "dense":
			size := s.In.C * s.In.H * s.In.W
			if size > maxFileFloats || (s.Out > 0 && size > maxFileFloats/s.Out) {
				return 0, false
			}
			n = size*s.Out + s.Out
		case "conv", "convt":
			k2 := s.K * s.K
			if s.In.C > maxFileFloats/max(1, s.Out) || s.In.C*s.Out > maxFileFloats/max(1, k2) {
				return 0, false
			}
			n = s.In.C*s.Out*k2 + s.Out
		}
		total += n
		if total > maxFileFloats {
			return 0, false
		}
	}
	return total, true
}
