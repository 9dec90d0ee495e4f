package kernel

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha3"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"sort"
	"strings"
	"time"

	"github.com/go-zeromq/zmq4"
)

// ProtocolVersion is the Jupyter messaging protocol version the kernel speaks.
const ProtocolVersion = "5.3"

// delimiter separates the routing identities from the message proper.
var delimiter = []byte("<IDS|MSG>")

// maxIdentities bounds the routing prefix of a message; real frontends send
// one identity.
const maxIdentities = 16

// Header is a Jupyter message header.
type Header struct {
	MsgID    string `json:"msg_id"`
	Session  string `json:"session"`
	Username string `json:"username"`
	Date     string `json:"date"`
	MsgType  string `json:"msg_type"`
	Version  string `json:"version"`
}

// sent is when the header says the message was sent (ISO 8601, as
// jupyter_client writes it), and false when the date is missing or
// malformed.
func (h Header) sent() (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, h.Date)
	return t, err == nil
}

// Message is one decoded Jupyter message. Identities are the routing
// frames a ROUTER socket received before the delimiter; replies carry them
// back. RawHeader keeps the header exactly as received, so that replies can
// use it verbatim as their parent_header.
type Message struct {
	Identities   [][]byte
	Header       Header
	RawHeader    json.RawMessage
	ParentHeader json.RawMessage
	Metadata     json.RawMessage
	Content      json.RawMessage
	Buffers      [][]byte
	// Signature is the message's HMAC as received (hex; empty when
	// signing is off).
	Signature string

	// interruptsSeen is the kernel's idle-interrupt count when the message
	// was queued for the shell worker (see Kernel.idleInterrupts).
	interruptsSeen uint64
	// channel is the socket the message came on; replies go back on it.
	channel zmq4.Socket
}

// Signer signs and verifies messages with the connection file's key. A zero
// Signer (empty key) neither signs nor checks, as the protocol specifies.
type Signer struct {
	key     []byte
	newHash func() hash.Hash
}

// signatureHashes are the hashes a signature_scheme may name after "hmac-",
// by their Python hashlib names (jupyter_client takes any of hashlib's).
var signatureHashes = map[string]func() hash.Hash{
	"md5":        md5.New,
	"sha1":       sha1.New,
	"sha224":     sha256.New224,
	"sha256":     sha256.New,
	"sha384":     sha512.New384,
	"sha512":     sha512.New,
	"sha512_224": sha512.New512_224,
	"sha512_256": sha512.New512_256,
	"sha3_224":   func() hash.Hash { return sha3.New224() },
	"sha3_256":   func() hash.Hash { return sha3.New256() },
	"sha3_384":   func() hash.Hash { return sha3.New384() },
	"sha3_512":   func() hash.Hash { return sha3.New512() },
}

