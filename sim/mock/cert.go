package mock

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"time"
)

// certValidity is how long a generated certificate lasts: long enough that
// a saved copy keeps working for a mock run now and then.
const certValidity = 365 * 24 * time.Hour

// selfSigned makes an ECDSA P-256 certificate for 127.0.0.1, ::1 and
// localhost, plus listenIP when the mock listens on one specific other
// address. It is its own CA, so trusting it (--ca-file, curl --cacert) is
// all a client needs.
func selfSigned(listenIP net.IP, now time.Time) (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("generating the certificate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("generating the certificate serial: %w", err)
	}
	ips := []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	if listenIP != nil && !listenIP.IsUnspecified() && !listenIP.IsLoopback() {
		ips = append(ips, listenIP)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{Organization: []string{"actionbench"}, CommonName: "actionbench mock"},
		// An hour of slack for a client whose clock is a little behind.
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(certValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("creating the certificate: %w", err)
	}
	cert := tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	return cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}

// loadCertificate reads a certificate and key the user made (mkcert,
// openssl) and returns the chain in PEM form for CertPEM.
func loadCertificate(certFile, keyFile string) (tls.Certificate, []byte, error) {
	if certFile == "" || keyFile == "" {
		return tls.Certificate{}, nil, fmt.Errorf("a certificate needs both files: the certificate and its key")
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("loading the certificate %s and key %s: %w", certFile, keyFile, err)
	}
	var chain []byte
	for _, der := range cert.Certificate {
		chain = append(chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	return cert, chain, nil
}
