package kernel

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func testMessage(t testing.TB, s *Signer, msgType, content string) [][]byte {
	t.Helper()
	m := &Message{
		Identities: [][]byte{[]byte("client-1")},
		Header:     Header{MsgID: "m1", Session: "s1", Username: "u", Date: timestamp(), MsgType: msgType, Version: ProtocolVersion},
		Content:    json.RawMessage(content),
	}
	frames, err := Encode(m, s)
	if err != nil {
		t.Fatal(err)
	}
	return frames
}

func TestDecode(t *testing.T) {
	key, _ := NewSigner("hmac-sha256", []byte("secret"))
	other, _ := NewSigner("hmac-sha256", []byte("other"))
	none, _ := NewSigner("hmac-sha256", nil)
	good := testMessage(t, key, "execute_request", `{"code":"1"}`)
	with := func(i int, b []byte) [][]byte {
		f := append([][]byte(nil), good...)
		f[i] = b
		return f
	}
	// frames: 0 identity, 1 delimiter, 2 signature, 3 header, 4 parent, 5 metadata, 6 content
	tests := []struct {
		name   string
		frames [][]byte
		signer *Signer
		want   error
	}{
		{"good", good, key, nil},
		{"wrong key", testMessage(t, other, "execute_request", `{}`), key, errBadSignature},
		{"missing signature", with(2, nil), key, errMissingSignature},
		{"truncated signature", with(2, good[2][:10]), key, errBadSignature},
		{"non-hex signature", with(2, bytes.Repeat([]byte("z"), 64)), key, errBadSignature},
		{"tampered content", with(6, []byte(`{"code":"2"}`)), key, errBadSignature},
		{"upper-case signature", with(2, bytes.ToUpper(good[2])), key, errBadSignature},
		{"unsigned accepted with empty key", with(2, nil), none, nil},
		{"no delimiter", [][]byte{[]byte("a"), []byte("b")}, key, errNoDelimiter},
		{"no frames", nil, key, errNoDelimiter},
		{"short", good[:5], key, errShort},
		{"too many identities", append(bytes2(maxIdentities+1), good[1:]...), key, errTooManyIDs},
		{"header not json", testMessageRaw(none, []byte("nope"), []byte("{}")), none, errBadHeader},
		{"header without msg_type", testMessageRaw(none, []byte(`{"msg_id":"x"}`), []byte("{}")), none, errBadHeader},
		{"content not object", testMessageRaw(none, []byte(`{"msg_type":"x"}`), []byte("[1]")), none, errNotObject},
		{"content truncated", testMessageRaw(none, []byte(`{"msg_type":"x"}`), []byte(`{"a":`)), none, errNotObject},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Decode(tt.frames, tt.signer)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Decode error = %v, want %v", err, tt.want)
			}
			if err == nil && m.Header.MsgType == "" {
				t.Fatalf("decoded message has no type")
			}
		})
	}
}

func bytes2(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = []byte{byte(i)}
	}
	return out
}

func testMessageRaw(s *Signer, header, content []byte) [][]byte {
	return [][]byte{delimiter, s.sum(header, []byte("{}"), []byte("{}"), content), header, []byte("{}"), []byte("{}"), content}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	for _, scheme := range []string{"hmac-sha256", "hmac-sha512", "hmac-sha1"} {
		s, err := NewSigner(scheme, []byte("k"))
		if err != nil {
			t.Fatal(err)
		}
		frames := testMessage(t, s, "kernel_info_request", `{"x":[1,2]}`)
		m, err := Decode(frames, s)
		if err != nil {
			t.Fatalf("%s: %v", scheme, err)
		}
		if string(m.Identities[0]) != "client-1" || m.Header.MsgID != "m1" || string(m.Content) != `{"x":[1,2]}` {
			t.Fatalf("%s: round trip changed the message: %+v", scheme, m)
		}
	}
	if _, err := NewSigner("hmac-whirlpool", nil); err == nil {
		t.Fatal("NewSigner accepted hmac-whirlpool")
	}
}

func TestFrameParser(t *testing.T) {
	greeting := make([]byte, zmtpGreeting)
	short := func(more bool, n int) []byte {
		fl := byte(0)
		if more {
			fl = 1
		}
		return append([]byte{fl, byte(n)}, make([]byte, n)...)
	}
	long := func(more bool, n uint64) []byte {
		fl := byte(2)
		if more {
			fl = 3
		}
		b := []byte{fl, 0, 0, 0, 0, 0, 0, 0, 0}
		for i := 0; i < 8; i++ {
			b[8-i] = byte(n >> (8 * i))
		}
		return b
	}
	cat := func(bs ...[]byte) []byte { return bytes.Join(bs, nil) }
	tests := []struct {
		name   string
		stream []byte
		limit  int64
		bad    bool
	}{
		{"small frames", cat(greeting, short(true, 10), short(false, 200)), 1000, false},
		{"messages counted separately", cat(greeting, short(false, 200), short(false, 200), short(false, 200)), 300, false},
		{"one huge frame", cat(greeting, long(false, 1<<62)), 1 << 20, true},
		{"frames add up", cat(greeting, short(true, 200), short(true, 200)), 300, true},
		{"size split across reads", cat(greeting, long(false, 5000)), 4000, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Feed one byte at a time, the hardest split.
			var p frameParser
			p.skip = zmtpGreeting
			var err error
			for i := 0; i < len(tt.stream) && err == nil; i++ {
				err = p.feed(tt.stream[i:i+1], tt.limit)
			}
			if (err != nil) != tt.bad {
				t.Fatalf("err = %v, want failure %v", err, tt.bad)
			}
		})
	}
}

