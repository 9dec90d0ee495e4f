package kernel

import (
	"bytes"
	"encoding/json"
	"errors"
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
	if _, err := NewSigner("hmac-md5", nil); err == nil {
		t.Fatal("NewSigner accepted hmac-md5")
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
