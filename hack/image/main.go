// Command image packs a static Linux binary into a container image, written as an OCI image
// layout in a tar file, with nothing but the standard library.
//
// No registry or Docker daemon is reachable from our machines, so there is no base image to pull
// and nothing to build with: the image is FROM scratch, one layer holding the binary and the CA
// certificates the cloud SDKs need for TLS, run as a non-root numeric user (so that a pod's
// runAsNonRoot can check it). The output is reproducible: fixed timestamps, sorted entries, no
// build host in it. Load or push it with any OCI tool, for example
//
//	skopeo copy oci-archive:bin/images/zonekeeper.tar docker://registry.example/zonekeeper:v0.1.0
//	podman load -i bin/images/zonekeeper.tar
//
// Usage: go run ./hack/image -binary bin/linux/zonekeeper -name zonekeeper -tag ghcr.io/zonekeeper/zonekeeper:0.1.0 -out bin/images/zonekeeper.tar
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
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
	"time"
)

// User is the numeric user and group the image runs as: distroless's "nonroot".
const User = "65532:65532"

// epoch is every file's modification time and the image's creation time, so that the same
// binary gives the same image, byte for byte.
var epoch = time.Unix(0, 0).UTC()

func main() {
	var o Options
	flag.StringVar(&o.Binary, "binary", "", "the static Linux binary to pack (required)")
	flag.StringVar(&o.Name, "name", "", "its name in the image, at /<name>, and the entrypoint (required)")
	flag.StringVar(&o.Tag, "tag", "", "the image's reference, recorded as its org.opencontainers.image.ref.name (required)")
	flag.StringVar(&o.Out, "out", "", "the OCI layout tar file to write (required)")
	flag.StringVar(&o.CABundle, "ca-bundle", "/etc/ssl/certs/ca-certificates.crt", "PEM CA certificates to install at /etc/ssl/certs/ca-certificates.crt")
	flag.StringVar(&o.Arch, "arch", runtime.GOARCH, "the binary's GOARCH")
	flag.StringVar(&o.Version, "version", "", "org.opencontainers.image.version")
	flag.StringVar(&o.Source, "source", "https://github.com/zonekeeper/zonekeeper", "org.opencontainers.image.source")
	flag.Parse()
	if err := Write(o); err != nil {
		fmt.Fprintln(os.Stderr, "image:", err)
		os.Exit(1)
	}
}

// Options say what to pack and where.
type Options struct {
	Binary, Name, Tag, Out, CABundle, Arch, Version, Source string
}

// Write packs o.Binary into an image and writes it to o.Out.
func Write(o Options) error {
	if o.Binary == "" || o.Name == "" || o.Tag == "" || o.Out == "" {
		return errors.New("-binary, -name, -tag and -out are required")
	}
	bin, err := os.ReadFile(o.Binary)
	if err != nil {
		return fmt.Errorf("cannot read the binary: %w", err)
	}
	if !bytes.HasPrefix(bin, []byte("\x7fELF")) {
		return fmt.Errorf("%s is not a Linux (ELF) binary: build it with GOOS=linux CGO_ENABLED=0", o.Binary)
	}
	cas, err := os.ReadFile(o.CABundle)
	if err != nil {
		return fmt.Errorf("cannot read the CA certificates the image needs for TLS to the clouds (-ca-bundle): %w", err)
	}

	layer, diffID, err := buildLayer([]file{
		{path: "etc/", mode: 0o755, dir: true},
		{path: "etc/ssl/", mode: 0o755, dir: true},
		{path: "etc/ssl/certs/", mode: 0o755, dir: true},
		{path: "etc/ssl/certs/ca-certificates.crt", mode: 0o644, data: cas},
		{path: "tmp/", mode: 0o1777, dir: true},
		{path: o.Name, mode: 0o755, data: bin},
	})
	if err != nil {
		return err
	}
	labels := map[string]string{"org.opencontainers.image.source": o.Source, "org.opencontainers.image.title": o.Name}
	if o.Version != "" {
		labels["org.opencontainers.image.version"] = o.Version
	}
	config, err := json.Marshal(imageConfig{
		Created:      epoch.Format(time.RFC3339),
		Architecture: o.Arch,
		OS:           "linux",
		Config: containerConfig{
			User:       User,
			Entrypoint: []string{"/" + o.Name},
			Env:        []string{"PATH=/", "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"},
			WorkingDir: "/",
			Labels:     labels,
		},
		RootFS:  rootFS{Type: "layers", DiffIDs: []string{diffID}},
		History: []history{{Created: epoch.Format(time.RFC3339), CreatedBy: "hack/image: /" + o.Name + ", CA certificates"}},
	})
	if err != nil {
		return err
	}
	manifest, err := json.Marshal(imageManifest{
		SchemaVersion: 2,
		MediaType:     mediaManifest,
		Config:        describe(mediaConfig, config, nil),
		Layers:        []descriptor{describe(mediaLayer, layer, nil)},
		Annotations:   labels,
	})
	if err != nil {
		return err
	}
	index, err := json.Marshal(imageIndex{
		SchemaVersion: 2,
		MediaType:     mediaIndex,
		Manifests: []descriptor{describe(mediaManifest, manifest, map[string]string{
			"org.opencontainers.image.ref.name": o.Tag,
			"io.containerd.image.name":          o.Tag,
		})},
	})
	if err != nil {
		return err
	}

	var out bytes.Buffer
	tw := tar.NewWriter(&out)
	entries := []file{
		{path: "blobs/", mode: 0o755, dir: true},
		{path: "blobs/sha256/", mode: 0o755, dir: true},
	}
	for _, b := range [][]byte{config, layer, manifest} {
		entries = append(entries, file{path: "blobs/sha256/" + sum(b), mode: 0o644, data: b})
	}
	entries = append(entries,
		file{path: "index.json", mode: 0o644, data: index},
		file{path: "oci-layout", mode: 0o644, data: []byte(`{"imageLayoutVersion":"1.0.0"}`)},
	)
	for _, f := range entries {
		if err := f.write(tw); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(o.Out), 0o755); err != nil {
		return err
	}
	return os.WriteFile(o.Out, out.Bytes(), 0o644)
}

