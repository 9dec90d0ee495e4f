package ae

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"
	"strings"

	"github.com/latent-ai/latent/runtime/data"
	"github.com/latent-ai/latent/runtime/nn"
)

// Weight layout of the exports. Every parameter keeps its Latent name
// (e.g. "enc1.w") and shape: a dense layer's w is [in, out] (y = x·w + b,
// so PyTorch's nn.Linear.weight is its transpose), a convolution's w is
// [out, in, k, k] as in PyTorch's Conv2d, a transposed convolution's
// [in, out, k, k] as in ConvTranspose2d. The JSON metadata (the model's
// Config and the layer list) travels in the safetensors header under
// "__metadata__"/"latent_config" and in the .npz as the uint8 array
// "__config__" holding the JSON text.

// SaveNPZ writes the model's weights to a NumPy .npz file, one float32
// array per parameter named as in the model (numpy.load(path)["enc1.w"]),
// plus "__config__", the model's Config as JSON bytes. It panics with an
// *Error on failure; SaveNPZE returns it.
func (m *Model) SaveNPZ(path string) { must(m.SaveNPZE(path)) }

// SaveNPZE is SaveNPZ returning an error.
func (m *Model) SaveNPZE(path string) error {
	cfg, err := m.exportConfig()
	if err != nil {
		return err
	}
	arrays := map[string]*data.Array{}
	for _, p := range m.params {
		arrays[p.Name] = &data.Array{Shape: p.Shape, Data: p.W, Dtype: "<f4"}
	}
	c := &data.Array{Shape: []int{len(cfg)}, Dtype: "|u1", Data: make([]float32, len(cfg))}
	for i, b := range cfg {
		c.Data[i] = float32(b)
	}
	arrays["__config__"] = c
	if err := data.SaveNPZArrays(path, arrays); err != nil {
		return wrap("SaveNPZ", err, "cannot write %s", path)
	}
	return nil
}

// exportConfig returns the JSON description stored beside exported
// weights: the Config, and the layer list of every part.
func (m *Model) exportConfig() ([]byte, error) {
	type layer struct {
		nn.Spec
		GoType string `json:"go_type,omitempty"` // custom layers
	}
	desc := struct {
		Config  Config  `json:"config"`
		Encoder []layer `json:"encoder"`
		Decoder []layer `json:"decoder"`
		Epochs  int     `json:"epochs_trained"`
	}{Config: m.cfg, Epochs: m.epochs}
	for _, l := range m.enc.Layers {
		desc.Encoder = append(desc.Encoder, layer{l.Spec(), goTypeIfCustom(l)})
	}
	for _, l := range m.dec.Layers {
		desc.Decoder = append(desc.Decoder, layer{l.Spec(), goTypeIfCustom(l)})
	}
	b, err := json.Marshal(desc)
	if err != nil {
		return nil, wrap("Export", err, "cannot describe the model")
	}
	return b, nil
}

func goTypeIfCustom(l nn.Layer) string {
	if _, err := nn.Build(l.Spec()); err != nil {
		return fmt.Sprintf("%T", l)
	}
	return ""
}

// SaveSafetensors writes the model's weights in the safetensors format
// (Hugging Face's: an 8-byte little-endian header length, a JSON header
// giving each tensor's dtype, shape and byte offsets, then the raw
// little-endian float32 data), with the model's Config in the header's
// __metadata__. It panics with an *Error on failure; SaveSafetensorsE
// returns it.
func (m *Model) SaveSafetensors(path string) { must(m.SaveSafetensorsE(path)) }

// SaveSafetensorsE is SaveSafetensors returning an error.
func (m *Model) SaveSafetensorsE(path string) error {
	cfg, err := m.exportConfig()
	if err != nil {
		return err
	}
	type entry struct {
		Dtype   string `json:"dtype"`
		Shape   []int  `json:"shape"`
		Offsets [2]int `json:"data_offsets"`
	}
	header := map[string]any{"__metadata__": map[string]string{"format": "latent", "latent_config": string(cfg)}}
	off := 0
	for _, p := range m.params {
		header[p.Name] = entry{"F32", p.Shape, [2]int{off, off + 4*p.Len()}}
		off += 4 * p.Len()
	}
	hj, err := json.Marshal(header)
	if err != nil {
		return wrap("SaveSafetensors", err, "cannot encode the header")
	}
	for len(hj)%8 != 0 { // the data starts 8-byte aligned
		hj = append(hj, ' ')
	}
	var buf bytes.Buffer
	binary.Write(&buf, binary.LittleEndian, uint64(len(hj)))
	buf.Write(hj)
	var b [4]byte
	for _, p := range m.params {
		for _, v := range p.W {
			binary.LittleEndian.PutUint32(b[:], math.Float32bits(v))
			buf.Write(b[:])
		}
	}
	if err := writeAtomic(path, buf.Bytes()); err != nil {
		return wrap("SaveSafetensors", err, "cannot write %s; check the directory exists and is writable", path)
	}
	return nil
}

