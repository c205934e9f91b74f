// Provenance: copied unchanged (apart from this comment) from the project's shared
// performance anchors, ../shared/bench/go-detect/main.go, a reference tool written for
// mstoolkit's benchmarks: moby's detectManifestBlobMediaType rules on Go's encoding/json.
// Standard library only; build with GOFLAGS=-mod=mod (no module downloads needed).

// Command go-detect is a reference measurement ("anchor") for classifying
// container image manifest blobs the way moby's content store does: it
// decodes each blob with encoding/json into a small probe struct (mediaType
// plus the manifests/config/layers/fsLayers fields kept as json.RawMessage)
// and applies the media-type detection rules, optionally verifying each
// blob's sha256 against its content address.
//
// Inputs: an OCI image layout (or a blobs/sha256 directory) via -dir, or a
// JSONL file via -jsonl whose lines are
//
//	{"digest": "sha256:<hex>", "media_type_hint": <string|null>, "blob": "<raw JSON text>"}
//
// Modes:
//
//	-mode read    read every blob (files) / every line (JSONL): I/O floor
//	-mode hash    read + sha256 (files: compared to the file name; JSONL: of the raw line)
//	-mode detect  read + decode + classify (default); -verify adds the sha256 check
//	              (JSONL: of the decoded blob text, compared to "digest")
//
// With -labels FILE it also writes one "<digest>\t<label>" line per blob
// (sorted), a per-blob oracle for checking another classifier.
//
// It prints counts per media type / error class, then elapsed time,
// blobs/s and MB/s (1 MB = 1e6 bytes of input read), and two machine
// readable lines: "RESULT {...}" and "COUNTS {...}".
package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

const (
	mtSchema2      = "application/vnd.docker.distribution.manifest.v2+json"
	mtManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
	mtSchema1      = "application/vnd.docker.distribution.manifest.v1+json"
	mtOCIManifest  = "application/vnd.oci.image.manifest.v1+json"
	mtOCIIndex     = "application/vnd.oci.image.index.v1+json"
)

// probe holds just what detection looks at. A RawMessage field is non-nil
// whenever its key is present in the object, whatever the value (null too).
type probe struct {
	MediaType string          `json:"mediaType"`
	Manifests json.RawMessage `json:"manifests"`
	Config    json.RawMessage `json:"config"`
	Layers    json.RawMessage `json:"layers"`
	FSLayers  json.RawMessage `json:"fsLayers"`
}

var errCannotDetermine = errors.New("media-type: cannot determine")

type conflictError struct{ mediaType string }

func (e *conflictError) Error() string {
	return fmt.Sprintf("media-type %q: fields of another manifest kind present", e.mediaType)
}

// detectMediaType classifies one blob. The schema1 branch is treated as
// enabled (the deprecated-schema1 gate open).
func detectMediaType(blob []byte) (string, error) {
	var p probe
	if err := json.Unmarshal(blob, &p); err != nil {
		return "", err
	}
	hasManifests := p.Manifests != nil
	hasConfig := p.Config != nil
	hasLayers := p.Layers != nil
	hasFSLayers := p.FSLayers != nil

	switch p.MediaType {
	case mtSchema2, mtOCIManifest:
		if hasManifests || hasFSLayers {
			return "", &conflictError{p.MediaType}
		}
		return p.MediaType, nil
	case mtManifestList, mtOCIIndex:
		if hasConfig || hasLayers || hasFSLayers {
			return "", &conflictError{p.MediaType}
		}
		return p.MediaType, nil
	case mtSchema1:
		if hasManifests || hasLayers {
			return "", &conflictError{p.MediaType}
		}
		return p.MediaType, nil
	case "":
		// no mediaType: fall through to shape-based detection
	default:
		return p.MediaType, nil
	}

	switch {
	case hasFSLayers && !hasManifests && !hasLayers && !hasConfig:
		return mtSchema1, nil
	case (hasConfig || hasLayers) && !hasManifests && !hasFSLayers:
		return mtOCIManifest, nil
	case !hasConfig && !hasLayers && !hasFSLayers:
		return mtOCIIndex, nil
	}
	return "", errCannotDetermine
}

