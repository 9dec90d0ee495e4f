package kernel_test

import (
	"encoding/json"
	"fmt"

	"github.com/latent-ai/latent/kernel"
)

// A message goes over the wire as routing identities, the <IDS|MSG>
// delimiter, an HMAC-SHA256 signature and four JSON frames; Decode checks
// the signature in constant time before it parses anything.
func ExampleDecode() {
	signer, _ := kernel.NewSigner("hmac-sha256", []byte("key from the connection file"))
	frames, _ := kernel.Encode(&kernel.Message{
		Identities: [][]byte{[]byte("frontend")},
		Header:     kernel.Header{MsgID: "1", MsgType: "execute_request", Version: kernel.ProtocolVersion},
		Content:    json.RawMessage(`{"code":"1+2"}`),
	}, signer)
	fmt.Println(len(frames), "frames:", string(frames[1]), "then a", len(frames[2]), "character signature")

	m, err := kernel.Decode(frames, signer)
	fmt.Println(m.Header.MsgType, string(m.Content), err)

	frames[6] = []byte(`{"code":"os.Exit(1)"}`) // tampered on the way
	_, err = kernel.Decode(frames, signer)
	fmt.Println(err)
	// Output:
	// 7 frames: <IDS|MSG> then a 64 character signature
	// execute_request {"code":"1+2"} <nil>
	// wrong signature
}
