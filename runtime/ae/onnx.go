package ae

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/latent-ai/latent/runtime/nn"
)

// ONNX export: the inference graph x → reconstruction as an ONNX model
// (IR version 8, opset 13), written with a small protobuf encoder of our
// own. The graph takes "x" of shape [N, D] (D the model's input size, N
// free) and gives "reconstruction" [N, D], as m.Reconstruct computes it: a
// variational model decodes μ (no sampling), a BCE model ends in a
// sigmoid, and denoising corruption is not part of inference. Layers map
// to Gemm (dense), Conv, ConvTranspose, MaxPool, Resize (upsample),
// Reshape and the activations Relu, LeakyRelu, Sigmoid and Tanh.

// protobuf wire types
const (
	pbVarint = 0
	pbBytes  = 2
	pbFixed  = 5
)

// pb is a protobuf message being written.
type pb []byte

func (b *pb) key(field, wire int) { *b = binary.AppendUvarint(*b, uint64(field<<3|wire)) }
func (b *pb) varint(field int, v int64) {
	b.key(field, pbVarint)
	*b = binary.AppendUvarint(*b, uint64(v))
}
func (b *pb) bytes(field int, v []byte) {
	b.key(field, pbBytes)
	*b = binary.AppendUvarint(*b, uint64(len(v)))
	*b = append(*b, v...)
}
func (b *pb) str(field int, s string) { b.bytes(field, []byte(s)) }
func (b *pb) float(field int, f float32) {
	b.key(field, pbFixed)
	*b = binary.LittleEndian.AppendUint32(*b, math.Float32bits(f))
}

// ONNX enum values used here.
const (
	onnxFloat   = 1 // TensorProto.FLOAT
	onnxInt64   = 7 // TensorProto.INT64
	attrFloat   = 1 // AttributeProto.FLOAT
	attrInt     = 2
	attrString  = 3
	attrInts    = 7
	onnxIR      = 8
	onnxOpset   = 13
	onnxDynamic = "N"
)

// onnxAttr is one node attribute.
type onnxAttr struct {
	name string
	f    *float32
	i    *int64
	ints []int64
	s    string
}

func aInt(name string, v int64) onnxAttr     { return onnxAttr{name: name, i: &v} }
func aFloat(name string, v float32) onnxAttr { return onnxAttr{name: name, f: &v} }
func aInts(name string, v ...int64) onnxAttr { return onnxAttr{name: name, ints: v} }
func aString(name string, v string) onnxAttr { return onnxAttr{name: name, s: v} }
func (a onnxAttr) encode() []byte {
	var b pb
	b.str(1, a.name)
	switch {
	case a.f != nil:
		b.float(2, *a.f)
		b.varint(20, attrFloat)
	case a.i != nil:
		b.varint(3, *a.i)
		b.varint(20, attrInt)
	case a.ints != nil:
		for _, v := range a.ints {
			b.varint(8, v)
		}
		b.varint(20, attrInts)
	default:
		b.bytes(4, []byte(a.s))
		b.varint(20, attrString)
	}
	return b
}

// onnxGraph collects nodes and initializers.
type onnxGraph struct {
	nodes, inits [][]byte
	n            int // name counter
}

func (g *onnxGraph) name(prefix string) string { g.n++; return fmt.Sprintf("%s_%d", prefix, g.n) }

// node adds a node and returns its (single) output name.
func (g *onnxGraph) node(op string, inputs []string, attrs ...onnxAttr) string {
	out := g.name(op)
	var b pb
	for _, in := range inputs {
		b.str(1, in)
	}
	b.str(2, out)
	b.str(3, out)
	b.str(4, op)
	for _, a := range attrs {
		b.bytes(5, a.encode())
	}
	g.nodes = append(g.nodes, b)
	return out
}