// label maps a detection outcome to the label shared with the Python baselines.
func label(blob []byte) string {
	mt, err := detectMediaType(blob)
	if err == nil {
		return mt
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	var ce *conflictError
	switch {
	case errors.As(err, &se):
		return "error:json-syntax"
	case errors.As(err, &te):
		return "error:json-type"
	case errors.As(err, &ce):
		return "error:conflict:" + ce.mediaType
	case errors.Is(err, errCannotDetermine):
		return "error:cannot-determine"
	}
	return "error:other"
}

type jsonlRecord struct {
	Digest        string  `json:"digest"`
	MediaTypeHint *string `json:"media_type_hint"`
	Blob          string  `json:"blob"`
}

// tally is one worker's running totals.
type tally struct {
	blobs      int64
	bytes      int64
	mismatches int64
	counts     map[string]int64
	labels     []string // "<digest>\t<label>" per blob, when -labels is given
}

func newTally() *tally { return &tally{counts: map[string]int64{}} }

func (t *tally) merge(o *tally) {
	t.blobs += o.blobs
	t.bytes += o.bytes
	t.mismatches += o.mismatches
	t.labels = append(t.labels, o.labels...)
	for k, v := range o.counts {
		t.counts[k] += v
	}
}

type config struct {
	mode   string
	verify bool
	labels bool
}

// sha256Matches compares sha256(data) to a lower-case hex string.
func sha256Matches(data []byte, wantHex string) bool {
	sum := sha256.Sum256(data)
	var buf [64]byte
	hex.Encode(buf[:], sum[:])
	return string(buf[:]) == wantHex
}

// ---------------------------------------------------------------- files

func readFileInto(path string, buf []byte) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return buf[:0], err
	}
	defer f.Close()
	n := 0
	for {
		if n == len(buf) {
			nb := make([]byte, 2*len(buf)+4096)
			copy(nb, buf[:n])
			buf = nb
		}
		m, err := f.Read(buf[n:])
		n += m
		if err == io.EOF {
			return buf[:n], nil
		}
		if err != nil {
			return buf[:n], err
		}
	}
}

func runFiles(dir string, cfg config, workers int) (*tally, error) {
	if st, err := os.Stat(filepath.Join(dir, "blobs", "sha256")); err == nil && st.IsDir() {
		dir = filepath.Join(dir, "blobs", "sha256")
	}
	d, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return nil, err
	}

	const batch = 64
	var next int64
	tallies := make([]*tally, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	work := func(w int) {
		defer wg.Done()
		t := newTally()
		tallies[w] = t
		buf := make([]byte, 64<<10)
		for {
			lo := int(atomic.AddInt64(&next, batch)) - batch
			if lo >= len(names) {
				return
			}
			hi := lo + batch
			if hi > len(names) {
				hi = len(names)
			}
			for _, name := range names[lo:hi] {
				data, err := readFileInto(filepath.Join(dir, name), buf)
				if err != nil {
					errs[w] = err
					return
				}
				if cap(data) > cap(buf) {
					buf = data[:cap(data)]
				}
				t.blobs++
				t.bytes += int64(len(data))
				switch cfg.mode {
				case "read":
				case "hash":
					if !sha256Matches(data, name) {
						t.mismatches++
					}
				default:
					lab := label(data)
					t.counts[lab]++
					if cfg.labels {
						t.labels = append(t.labels, "sha256:"+name+"\t"+lab)
					}
					if cfg.verify && !sha256Matches(data, name) {
						t.mismatches++
					}
				}
			}
		}
	}
	wg.Add(workers)
	if workers == 1 {
		work(0) // stay on one goroutine: the single-core anchor
	} else {
		for w := 0; w < workers; w++ {
			go work(w)
		}
	}
	wg.Wait()
	total := newTally()
	for w := 0; w < workers; w++ {
		if errs[w] != nil {
			return nil, errs[w]
		}
		total.merge(tallies[w])
	}
	return total, nil
}

// ---------------------------------------------------------------- JSONL

func processLine(line []byte, cfg config, t *tally) error {
	t.blobs++
	t.bytes += int64(len(line)) + 1 // + newline
	switch cfg.mode {
	case "read":
		return nil
	case "hash":
		sum := sha256.Sum256(line)
		t.mismatches += int64(sum[0] & 0) // keep the hash live
		return nil
	}
	var rec jsonlRecord
	if err := json.Unmarshal(line, &rec); err != nil {
		return fmt.Errorf("bad JSONL record: %w", err)
	}
	blob := []byte(rec.Blob)
	lab := label(blob)
	t.counts[lab]++
	if cfg.labels {
		t.labels = append(t.labels, rec.Digest+"\t"+lab)
	}
	if cfg.verify {
		if len(rec.Digest) != 71 || !sha256Matches(blob, rec.Digest[7:]) {
			t.mismatches++
		}
	}
	return nil
}

