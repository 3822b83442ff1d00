// vcsim for VirtualStack's tests: VMware's vCenter simulator (govmomi's simulator
// package, as Debian ships it) behind a small main of our own, since Debian has no
// vcsim binary (DESIGN.md §5b). Built offline by `make vcsim` into build/vcsim/vcsim.
//
// It serves the simulator's default vCenter model (simulator.VPX(): one datacenter DC0,
// a standalone host, a cluster DC0_C0 of three hosts, a datastore, a portgroup and two
// VMs per resource pool) on the address -listen gives, with TLS by default (a CA and a
// server certificate made at start; the CA is written to -ca-out so that clients verify
// the server with it), accepts only the -username/-password pair, powers one VM off and
// marks it as a template (-template), and only then writes -ready. SIGTERM or SIGINT
// stops it: the listener closes, the model's temporary datastore directories and the
// ready file are removed, and it exits 0.
//
// The ready file is written once, atomically, as KEY=value lines:
//
//	pid=<pid>
//	url=https://127.0.0.1:<port>/sdk
//	port=<port>
//	template=<name of the VM marked as template>
//	template_moref=<its managed object id, e.g. vm-57>
//	thumbprint=<SHA-1 of the server certificate, colon-separated hex, as vSphere shows it>
//	thumbprint_sha256=<the same with SHA-256>
//
// (the thumbprints only with TLS). -listen 127.0.0.1:0 lets the kernel choose a free
// port, which the ready file reports.
package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/soap"
)

type options struct {
	listen   string
	username string
	password string
	plain    bool
	caOut    string
	ready    string
	template string
}

func main() {
	var o options
	flag.StringVar(&o.listen, "listen", "127.0.0.1:8989", "address to listen on (port 0: any free port)")
	flag.StringVar(&o.username, "username", "vcsim-user", "the only user name Login accepts")
	flag.StringVar(&o.password, "password", "vcsim-pass", "the only password Login accepts")
	passwordFile := flag.String("password-file", "", "read the password from this file instead (first line; keeps it off the command line)")
	flag.BoolVar(&o.plain, "http", false, "serve plain HTTP instead of HTTPS")
	flag.StringVar(&o.caOut, "ca-out", "", "write the PEM CA certificate that signed the server's certificate here (required with TLS)")
	flag.StringVar(&o.ready, "ready", "", "write the ready file (KEY=value lines, see the source) here once serving")
	flag.StringVar(&o.template, "template", "DC0_C0_RP0_VM1", "the VM to power off and mark as a template")
	flag.Parse()

	if flag.NArg() != 0 {
		fail(fmt.Errorf("unexpected argument %q", flag.Arg(0)))
	}
	if *passwordFile != "" {
		flag.Visit(func(f *flag.Flag) {
			if f.Name == "password" {
				fail(errors.New("-password and -password-file exclude each other"))
			}
		})
		b, err := os.ReadFile(*passwordFile)
		if err != nil {
			fail(err)
		}
		o.password = strings.SplitN(string(b), "\n", 2)[0]
	}
	if o.username == "" || o.password == "" {
		fail(errors.New("-username and -password must not be empty"))
	}
	if !o.plain && o.caOut == "" {
		fail(errors.New("-ca-out is required with TLS (or serve plain HTTP with -http)"))
	}
	if err := run(o); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "vcsim: %v\n", err)
	os.Exit(1)
}

func run(o options) error {
	// Asked for before anything starts, so that a TERM during the setup is not lost.
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)

	host, _, err := net.SplitHostPort(o.listen)
	if err != nil {
		return fmt.Errorf("-listen %q: %v", o.listen, err)
	}

	model := simulator.VPX()
	if err := model.Create(); err != nil {
		return fmt.Errorf("creating the model: %v", err)
	}
	defer model.Remove()

	var leaf *x509.Certificate
	if !o.plain {
		cfg, cert, err := makeTLS(host, o.caOut)
		if err != nil {
			return err
		}
		model.Service.TLS = cfg
		leaf = cert
	}
	model.Service.Listen = &url.URL{Host: o.listen, User: url.UserPassword(o.username, o.password)}

	server, err := newServer(model.Service)
	if err != nil {
		return err
	}
	defer server.Close()

	u := *server.URL
	u.User = nil
	moref, err := markTemplate(&u, o)
	if err != nil {
		return fmt.Errorf("marking %s as a template: %v", o.template, err)
	}

	if o.ready != "" {
		var b strings.Builder
		fmt.Fprintf(&b, "pid=%d\nurl=%s\nport=%s\ntemplate=%s\ntemplate_moref=%s\n",
			os.Getpid(), u.String(), u.Port(), o.template, moref)
		if leaf != nil {
			s1 := sha1.Sum(leaf.Raw)
			s256 := sha256.Sum256(leaf.Raw)
			fmt.Fprintf(&b, "thumbprint=%s\nthumbprint_sha256=%s\n", colonHex(s1[:]), colonHex(s256[:]))
		}
		if err := writeFileAtomic(o.ready, []byte(b.String()), 0o644); err != nil {
			return err
		}
		defer os.Remove(o.ready)
	}
	fmt.Fprintf(os.Stderr, "vcsim: serving %s (user %s), template %s (%s)\n", u.String(), o.username, o.template, moref)

	sig := <-stop
	fmt.Fprintf(os.Stderr, "vcsim: %v, stopping\n", sig)
	return nil
}

