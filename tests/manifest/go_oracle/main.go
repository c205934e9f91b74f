// Command go_oracle answers, for each input, what moby's detectManifestBlobMediaType
// (v26.0-v28.1, the seed) returns, using Go's own encoding/json. It is the test suite's
// oracle for mstoolkit's pure-Python port: stdlib only, no module downloads.
//
// Input: one hex-encoded blob per line on stdin. Output: one JSON object per line with
// the bench label (gate open), the result with the schema1 gate open and closed
// ("ok" + media type, or "err" + Go's error text), the error kind and Go's
// SyntaxError.Offset (-1 otherwise).
package main

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
)

const (
	mtSchema2      = "application/vnd.docker.distribution.manifest.v2+json"
	mtManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
	mtSchema1      = "application/vnd.docker.distribution.manifest.v1+json"
	mtOCIManifest  = "application/vnd.oci.image.manifest.v1+json"
	mtOCIIndex     = "application/vnd.oci.image.index.v1+json"
)

var errDeprecated = errors.New("[DEPRECATION NOTICE] Docker Image Format v1 and Docker Image manifest version 2, schema 1 support is disabled by default and will be removed in an upcoming release. More information at https://docs.docker.com/go/deprecated-image-specs/")

var errCannotDetermine = errors.New("media-type: cannot determine")

type conflictError struct{ mediaType, msg string }

func (e *conflictError) Error() string { return e.msg }

// detect follows the seed's detectManifestBlobMediaType, with the environment
// variable replaced by a parameter.
func detect(dt []byte, gateOpen bool) (string, error) {
	var mfst struct {
		MediaType string          `json:"mediaType"`
		Manifests json.RawMessage `json:"manifests"`
		Config    json.RawMessage `json:"config"`
		Layers    json.RawMessage `json:"layers"`
		FSLayers  json.RawMessage `json:"fsLayers"`
	}
	if err := json.Unmarshal(dt, &mfst); err != nil {
		return "", err
	}
	switch mfst.MediaType {
	case mtSchema2, mtOCIManifest:
		if mfst.Manifests != nil || mfst.FSLayers != nil {
			return "", &conflictError{mfst.MediaType, fmt.Sprintf(`media-type: %q should not have "manifests" or "fsLayers"`, mfst.MediaType)}
		}
		return mfst.MediaType, nil
	case mtManifestList, mtOCIIndex:
		if mfst.Config != nil || mfst.Layers != nil || mfst.FSLayers != nil {
			return "", &conflictError{mfst.MediaType, fmt.Sprintf(`media-type: %q should not have "config", "layers", or "fsLayers"`, mfst.MediaType)}
		}
		return mfst.MediaType, nil
	case mtSchema1:
		if !gateOpen {
			return "", errDeprecated
		}
		if mfst.Manifests != nil || mfst.Layers != nil {
			return "", &conflictError{mfst.MediaType, fmt.Sprintf(`media-type: %q should not have "manifests" or "layers"`, mfst.MediaType)}
		}
		return mfst.MediaType, nil
	default:
		if mfst.MediaType != "" {
			return mfst.MediaType, nil
		}
	}
	switch {
	case mfst.FSLayers != nil && mfst.Manifests == nil && mfst.Layers == nil && mfst.Config == nil:
		if !gateOpen {
			return "", errDeprecated
		}
		return mtSchema1, nil
	case mfst.Config != nil && mfst.Manifests == nil && mfst.FSLayers == nil,
		mfst.Layers != nil && mfst.Manifests == nil && mfst.FSLayers == nil:
		return mtOCIManifest, nil
	case mfst.Config == nil && mfst.Layers == nil && mfst.FSLayers == nil:
		return mtOCIIndex, nil
	}
	return "", errCannotDetermine
}

type answer struct {
	Label     string `json:"label"`
	Open      string `json:"open"`
	OpenErr   bool   `json:"open_err"`
	Kind      string `json:"kind"`
	Offset    int64  `json:"offset"`
	Closed    string `json:"closed"`
	ClosedErr bool   `json:"closed_err"`
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<30)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	for in.Scan() {
		blob, err := hex.DecodeString(in.Text())
		if err != nil {
			fmt.Fprintln(os.Stderr, "bad hex line:", err)
			os.Exit(2)
		}
		a := answer{Offset: -1, Kind: "ok"}
		mt, err := detect(blob, true)
		if err == nil {
			a.Label, a.Open = mt, mt
		} else {
			a.Open, a.OpenErr = err.Error(), true
			var se *json.SyntaxError
			var te *json.UnmarshalTypeError
			var ce *conflictError
			switch {
			case errors.As(err, &se):
				a.Label, a.Kind, a.Offset = "error:json-syntax", "syntax", se.Offset
			case errors.As(err, &te):
				a.Label, a.Kind = "error:json-type", "type"
			case errors.As(err, &ce):
				a.Label, a.Kind = "error:conflict:"+ce.mediaType, "conflict"
			case errors.Is(err, errCannotDetermine):
				a.Label, a.Kind = "error:cannot-determine", "cannot-determine"
			default:
				a.Label, a.Kind = "error:other", "other"
			}
		}
		mt, err = detect(blob, false)
		if err == nil {
			a.Closed = mt
		} else {
			a.Closed, a.ClosedErr = err.Error(), true
		}
		if err := enc.Encode(&a); err != nil {
			fmt.Fprintln(os.Stderr, "encode:", err)
			os.Exit(2)
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "read:", err)
		os.Exit(2)
	}
}