func runJSONL(path string, cfg config, workers int) (*tally, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 4<<20)

	// readLine returns the next line without its newline; the slice is valid
	// until the next call.
	var long []byte
	readLine := func() ([]byte, error) {
		line, err := r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			long = append(long[:0], line...)
			for err == bufio.ErrBufferFull {
				line, err = r.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		if err != nil && err != io.EOF {
			return nil, err
		}
		if len(line) == 0 && err == io.EOF {
			return nil, io.EOF
		}
		return bytes.TrimSuffix(line, []byte{'\n'}), nil
	}

	if workers == 1 {
		t := newTally()
		for {
			line, err := readLine()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, err
			}
			if len(line) == 0 {
				continue
			}
			if err := processLine(line, cfg, t); err != nil {
				return nil, err
			}
		}
		return t, nil
	}

	// reader goroutine (this one) + workers fed with batches of lines
	type batch struct {
		buf  []byte
		ends []int
	}
	ch := make(chan *batch, 4*workers)
	tallies := make([]*tally, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			t := newTally()
			tallies[w] = t
			for b := range ch {
				start := 0
				for _, end := range b.ends {
					if errs[w] == nil {
						errs[w] = processLine(b.buf[start:end], cfg, t)
					}
					start = end
				}
			}
		}(w)
	}
	cur := &batch{buf: make([]byte, 0, 1<<20)}
	var rerr error
	for {
		line, err := readLine()
		if err == io.EOF {
			break
		}
		if err != nil {
			rerr = err
			break
		}
		if len(line) == 0 {
			continue
		}
		cur.buf = append(cur.buf, line...)
		cur.ends = append(cur.ends, len(cur.buf))
		if len(cur.buf) >= 1<<20 {
			ch <- cur
			cur = &batch{buf: make([]byte, 0, 1<<20)}
		}
	}
	if len(cur.ends) > 0 {
		ch <- cur
	}
	close(ch)
	wg.Wait()
	if rerr != nil {
		return nil, rerr
	}
	total := newTally()
	for w := 0; w < workers; w++ {
		if errs[w] != nil {
			return nil, errs[w]
		}
		total.merge(tallies[w])
	}
	return total, nil
}

// ---------------------------------------------------------------- main

func main() {
	dir := flag.String("dir", "", "OCI image layout root, or a blobs/sha256 directory")
	jsonl := flag.String("jsonl", "", "JSONL file of {digest, media_type_hint, blob}")
	mode := flag.String("mode", "detect", "read | hash | detect")
	verify := flag.Bool("verify", false, "detect mode: also check sha256 of each blob against its digest")
	workers := flag.Int("workers", 1, "goroutines doing the work (1 = single goroutine)")
	quiet := flag.Bool("quiet", false, "print only the RESULT and COUNTS lines")
	labelsOut := flag.String("labels", "", "detect mode: write \"<digest>\\t<label>\" per blob to this file, sorted by digest")
	flag.Parse()
	if (*dir == "") == (*jsonl == "") {
		fmt.Fprintln(os.Stderr, "give exactly one of -dir or -jsonl")
		os.Exit(2)
	}
	switch *mode {
	case "read", "hash", "detect":
	default:
		fmt.Fprintln(os.Stderr, "-mode must be read, hash or detect")
		os.Exit(2)
	}
	if *workers < 1 {
		*workers = 1
	}
	cfg := config{mode: *mode, verify: *verify && *mode == "detect", labels: *labelsOut != "" && *mode == "detect"}

	start := time.Now()
	var t *tally
	var err error
	input := "files"
	if *dir != "" {
		t, err = runFiles(*dir, cfg, *workers)
	} else {
		input = "jsonl"
		t, err = runJSONL(*jsonl, cfg, *workers)
	}
	elapsed := time.Since(start).Seconds()
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}

	if cfg.labels {
		sort.Strings(t.labels)
		var b bytes.Buffer
		for _, l := range t.labels {
			b.WriteString(l)
			b.WriteByte('\n')
		}
		if err := os.WriteFile(*labelsOut, b.Bytes(), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "error:", err)
			os.Exit(1)
		}
	}

	name := "go-" + cfg.mode
	if cfg.verify {
		name += "+verify"
	}
	if !*quiet {
		keys := make([]string, 0, len(t.counts))
		for k := range t.counts {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			if t.counts[keys[i]] != t.counts[keys[j]] {
				return t.counts[keys[i]] > t.counts[keys[j]]
			}
			return keys[i] < keys[j]
		})
		for _, k := range keys {
			fmt.Printf("%9d  %s\n", t.counts[k], k)
		}
		if cfg.mode == "hash" && input == "files" || cfg.verify {
			fmt.Printf("sha256 mismatches: %d\n", t.mismatches)
		}
		fmt.Printf("%s %s workers=%d GOMAXPROCS=%d: %d blobs, %.1f MB in %.3f s = %.0f blobs/s, %.1f MB/s\n",
			name, input, *workers, runtime.GOMAXPROCS(0), t.blobs, float64(t.bytes)/1e6, elapsed,
			float64(t.blobs)/elapsed, float64(t.bytes)/1e6/elapsed)
	}
	res := map[string]interface{}{
		"tool": name, "input": input, "workers": *workers, "blobs": t.blobs, "bytes": t.bytes,
		"elapsed_s": elapsed, "blobs_per_s": float64(t.blobs) / elapsed,
		"mb_per_s": float64(t.bytes) / 1e6 / elapsed, "sha256_mismatches": t.mismatches,
		"go": runtime.Version(),
	}
	rb, _ := json.Marshal(res)
	fmt.Printf("RESULT %s\n", rb)
	if cfg.mode == "detect" {
		cb, _ := json.Marshal(t.counts) // map keys are sorted by encoding/json
		fmt.Printf("COUNTS %s\n", cb)
	}
}