// floats adds a float32 initializer.
func (g *onnxGraph) floats(name string, dims []int, v []float32) string {
	var b pb
	for _, d := range dims {
		b.varint(1, int64(d))
	}
	b.varint(2, onnxFloat)
	b.str(8, name)
	raw := make([]byte, 0, 4*len(v))
	for _, x := range v {
		raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(x))
	}
	b.bytes(9, raw)
	g.inits = append(g.inits, b)
	return name
}

// int64s adds an int64 initializer (shapes, slice bounds).
func (g *onnxGraph) int64s(v ...int64) string {
	name := g.name("const")
	var b pb
	b.varint(1, int64(len(v)))
	b.varint(2, onnxInt64)
	b.str(8, name)
	raw := make([]byte, 0, 8*len(v))
	for _, x := range v {
		raw = binary.LittleEndian.AppendUint64(raw, uint64(x))
	}
	b.bytes(9, raw)
	g.inits = append(g.inits, b)
	return name
}

// reshape adds a Reshape to [-1, shape...].
func (g *onnxGraph) reshape(x string, s nn.Shape) string {
	if s.H == 1 && s.W == 1 {
		return g.node("Reshape", []string{x, g.int64s(-1, int64(s.C))})
	}
	return g.node("Reshape", []string{x, g.int64s(-1, int64(s.C), int64(s.H), int64(s.W))})
}

// activation adds the node of an activation (none for identity).
func (g *onnxGraph) activation(x string, a nn.Activation, slope float32) (string, error) {
	switch a {
	case nn.Identity, "":
		return x, nil
	case nn.ReLU:
		return g.node("Relu", []string{x}), nil
	case nn.Sigmoid:
		return g.node("Sigmoid", []string{x}), nil
	case nn.Tanh:
		return g.node("Tanh", []string{x}), nil
	case nn.LeakyReLU:
		if slope == 0 {
			slope = nn.DefaultLeakySlope
		}
		return g.node("LeakyRelu", []string{x}, aFloat("alpha", slope)), nil
	}
	return "", fmt.Errorf("activation %q has no ONNX form", a)
}

// layer adds one layer; x holds the layer's input in the layer's InShape
// (flat [N, size] or [N, C, H, W]).
func (g *onnxGraph) layer(x string, l nn.Layer) (string, error) {
	sp := l.Spec()
	ps := l.Params()
	switch sp.Type {
	case "dense":
		if sp.In.H != 1 || sp.In.W != 1 {
			x = g.reshape(x, nn.Flat(sp.In.Size()))
		}
		w := g.floats(ps[0].Name, ps[0].Shape, ps[0].W)
		b := g.floats(ps[1].Name, ps[1].Shape, ps[1].W)
		y := g.node("Gemm", []string{x, w, b})
		return g.activation(y, sp.Act, sp.Slope)
	case "act":
		return g.activation(x, sp.Act, sp.Slope)
	case "reshape":
		return g.reshape(x, sp.To), nil
	case "noise":
		return x, nil // training only
	case "conv", "convt":
		op := "Conv"
		if sp.Type == "convt" {
			op = "ConvTranspose"
		}
		w := g.floats(ps[0].Name, ps[0].Shape, ps[0].W)
		b := g.floats(ps[1].Name, ps[1].Shape, ps[1].W)
		stride := int64(max(sp.Stride, 1))
		attrs := []onnxAttr{aInts("kernel_shape", int64(sp.K), int64(sp.K)), aInts("strides", stride, stride),
			aInts("pads", int64(sp.Pad), int64(sp.Pad), int64(sp.Pad), int64(sp.Pad))}
		if sp.Type == "convt" && sp.OutPad > 0 {
			attrs = append(attrs, aInts("output_padding", int64(sp.OutPad), int64(sp.OutPad)))
		}
		y := g.node(op, []string{x, w, b}, attrs...)
		return g.activation(y, sp.Act, sp.Slope)
	case "maxpool":
		k := int64(sp.K)
		return g.node("MaxPool", []string{x}, aInts("kernel_shape", k, k), aInts("strides", k, k)), nil
	case "upsample":
		scales := g.floats(g.name("scales"), []int{4}, []float32{1, 1, float32(sp.K), float32(sp.K)})
		return g.node("Resize", []string{x, "", scales}, aString("mode", "nearest")), nil
	}
	return "", fmt.Errorf("layer %s (%s) has no ONNX form", sp.Name, layerName(l))
}