// LoadWeights reads weights exported with SaveNPZ or SaveSafetensors (by
// the file's extension: .npz or .safetensors) into the model, matching
// parameters by name and shape. The model must have the same layers: use
// it to bring back a model with layers written in a cell, which Save
// cannot store. It panics with an *Error on mismatch; LoadWeightsE
// returns it, and leaves the model unchanged then.
func (m *Model) LoadWeights(path string) { must(m.LoadWeightsE(path)) }

// LoadWeightsE is LoadWeights returning an error.
func (m *Model) LoadWeightsE(path string) error {
	var got map[string]*data.Array
	var err error
	switch {
	case strings.HasSuffix(path, ".npz"):
		got, err = data.LoadNPZArrays(path)
	case strings.HasSuffix(path, ".safetensors"):
		got, err = readSafetensors(path)
	default:
		return errf("LoadWeights", "%s: pass a .npz or .safetensors file written by SaveNPZ or SaveSafetensors", path)
	}
	if err != nil {
		return wrap("LoadWeights", err, "cannot read %s", path)
	}
	for _, p := range m.params {
		a, ok := got[p.Name]
		if !ok {
			names := make([]string, 0, len(got))
			for k := range got {
				names = append(names, k)
			}
			sort.Strings(names)
			return errf("LoadWeights", "%s has no weights named %s (it has %s); it was saved from a different model", path, p.Name, strings.Join(names, ", "))
		}
		if fmt.Sprint(a.Shape) != fmt.Sprint(p.Shape) {
			return errf("LoadWeights", "%s: %s has shape %v in the file, the model needs %v", path, p.Name, a.Shape, p.Shape)
		}
	}
	for _, p := range m.params {
		copy(p.W, got[p.Name].Data)
	}
	return nil
}

// readSafetensors reads the F32 tensors of a safetensors file.
func readSafetensors(path string) (map[string]*data.Array, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) < 8 {
		return nil, fmt.Errorf("%s is too short for a safetensors file", path)
	}
	hl := binary.LittleEndian.Uint64(b)
	if hl > uint64(len(b)-8) {
		return nil, fmt.Errorf("%s: header length %d does not fit in the file; it is not a safetensors file or is truncated", path, hl)
	}
	var header map[string]json.RawMessage
	if err := json.Unmarshal(b[8:8+hl], &header); err != nil {
		return nil, fmt.Errorf("%s: corrupt safetensors header: %v", path, err)
	}
	body := b[8+hl:]
	out := map[string]*data.Array{}
	for name, raw := range header {
		if name == "__metadata__" {
			continue
		}
		var e struct {
			Dtype   string `json:"dtype"`
			Shape   []int  `json:"shape"`
			Offsets [2]int `json:"data_offsets"`
		}
		if err := json.Unmarshal(raw, &e); err != nil {
			return nil, fmt.Errorf("%s: tensor %s: %v", path, name, err)
		}
		if e.Dtype != "F32" {
			return nil, fmt.Errorf("%s: tensor %s is %s; only F32 tensors are read", path, name, e.Dtype)
		}
		lo, hi := e.Offsets[0], e.Offsets[1]
		if lo < 0 || hi < lo || hi > len(body) || (hi-lo)%4 != 0 {
			return nil, fmt.Errorf("%s: tensor %s has offsets %v outside the data", path, name, e.Offsets)
		}
		a := &data.Array{Shape: e.Shape, Dtype: "<f4", Data: make([]float32, (hi-lo)/4)}
		if a.Size() != len(a.Data) {
			return nil, fmt.Errorf("%s: tensor %s: shape %v does not match its %d bytes", path, name, e.Shape, hi-lo)
		}
		for i := range a.Data {
			a.Data[i] = math.Float32frombits(binary.LittleEndian.Uint32(body[lo+4*i:]))
		}
		out[name] = a
	}
	return out, nil
}