// newServer starts the simulator's listener; the simulator panics when it cannot listen.
func newServer(svc *simulator.Service) (server *simulator.Server, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("cannot serve: %v", r)
		}
	}()
	return svc.NewServer(), nil
}

// markTemplate logs in over the simulator's own API, as any client would, powers the VM
// off (the model starts its VMs powered on) and calls MarkAsTemplate on it. It returns the
// VM's managed object id.
func markTemplate(u *url.URL, o options) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	sc := soap.NewClient(u, false)
	if !o.plain {
		// Verified with the CA just written: a check of what clients will be given.
		if err := sc.SetRootCAs(o.caOut); err != nil {
			return "", err
		}
	}
	c, err := vim25.NewClient(ctx, sc)
	if err != nil {
		return "", err
	}
	sm := session.NewManager(c)
	if err := sm.Login(ctx, url.UserPassword(o.username, o.password)); err != nil {
		return "", err
	}
	defer func() { _ = sm.Logout(context.Background()) }()

	v, err := view.NewManager(c).CreateContainerView(ctx, c.ServiceContent.RootFolder, []string{"VirtualMachine"}, true)
	if err != nil {
		return "", err
	}
	defer func() { _ = v.Destroy(context.Background()) }()
	refs, err := v.Find(ctx, []string{"VirtualMachine"}, property.Filter{"name": o.template})
	if err != nil {
		return "", err
	}
	if len(refs) != 1 {
		return "", fmt.Errorf("%d VMs have that name", len(refs))
	}

	vm := object.NewVirtualMachine(c, refs[0])
	state, err := vm.PowerState(ctx)
	if err != nil {
		return "", err
	}
	if state != "poweredOff" {
		task, err := vm.PowerOff(ctx)
		if err != nil {
			return "", err
		}
		if err := task.Wait(ctx); err != nil {
			return "", err
		}
	}
	if err := vm.MarkAsTemplate(ctx); err != nil {
		return "", err
	}
	return refs[0].Value, nil
}

// makeTLS makes a CA and a server certificate it signs, for host and the loopback names,
// writes the CA to caOut and returns the server's TLS configuration and certificate.
func makeTLS(host, caOut string) (*tls.Config, *x509.Certificate, error) {
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "VirtualStack test vcsim CA", Organization: []string{"VirtualStack tests"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, nil, err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, nil, err
	}

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: "vcsim", Organization: []string{"VirtualStack tests"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	if ip := net.ParseIP(host); ip != nil && !ip.IsLoopback() && !ip.IsUnspecified() {
		tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
	} else if ip == nil && host != "" && host != "localhost" {
		tmpl.DNSNames = append(tmpl.DNSNames, host)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, err
	}

	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	if err := writeFileAtomic(caOut, caPEM, 0o644); err != nil {
		return nil, nil, err
	}
	cfg := &tls.Config{
		MinVersion: tls.VersionTLS12,
		Certificates: []tls.Certificate{{
			Certificate: [][]byte{der},
			PrivateKey:  key,
			Leaf:        leaf,
		}},
	}
	return cfg, leaf, nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		fail(err)
	}
	return n.Add(n, big.NewInt(1))
}

func colonHex(b []byte) string {
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = fmt.Sprintf("%02X", c)
	}
	return strings.Join(parts, ":")
}

// writeFileAtomic writes through a temporary file in the same directory and a rename, so
// a reader never sees half a file.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	if _, err = f.Write(data); err == nil {
		err = f.Chmod(mode)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
	}
	return err
}