// buildLayer returns the gzipped tar of files and its diff ID (the digest of the tar before
// compression).
func buildLayer(files []file) (layer []byte, diffID string, err error) {
	var raw bytes.Buffer
	tw := tar.NewWriter(&raw)
	for _, f := range files {
		if err := f.write(tw); err != nil {
			return nil, "", err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, "", err
	}
	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		return nil, "", err
	}
	zw.ModTime = epoch
	if _, err := io.Copy(zw, bytes.NewReader(raw.Bytes())); err != nil {
		return nil, "", err
	}
	if err := zw.Close(); err != nil {
		return nil, "", err
	}
	return gz.Bytes(), "sha256:" + sum(raw.Bytes()), nil
}

type file struct {
	path string
	mode int64
	dir  bool
	data []byte
}

func (f file) write(tw *tar.Writer) error {
	h := &tar.Header{Name: f.path, Mode: f.mode, ModTime: epoch, Format: tar.FormatPAX, Typeflag: tar.TypeReg, Size: int64(len(f.data))}
	if f.dir {
		h.Typeflag, h.Size = tar.TypeDir, 0
	}
	if err := tw.WriteHeader(h); err != nil {
		return fmt.Errorf("cannot write %s: %w", f.path, err)
	}
	if _, err := tw.Write(f.data); err != nil {
		return fmt.Errorf("cannot write %s: %w", f.path, err)
	}
	return nil
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func describe(mediaType string, b []byte, annotations map[string]string) descriptor {
	return descriptor{MediaType: mediaType, Digest: "sha256:" + sum(b), Size: int64(len(b)), Annotations: annotations}
}

const (
	mediaIndex    = "application/vnd.oci.image.index.v1+json"
	mediaManifest = "application/vnd.oci.image.manifest.v1+json"
	mediaConfig   = "application/vnd.oci.image.config.v1+json"
	mediaLayer    = "application/vnd.oci.image.layer.v1.tar+gzip"
)

// The OCI image spec's documents, as much of them as the image uses.
type (
	descriptor struct {
		MediaType   string            `json:"mediaType"`
		Digest      string            `json:"digest"`
		Size        int64             `json:"size"`
		Annotations map[string]string `json:"annotations,omitempty"`
	}
	imageIndex struct {
		SchemaVersion int          `json:"schemaVersion"`
		MediaType     string       `json:"mediaType"`
		Manifests     []descriptor `json:"manifests"`
	}
	imageManifest struct {
		SchemaVersion int               `json:"schemaVersion"`
		MediaType     string            `json:"mediaType"`
		Config        descriptor        `json:"config"`
		Layers        []descriptor      `json:"layers"`
		Annotations   map[string]string `json:"annotations,omitempty"`
	}
	imageConfig struct {
		Created      string          `json:"created"`
		Architecture string          `json:"architecture"`
		OS           string          `json:"os"`
		Config       containerConfig `json:"config"`
		RootFS       rootFS          `json:"rootfs"`
		History      []history       `json:"history"`
	}
	containerConfig struct {
		User       string            `json:"User"`
		Entrypoint []string          `json:"Entrypoint"`
		Env        []string          `json:"Env"`
		WorkingDir string            `json:"WorkingDir"`
		Labels     map[string]string `json:"Labels,omitempty"`
	}
	rootFS struct {
		Type    string   `json:"type"`
		DiffIDs []string `json:"diff_ids"`
	}
	history struct {
		Created   string `json:"created"`
		CreatedBy string `json:"created_by"`
	}
)