// FuzzDecode checks that no sequence of frames makes Decode panic, and that
// what decodes re-encodes and decodes to the same message.
func FuzzDecode(f *testing.F) {
	// The seed corpus is in testdata/fuzz/FuzzDecode.
	f.Add([]byte(`["<IDS|MSG>","","{\"msg_type\":\"a\"}","{}","{}","{}"]`))
	none, _ := NewSigner("hmac-sha256", nil)
	key, _ := NewSigner("hmac-sha256", []byte("fuzz"))
	f.Fuzz(func(t *testing.T, data []byte) {
		frames := splitFrames(data)
		for _, s := range []*Signer{none, key} {
			m, err := Decode(frames, s)
			if err != nil {
				continue
			}
			again, err := Encode(m, s)
			if err != nil {
				t.Fatalf("re-encode: %v", err)
			}
			if _, err := Decode(again, s); err != nil {
				t.Fatalf("re-encoded message does not decode: %v", err)
			}
		}
	})
}

// splitFrames turns fuzz bytes into frames: a JSON array of strings when it
// is one, otherwise the bytes split at 0xFF.
func splitFrames(data []byte) [][]byte {
	var ss []string
	if json.Unmarshal(data, &ss) == nil {
		out := make([][]byte, len(ss))
		for i, s := range ss {
			out[i] = []byte(s)
		}
		return out
	}
	return bytes.Split(data, []byte{0xFF})
}

// TestSignatureSchemes: every hashlib name that jupyter_client accepts and
// Go's standard library has signs as Python's hmac module does (the
// expected values are Python's), in either case.
func TestSignatureSchemes(t *testing.T) {
	want := map[string]string{
		"md5":        "0e062f69ea620fc271bb7cff67f021bd",
		"sha1":       "28c8d445ef8b3f635c2a51d4ee98c48fdb910cb0",
		"sha224":     "80b5b11c15784c81989dc0baccb9b5b5f999c08e1f479fb204e24e49",
		"sha256":     "0206f42f4ae2a48f6054ab91271f90c100f7022f55fb1f23de6377624d533752",
		"sha384":     "1daeeba825b5bd810837e12e361217bfb2e8e415b52bb01a95aa718c836e9a1d7d8831457bcaf3c528e4cac28f5a90fa",
		"sha512":     "2997abca549834b2d8e14e3d8b9f713bf28efccf45c26244117fbdded43ba3b1ab28c561d2b5081bc1746314d3480c72eda79e0dd4f290a270caabd8dbff6b85",
		"sha512_224": "4d6beb133b1bc795be6a063a1ed3e0240534dce13f36f36cb3815482",
		"sha512_256": "9c7171c487d8f1f0dd9f4123da1b611e92b7cedd52576b011ea0c5f92fecd582",
		"sha3_224":   "c696c6e032ecb8e3cc834321bca1c37b6c196c142f464547d5cf3095",
		"sha3_256":   "e82ede1d43e72cbe3411d2544288a5f73a3c7adff1c8f810d486756666a17feb",
		"sha3_384":   "82c828007edaafeaba9a9af15fe9a62daf2fcd56acf89c4583acaa26fd4ba7f674c160602684929cd4d0f3ec8f01ff09",
		"sha3_512":   "637e56188f024025fdb69d013ae9230178f19e11e856223f9dd59a844e49660fd5b2eef001196bda46ecd63572ebf970840ace74119aeb079239bd37485048e3",
	}
	parts := [][]byte{[]byte(`{"a":1}`), []byte("{}"), []byte("{}"), []byte(`{"b":2}`)}
	for name, sig := range want {
		for _, scheme := range []string{"hmac-" + name, strings.ToUpper("hmac-" + name)} {
			s, err := NewSigner(scheme, []byte("key"))
			if err != nil {
				t.Errorf("%s: %v", scheme, err)
				continue
			}
			if got := string(s.sum(parts...)); got != sig {
				t.Errorf("%s: signature %s, want %s", scheme, got, sig)
			}
		}
	}
	if len(signatureHashes) != len(want) {
		t.Errorf("%d schemes supported, %d tested", len(signatureHashes), len(want))
	}
	for _, scheme := range []string{"hmac-whirlpool", "sha256", "hmac-", "hmac-blake2b"} {
		if _, err := NewSigner(scheme, []byte("key")); err == nil || !strings.Contains(err.Error(), "hmac-sha384") {
			t.Errorf("%s: err = %v, want one naming the supported schemes", scheme, err)
		}
	}
}
