package display

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/png"
)

// Bundle is a MIME bundle as Jupyter carries it: data keyed by MIME type in
// wire form (text as a string, binary images as base64 strings, JSON as any
// JSON value), optional metadata, and an optional display ID that later
// updates can target.
type Bundle struct {
	Data     map[string]any
	Metadata map[string]any
	// ID is the display_id; empty means the output cannot be updated.
	ID string
}

// Renderer is implemented by compiled values that know how to show
// themselves. A cell whose result is a Renderer, or a value passed to Show,
// is displayed with the bundle it returns.
type Renderer interface {
	Render() Bundle
}

// Render lets a Bundle be shown directly as a cell's result.
func (b Bundle) Render() Bundle { return b }

// WithID returns a copy of b that carries the display ID id, so that it can
// later be replaced in place with Update.
func (b Bundle) WithID(id string) Bundle { b.ID = id; return b }

func bundle(mime string, v any, plain string) Bundle {
	return Bundle{Data: map[string]any{mime: v, "text/plain": plain}}
}

// Text is a plain-text bundle.
func Text(s string) Bundle { return Bundle{Data: map[string]any{"text/plain": s}} }

// PNG is a bundle for PNG-encoded bytes.
func PNG(png []byte) Bundle {
	return bundle("image/png", base64.StdEncoding.EncodeToString(png), "<PNG image>")
}

// SVG is a bundle for an SVG document.
func SVG(svg string) Bundle { return bundle("image/svg+xml", svg, "<SVG image>") }

// HTML is a bundle for an HTML fragment.
func HTML(html string) Bundle { return bundle("text/html", html, "<HTML>") }

// Markdown is a bundle for Markdown text; its plain form is the source.
func Markdown(md string) Bundle { return bundle("text/markdown", md, md) }

// JSON is a bundle for any value that encoding/json can marshal.
func JSON(v any) Bundle { return bundle("application/json", v, "<JSON>") }

// Image is a bundle that shows img as a PNG. An image that cannot be encoded
// is shown as a plain-text message saying why.
func Image(img image.Image) Bundle {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return Text("display: cannot encode image as PNG: " + err.Error())
	}
	return PNG(buf.Bytes())
}