// ONNX returns the model's inference graph as ONNX protobuf bytes. It
// panics with an *Error when a layer has no ONNX form (a custom layer);
// ONNXE returns the error.
func (m *Model) ONNX() []byte {
	b, err := m.ONNXE()
	must(err)
	return b
}

// ONNXE is ONNX returning an error.
func (m *Model) ONNXE() ([]byte, error) {
	g := &onnxGraph{}
	D := m.cfg.Input.Size()
	x := "x"
	if in := m.enc.InShape(); in.H != 1 || in.W != 1 {
		x = g.reshape(x, in)
	}
	var err error
	for _, l := range m.enc.Layers {
		if x, err = g.layer(x, l); err != nil {
			return nil, errf("ONNX", "%v; the graph cannot be exported (weights can: SaveNPZ, SaveSafetensors)", err)
		}
	}
	if m.cfg.Variational { // decode μ, the first half of each row
		x = g.reshape(x, nn.Flat(2*m.cfg.Latent))
		x = g.node("Slice", []string{x, g.int64s(0), g.int64s(int64(m.cfg.Latent)), g.int64s(1)})
	}
	if in := m.dec.InShape(); in.H != 1 || in.W != 1 {
		x = g.reshape(x, in)
	}
	for _, l := range m.dec.Layers {
		if x, err = g.layer(x, l); err != nil {
			return nil, errf("ONNX", "%v; the graph cannot be exported (weights can: SaveNPZ, SaveSafetensors)", err)
		}
	}
	if m.cfg.Loss == BCE {
		x = g.node("Sigmoid", []string{x})
	}
	x = g.reshape(x, nn.Flat(D))
	// name the graph's output "reconstruction"
	var id pb
	id.str(1, x)
	id.str(2, "reconstruction")
	id.str(3, "output")
	id.str(4, "Identity")
	g.nodes = append(g.nodes, id)

	var graph pb
	for _, n := range g.nodes {
		graph.bytes(1, n)
	}
	graph.str(2, "latent_autoencoder")
	for _, t := range g.inits {
		graph.bytes(5, t)
	}
	graph.str(10, m.String())
	graph.bytes(11, valueInfo("x", D))
	graph.bytes(12, valueInfo("reconstruction", D))

	var model pb
	model.varint(1, onnxIR)
	model.str(2, "latent")
	model.str(3, "1")
	model.str(6, "Latent autoencoder: x [N, D] → reconstruction [N, D]")
	model.bytes(7, graph)
	var opset pb
	opset.str(1, "")
	opset.varint(2, onnxOpset)
	model.bytes(8, opset)
	return model, nil
}

// valueInfo describes a float tensor [N, d] with a free first dimension.
func valueInfo(name string, d int) []byte {
	var dimN, dimD, shape, tensor, typ, vi pb
	dimN.str(2, onnxDynamic)
	dimD.varint(1, int64(d))
	shape.bytes(1, dimN)
	shape.bytes(1, dimD)
	tensor.varint(1, onnxFloat)
	tensor.bytes(2, shape)
	typ.bytes(1, tensor)
	vi.str(1, name)
	vi.bytes(2, typ)
	return vi
}

// SaveONNX writes the inference graph (see ONNX) to path atomically. It
// panics with an *Error on failure; SaveONNXE returns it.
func (m *Model) SaveONNX(path string) { must(m.SaveONNXE(path)) }

// SaveONNXE is SaveONNX returning an error.
func (m *Model) SaveONNXE(path string) error {
	b, err := m.ONNXE()
	if err != nil {
		return err
	}
	if err := writeAtomic(path, b); err != nil {
		return wrap("SaveONNX", err, "cannot write %s; check the directory exists and is writable", path)
	}
	return nil
}
