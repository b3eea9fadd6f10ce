package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// hello builds a small static Linux binary that prints its arguments.
func hello(t *testing.T) string {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("the packed binary is run, which needs Linux")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "hello.go")
	if err := os.WriteFile(src, []byte("package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n)\n\nfunc main() { fmt.Println(\"hello from the image\", os.Args[1:]) }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "hello")
	cmd := exec.Command("go", "build", "-o", bin, src)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GO111MODULE=off", "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cannot build the test binary: %v\n%s", err, out)
	}
	return bin
}

// readTar returns a tar's regular files by path, and the mode of every entry.
func readTar(t *testing.T, r io.Reader) (map[string][]byte, map[string]int64) {
	t.Helper()
	files, modes := map[string][]byte{}, map[string]int64{}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files, modes
		}
		if err != nil {
			t.Fatal(err)
		}
		modes[h.Name] = h.Mode
		if h.Typeflag == tar.TypeReg {
			b, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			files[h.Name] = b
		}
	}
}

func digest(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}

// blob returns the blob a descriptor names, checking its digest and size.
func blob(t *testing.T, layout map[string][]byte, d descriptor) []byte {
	t.Helper()
	b, ok := layout["blobs/sha256/"+strings.TrimPrefix(d.Digest, "sha256:")]
	if !ok {
		t.Fatalf("no blob %s (%s)", d.Digest, d.MediaType)
	}
	if digest(b) != d.Digest || int64(len(b)) != d.Size {
		t.Fatalf("blob %s has digest %s and size %d, want the descriptor's size %d", d.Digest, digest(b), len(b), d.Size)
	}
	return b
}

func TestImageIsARunnableOCILayout(t *testing.T) {
	bin := hello(t)
	ca := filepath.Join(t.TempDir(), "ca.crt")
	if err := os.WriteFile(ca, []byte("-----BEGIN CERTIFICATE-----\ntest\n-----END CERTIFICATE-----\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "images", "hello.tar")
	o := Options{Binary: bin, Name: "hello", Tag: "registry.example/hello:1.0", Out: out, CABundle: ca, Arch: runtime.GOARCH, Version: "1.0", Source: "https://example.com/src"}
	if err := Write(o); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	layout, _ := readTar(t, bytes.NewReader(raw))

	if got := string(layout["oci-layout"]); got != `{"imageLayoutVersion":"1.0.0"}` {
		t.Errorf("oci-layout %q", got)
	}
	var index imageIndex
	if err := json.Unmarshal(layout["index.json"], &index); err != nil {
		t.Fatal(err)
	}
	if len(index.Manifests) != 1 || index.Manifests[0].MediaType != mediaManifest ||
		index.Manifests[0].Annotations["org.opencontainers.image.ref.name"] != o.Tag {
		t.Fatalf("index %+v, want one manifest named %s", index, o.Tag)
	}
	var manifest imageManifest
	if err := json.Unmarshal(blob(t, layout, index.Manifests[0]), &manifest); err != nil {
		t.Fatal(err)
	}
	if manifest.Config.MediaType != mediaConfig || len(manifest.Layers) != 1 || manifest.Layers[0].MediaType != mediaLayer {
		t.Fatalf("manifest %+v, want a config and one gzipped layer", manifest)
	}
	var config imageConfig
	if err := json.Unmarshal(blob(t, layout, manifest.Config), &config); err != nil {
		t.Fatal(err)
	}
	if config.OS != "linux" || config.Architecture != runtime.GOARCH || config.Config.User != "65532:65532" ||
		!slices.Equal(config.Config.Entrypoint, []string{"/hello"}) || config.Config.Labels["org.opencontainers.image.version"] != "1.0" {
		t.Errorf("config %+v", config)
	}

	zr, err := gzip.NewReader(bytes.NewReader(blob(t, layout, manifest.Layers[0])))
	if err != nil {
		t.Fatal(err)
	}
	layerTar, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{digest(layerTar)}; !slices.Equal(config.RootFS.DiffIDs, want) {
		t.Errorf("diff IDs %v, want the uncompressed layer's %v", config.RootFS.DiffIDs, want)
	}
	files, modes := readTar(t, bytes.NewReader(layerTar))
	wantBin, _ := os.ReadFile(bin)
	wantCA, _ := os.ReadFile(ca)
	if !bytes.Equal(files["hello"], wantBin) || modes["hello"] != 0o755 {
		t.Errorf("the layer's /hello (mode %o) is not the binary, executable", modes["hello"])
	}
	if !bytes.Equal(files["etc/ssl/certs/ca-certificates.crt"], wantCA) {
		t.Error("the layer's CA certificates are not the ones given")
	}
	if modes["tmp/"] != 0o1777 {
		t.Errorf("/tmp mode %o, want 1777", modes["tmp/"])
	}

	// What the image would run, run here.
	extracted := filepath.Join(t.TempDir(), "hello")
	if err := os.WriteFile(extracted, files["hello"], 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := exec.Command(extracted, "manager", "--leader-elect").CombinedOutput()
	if err != nil || strings.TrimSpace(string(got)) != "hello from the image [manager --leader-elect]" {
		t.Errorf("the image's binary printed %q (%v)", got, err)
	}

	// The same binary gives the same image.
	again := filepath.Join(t.TempDir(), "again.tar")
	o.Out = again
	if err := Write(o); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(again); !bytes.Equal(b, raw) {
		t.Error("two builds of the same binary differ")
	}
}

func TestImageRefusesWhatItCannotPack(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "run.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho hi\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	ca := filepath.Join(dir, "ca.crt")
	if err := os.WriteFile(ca, []byte("pem"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		o    Options
		want string
	}{
		"NotABinary":  {Options{Binary: script, Name: "run", Tag: "x:1", Out: filepath.Join(dir, "a.tar"), CABundle: ca}, "is not a Linux (ELF) binary"},
		"MissingTag":  {Options{Binary: script, Name: "run", Out: filepath.Join(dir, "c.tar"), CABundle: ca}, "-tag"},
		"MissingFile": {Options{Binary: filepath.Join(dir, "none"), Name: "run", Tag: "x:1", Out: filepath.Join(dir, "d.tar"), CABundle: ca}, "cannot read the binary"},
	} {
		t.Run(name, func(t *testing.T) {
			err := Write(tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one saying %q", err, tc.want)
			}
			if _, statErr := os.Stat(tc.o.Out); statErr == nil {
				t.Errorf("wrote %s although it failed", tc.o.Out)
			}
		})
	}
}

func TestImageNeedsTheCABundle(t *testing.T) {
	bin := hello(t)
	err := Write(Options{Binary: bin, Name: "hello", Tag: "x:1", Out: filepath.Join(t.TempDir(), "a.tar"), CABundle: filepath.Join(t.TempDir(), "none")})
	if err == nil || !strings.Contains(err.Error(), "CA certificates") {
		t.Errorf("error %v, want one about the CA certificates", err)
	}
}
