package server

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

func writeCA(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"}, IsCA: true,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestParseDSN(t *testing.T) {
	ca := writeCA(t)
	notPEM := filepath.Join(t.TempDir(), "x.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	const secret = "s3cr3t"
	tests := []struct {
		dsn     string
		wantErr string
		check   func(*clickhouse.Options) string
	}{
		{dsn: "clickhouse://u:" + secret + "@ch1:9440/db?secure=true&ca_file=" + ca + "&max_open_conns=7&dial_timeout=3s&read_timeout=1m",
			check: func(o *clickhouse.Options) string {
				switch {
				case o.TLS == nil || o.TLS.RootCAs == nil:
					return "no CA pool"
				case o.MaxOpenConns != 7 || o.DialTimeout != 3*time.Second || o.ReadTimeout != time.Minute:
					return "pool or timeouts not read"
				case o.Compression == nil || o.Compression.Method != clickhouse.CompressionLZ4:
					return "not LZ4 by default"
				case o.Settings["ca_file"] != nil:
					return "ca_file sent to the server as a setting"
				case o.Settings["final"] != 1:
					return "final not set"
				}
				return ""
			}},
		{dsn: "clickhouse://u:" + secret + "@ch1:9000/db?compress=zstd",
			check: func(o *clickhouse.Options) string {
				if o.Compression == nil || o.Compression.Method != clickhouse.CompressionZSTD {
					return "compress= not honoured"
				}
				return ""
			}},
		{dsn: "clickhouse://u:" + secret + "@ch1:9000/db?ca_file=" + ca, wantErr: "ca_file needs secure=true"},
		{dsn: "clickhouse://u:" + secret + "@ch1:9440/db?secure=true&ca_file=" + notPEM, wantErr: "no PEM certificate"},
		{dsn: "clickhouse://u:" + secret + "@ch1:9440/db?secure=true&ca_file=/nonexistent/ca.pem", wantErr: "no such file"},
		{dsn: "clickhouse://u:" + secret + "@ch1:9000/db?dial_timeout=soon", wantErr: "invalid DSN"},
		{dsn: "clickhouse://u:" + secret + "@ch1:9000/db?batch_rows=0", wantErr: "batch_rows must be a positive"},
	}
	for _, tt := range tests {
		o, _, err := parseDSN(tt.dsn)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseDSN(%s) = %v, want an error saying %q", Redact(tt.dsn), err, tt.wantErr)
			} else if strings.Contains(err.Error(), secret) {
				t.Errorf("the error %q shows the password", err)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseDSN(%s): %v", Redact(tt.dsn), err)
			continue
		}
		if msg := tt.check(o); msg != "" {
			t.Errorf("parseDSN(%s): %s", Redact(tt.dsn), msg)
		}
	}
}

func TestOpenRefusesABadDatabaseName(t *testing.T) {
	for _, db := range []string{"x; DROP DATABASE y", "1abc", "a-b"} {
		_, err := Open(t.Context(), Config{DSN: "clickhouse://127.0.0.1:1/ok", Database: db})
		if err == nil || !strings.Contains(err.Error(), "invalid name") {
			t.Errorf("Open with database %q = %v, want the name refused before connecting", db, err)
		}
	}
}

func TestBatchLimitsFromDSN(t *testing.T) {
	o, limits, err := parseDSN("http://u:p@ch1:8123/db?batch_rows=1000&batch_bytes=500000")
	if err != nil {
		t.Fatal(err)
	}
	if limits.rows != 1000 || limits.bytes != 500000 || o.Settings["batch_rows"] != nil || o.Settings["batch_bytes"] != nil {
		t.Errorf("limits %+v, settings %v", limits, o.Settings)
	}
	if o.Compression != nil {
		t.Errorf("HTTP got compression %v by default", o.Compression)
	}
	if _, limits, _ = parseDSN("clickhouse://ch1:9000/db"); limits.rows != defaultBatchRows || limits.bytes != defaultBatchBytes {
		t.Errorf("default limits %+v", limits)
	}
}