// NewSigner returns a signer for scheme (as in a connection file's
// signature_scheme: "hmac-" and a hashlib name such as sha256, in any
// case; empty means hmac-sha256) and key.
func NewSigner(scheme string, key []byte) (*Signer, error) {
	if scheme == "" {
		scheme = "hmac-sha256"
	}
	name, ok := strings.CutPrefix(strings.ToLower(scheme), "hmac-")
	newHash := signatureHashes[name]
	if !ok || newHash == nil {
		names := make([]string, 0, len(signatureHashes))
		for n := range signatureHashes {
			names = append(names, "hmac-"+n)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("kernel: unsupported signature_scheme %q: use one of %s (hmac-sha256 is Jupyter's default)", scheme, strings.Join(names, ", "))
	}
	return &Signer{key: append([]byte(nil), key...), newHash: newHash}, nil
}

// Enabled reports whether messages are signed (the key is not empty).
func (s *Signer) Enabled() bool { return s != nil && len(s.key) > 0 }

// sum returns the hex HMAC of the four signed frames, or nil when signing is
// off.
func (s *Signer) sum(parts ...[]byte) []byte {
	if !s.Enabled() {
		return nil
	}
	m := hmac.New(s.newHash, s.key)
	for _, p := range parts {
		m.Write(p)
	}
	sum := m.Sum(nil)
	out := make([]byte, hex.EncodedLen(len(sum)))
	hex.Encode(out, sum)
	return out
}

// verify checks sig against the four frames in constant time.
func (s *Signer) verify(sig []byte, parts ...[]byte) error {
	if !s.Enabled() {
		return nil
	}
	if len(sig) == 0 {
		return errMissingSignature
	}
	// Compare the hex text itself, so that only the canonical lower-case
	// form is accepted: one message has exactly one valid signature.
	if !hmac.Equal(sig, s.sum(parts...)) {
		return errBadSignature
	}
	return nil
}

// Decoding errors. Messages that fail to decode are dropped and logged;
// none of them is answered, since an unsigned or garbled request has no
// trustworthy sender to answer.
var (
	errNoDelimiter      = errors.New("no <IDS|MSG> delimiter frame")
	errTooManyIDs       = fmt.Errorf("more than %d routing identities", maxIdentities)
	errShort            = errors.New("fewer than the 5 frames a message needs after the delimiter")
	errMissingSignature = errors.New("missing signature")
	errBadSignature     = errors.New("wrong signature")
	errBadHeader        = errors.New("header is not a JSON object with msg_type")
	errNotObject        = errors.New("parent_header, metadata and content must be JSON objects")
)

// Decode parses the frames of one message (routing identities, delimiter,
// signature, header, parent header, metadata, content, buffers) and verifies
// its signature. It never panics, whatever the bytes.
func Decode(frames [][]byte, s *Signer) (*Message, error) {
	idx := -1
	for i, f := range frames {
		if bytes.Equal(f, delimiter) {
			idx = i
			break
		}
		if i >= maxIdentities {
			return nil, errTooManyIDs
		}
	}
	if idx < 0 {
		return nil, errNoDelimiter
	}
	rest := frames[idx+1:]
	if len(rest) < 5 {
		return nil, errShort
	}
	sig, h, p, md, c := rest[0], rest[1], rest[2], rest[3], rest[4]
	if err := s.verify(sig, h, p, md, c); err != nil {
		return nil, err
	}
	m := &Message{
		Signature:  string(sig),
		Identities: copyFrames(frames[:idx]),
		RawHeader:  append(json.RawMessage(nil), h...),
		Buffers:    copyFrames(rest[5:]),
	}
	if err := json.Unmarshal(h, &m.Header); err != nil || m.Header.MsgType == "" {
		return nil, errBadHeader
	}
	for _, f := range []struct {
		dst *json.RawMessage
		src []byte
	}{{&m.ParentHeader, p}, {&m.Metadata, md}, {&m.Content, c}} {
		if !isObject(f.src) {
			return nil, errNotObject
		}
		*f.dst = append(json.RawMessage(nil), f.src...)
	}
	return m, nil
}

// isObject reports whether b is one valid JSON object.
func isObject(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) >= 2 && b[0] == '{' && json.Valid(b)
}

func copyFrames(fs [][]byte) [][]byte {
	if len(fs) == 0 {
		return nil
	}
	out := make([][]byte, len(fs))
	for i, f := range fs {
		out[i] = append([]byte(nil), f...)
	}
	return out
}

// Encode returns the wire frames of m, signed with s.
func Encode(m *Message, s *Signer) ([][]byte, error) {
	h, err := json.Marshal(m.Header)
	if err != nil {
		return nil, err
	}
	parts := [4][]byte{h, orEmpty(m.ParentHeader), orEmpty(m.Metadata), orEmpty(m.Content)}
	frames := make([][]byte, 0, len(m.Identities)+6+len(m.Buffers))
	frames = append(frames, m.Identities...)
	frames = append(frames, delimiter, s.sum(parts[:]...))
	frames = append(frames, parts[:]...)
	frames = append(frames, m.Buffers...)
	return frames, nil
}

func orEmpty(b json.RawMessage) []byte {
	if len(b) == 0 {
		return []byte("{}")
	}
	return b
}

// newID returns a random UUID (version 4) string for msg_id and session.
func newID() string {
	var u [16]byte
	_, _ = rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[:4], u[4:6], u[6:8], u[8:10], u[10:])
}

// timestamp is the ISO 8601 time Jupyter headers carry.
func timestamp() string { return time.Now().UTC().Format("2006-01-02T15:04:05.000000Z") }
