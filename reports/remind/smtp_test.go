package remind_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"egovkpi/reports/remind"
	"egovkpi/reports/workflow"
)

// mailServer is a real SMTP server (go-smtp) on loopback that keeps what
// it receives. It can refuse messages (fail), single recipients (refuse)
// and require authentication (user, password).
type mailServer struct {
	addr  string
	certs *x509.CertPool // verifies the server's certificate, with TLS

	mu       sync.Mutex
	received []received
	fail     error
	refuse   map[string]bool
	user     string
	password string
}

type received struct {
	from   string
	to     []string
	data   []byte
	authed bool
	tls    bool
}

// startMailServer serves SMTP on a free loopback port: in clear (none),
// offering STARTTLS (starttls) or with implicit TLS (tls), the last two
// with a self-signed certificate for 127.0.0.1.
func startMailServer(t *testing.T, mode string) *mailServer {
	t.Helper()
	ms := &mailServer{refuse: map[string]bool{}}
	srv := smtp.NewServer(backend{ms})
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.ErrorLog = testLogger{t}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	switch mode {
	case remind.TLSNone:
		srv.AllowInsecureAuth = true
	case remind.TLSStartTLS, remind.TLSImplicit:
		cfg, pool := selfSigned(t)
		ms.certs = pool
		srv.TLSConfig = cfg
		if mode == remind.TLSImplicit {
			ln = tls.NewListener(ln, cfg)
		}
	}
	ms.addr = ln.Addr().String()
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			t.Errorf("mail server: %v", err)
		}
	}()
	t.Cleanup(func() { srv.Close() })
	return ms
}

func (ms *mailServer) messages() []received {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return slices.Clone(ms.received)
}

func (ms *mailServer) setFail(err error) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	ms.fail = err
}

type backend struct{ ms *mailServer }

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{ms: b.ms, conn: c}, nil
}

type session struct {
	ms     *mailServer
	conn   *smtp.Conn
	cur    received
	authed bool
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, password string) error {
		if user != s.ms.user || password != s.ms.password {
			return errors.New("wrong user or password")
		}
		s.authed = true
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.ms.mu.Lock()
	defer s.ms.mu.Unlock()
	if s.ms.user != "" && !s.authed {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "authentication required"}
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.cur.from, s.cur.authed, s.cur.tls = from, s.authed, isTLS
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.ms.mu.Lock()
	defer s.ms.mu.Unlock()
	if s.ms.refuse[to] {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	}
	s.cur.to = append(s.cur.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.ms.mu.Lock()
	defer s.ms.mu.Unlock()
	if s.ms.fail != nil {
		return s.ms.fail
	}
	s.cur.data = b
	s.ms.received = append(s.ms.received, s.cur)
	return nil
}

func (s *session) Reset()        { s.cur = received{} }
func (s *session) Logout() error { return nil }

type testLogger struct{ t *testing.T }

func (l testLogger) Printf(format string, v ...any) { l.t.Logf("mail server: "+format, v...) }
func (l testLogger) Println(v ...any)               { l.t.Log(append([]any{"mail server:"}, v...)...) }

// selfSigned makes a certificate for 127.0.0.1 and the pool that trusts it.
func selfSigned(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "egovkpi test mail"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12}, pool
}

// client is the Reminder's SMTP settings for ms.
func (ms *mailServer) client(mode string) *remind.SMTP {
	return &remind.SMTP{Addr: ms.addr, From: "egovkpi@example.gov.vn", TLS: mode, Timeout: 10 * time.Second, RootCAs: ms.certs}
}

// readMessage parses a received message as a mail reader does: the
// subject decoded from its RFC 2047 words, the body from quoted-printable.
func readMessage(t *testing.T, data []byte) (*mail.Message, string, string) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the received message does not parse: %v\n%s", err, data)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatalf("subject %q: %v", msg.Header.Get("Subject"), err)
	}
	if ct, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type")); err != nil || ct != "text/plain" || !strings.EqualFold(params["charset"], "utf-8") ||
		msg.Header.Get("Content-Transfer-Encoding") != "quoted-printable" {
		t.Errorf("content type %q, encoding %q", msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"))
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatalf("body: %v", err)
	}
	return msg, subject, strings.ReplaceAll(string(body), "\r\n", "\n")
}

// TestDeliveryBySMTP: a pass plans and sends through a real SMTP server;
// the message arrives from the configured sender to the unit's reporters'
// addresses (a refused one noted, the others served), with the Vietnamese
// subject as RFC 2047 words and the body intact; sent_at is recorded; the
// next pass sends nothing again; a message with no recipient is never
// tried.
func TestDeliveryBySMTP(t *testing.T) {
	f := newFixture(t)
	f.reporter("minh", hanoi, "minh@hanoi.gov.vn")
	f.reporter("gone", hanoi, "gone@hanoi.gov.vn")
	ms := startMailServer(t, remind.TLSNone)
	ms.refuse["gone@hanoi.gov.vn"] = true
	r := f.reminder(ms.client(remind.TLSNone), 0)
	now := at(2026, 10, 8, 8, 0)
	res := f.run(r, now)
	if res.Planned != 2 || res.Sent != 1 || res.NoRecipient != 1 || res.Retrying != 0 {
		t.Fatalf("pass: %+v", res)
	}
	got := ms.messages()
	if len(got) != 1 {
		t.Fatalf("the server received %d messages, want 1", len(got))
	}
	rcv := got[0]
	wantTo := []string{"gone@hanoi.gov.vn", "lan@hanoi.gov.vn", "minh@hanoi.gov.vn"}
	slices.Sort(rcv.to)
	if rcv.from != "egovkpi@example.gov.vn" || !slices.Equal(rcv.to, wantTo[1:]) {
		t.Errorf("envelope: from %q to %v", rcv.from, rcv.to)
	}
	for _, line := range strings.Split(string(rcv.data), "\r\n") {
		if len(line) > 998 {
			t.Errorf("line longer than 998 octets: %q", line)
		}
		for _, c := range []byte(line) {
			if c >= 0x80 {
				t.Fatalf("raw 8-bit byte in the message (headers and body must be 7-bit encoded): %q", line)
			}
		}
	}
	if !strings.Contains(string(rcv.data), "Subject: =?UTF-8?b?") {
		t.Errorf("subject not RFC 2047 UTF-8 encoded:\n%s", rcv.data)
	}
	msg, subject, body := readMessage(t, rcv.data)
	m := f.message("2026Q3/p34-01/before-7")
	if subject != m.Subject || !strings.HasPrefix(subject, "Nhắc nộp báo cáo quý III/2026 của Hà Nội: còn 7 ngày") {
		t.Errorf("decoded subject %q, want %q", subject, m.Subject)
	}
	if body != m.Body {
		t.Errorf("decoded body differs from the outbox's:\n%s\n---\n%s", body, m.Body)
	}
	if to, err := msg.Header.AddressList("To"); err != nil || len(to) != 3 {
		t.Errorf("To: %v %v", to, err)
	}
	if msg.Header.Get("From") != "egovkpi@example.gov.vn" || !strings.HasSuffix(msg.Header.Get("Message-ID"), "@example.gov.vn>") {
		t.Errorf("headers: %v", msg.Header)
	}
	if d, err := msg.Header.Date(); err != nil || !d.Equal(now) {
		t.Errorf("Date: %v %v, want %v", d, err, now)
	}
	if m.Status != remind.StatusSent || m.SentAt == nil || !m.SentAt.Equal(now) || m.Attempts != 1 ||
		!strings.Contains(m.Error, "gone@hanoi.gov.vn refused") || !strings.Contains(m.Error, "550") {
		t.Errorf("outbox after sending: %+v", m)
	}
	if n := f.message("2026Q3/p34-08/before-7"); n.Status != remind.StatusNoRecipient || n.Attempts != 0 {
		t.Errorf("no-recipient message: %+v", n)
	}
	if got := f.outbox(remind.Filter{Unsent: true}); !slices.Equal(ids(got), []string{"2026Q3/p34-08/before-7"}) {
		t.Errorf("unsent: %v", ids(got))
	}
	if res := f.run(r, now.Add(time.Hour)); res.Sent != 0 || res.Planned != 0 || len(ms.messages()) != 1 {
		t.Errorf("second pass: %+v, %d received", res, len(ms.messages()))
	}
	// A late copy of the planned row (as a second node on another replica
	// could write) does not hide the delivery: versions count steps.
	if err := f.db.Conn.Exec(t.Context(), `INSERT INTO outbox (id, created_at, kind, unit_id, quarter, due, recipients, emails, subject, body, status, attempts, sent_at, error, version)
SELECT id, now(), kind, unit_id, quarter, due, recipients, emails, subject, body, 'pending', toUInt16(0), CAST(NULL AS Nullable(DateTime)), '', toUInt64(1)
FROM outbox FINAL WHERE id = ?`, m.ID); err != nil {
		t.Fatal(err)
	}
	if m := f.message(m.ID); m.Status != remind.StatusSent || f.rows() != 4 {
		t.Errorf("after a late copy of the planned row: %+v (%d rows)", m, f.rows())
	}
	if res := f.run(r, now.Add(2*time.Hour)); res.Sent != 0 || len(ms.messages()) != 1 {
		t.Errorf("after a late copy of the planned row: %+v, %d received", res, len(ms.messages()))
	}
}

// TestFailingServerIsRetried: a refused message records the server's error
// and is tried again at the next pass, which sends it; after MaxAttempts
// failures it is given up and never tried again.
func TestFailingServerIsRetried(t *testing.T) {
	f := newFixture(t)
	ms := startMailServer(t, remind.TLSNone)
	ms.setFail(&smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "mailbox busy, try later"})
	r := f.reminder(ms.client(remind.TLSNone), 3)
	id := "2026Q3/p34-01/before-7"
	if res := f.run(r, at(2026, 10, 8, 8, 0)); res.Retrying != 1 || res.Sent != 0 {
		t.Fatalf("first pass: %+v", res)
	}
	m := f.message(id)
	if m.Status != remind.StatusPending || m.Attempts != 1 || m.SentAt != nil || !strings.Contains(m.Error, "attempt 1 of 3") || !strings.Contains(m.Error, "451") || !strings.Contains(m.Error, "mailbox busy") {
		t.Fatalf("after a refusal: %+v", m)
	}
	ms.setFail(nil)
	if res := f.run(r, at(2026, 10, 9, 8, 0)); res.Sent != 1 || res.Planned != 0 {
		t.Fatalf("retry: %+v", res)
	}
	m = f.message(id)
	if m.Status != remind.StatusSent || m.Attempts != 2 || m.SentAt == nil || !m.SentAt.Equal(at(2026, 10, 9, 8, 0)) || m.Error != "" || len(ms.messages()) != 1 {
		t.Fatalf("after the retry: %+v", m)
	}

	// A server that stays down: given up after the third attempt.
	ms.setFail(&smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 0, 0}, Message: "rejected"})
	id = "2026Q3/p34-01/before-1"
	for i, day := range []int{14, 15, 15} {
		res := f.run(r, at(2026, 10, day, 8, 0+i))
		if i < 2 && res.Retrying != 1 || i == 2 && res.GaveUp != 1 {
			t.Fatalf("attempt %d: %+v", i+1, res)
		}
	}
	m = f.message(id)
	if m.Status != remind.StatusFailed || m.Attempts != 3 || !strings.Contains(m.Error, "gave up after 3 attempts") {
		t.Fatalf("given up: %+v", m)
	}
	ms.setFail(nil)
	if res := f.run(r, at(2026, 10, 15, 9, 0)); res.Sent != 0 || res.GaveUp != 0 || res.Retrying != 0 {
		t.Fatalf("a given-up message was tried again: %+v", res)
	}
}

// TestUnreachableServer: a server that does not answer is an error on the
// message within the timeout, not a hung pass.
func TestUnreachableServer(t *testing.T) {
	f := newFixture(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() { // accepts and says nothing
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	smtpc := &remind.SMTP{Addr: ln.Addr().String(), From: "egovkpi@example.gov.vn", TLS: remind.TLSNone, Timeout: time.Second}
	start := time.Now()
	res := f.run(f.reminder(smtpc, 0), at(2026, 10, 8, 8, 0))
	if res.Retrying != 1 || time.Since(start) > 10*time.Second {
		t.Fatalf("silent server: %+v after %s", res, time.Since(start))
	}
	m := f.outbox(remind.Filter{UnitID: hanoi})["2026Q3/p34-01/before-7"]
	if !strings.Contains(m.Error, "timed out after 1s") {
		t.Errorf("error recorded: %q", m.Error)
	}
}

// TestTLSModes: STARTTLS and implicit TLS with a verified certificate and
// authentication; a server without STARTTLS is refused rather than used in
// clear; a certificate nobody vouches for is refused.
func TestTLSModes(t *testing.T) {
	for _, mode := range []string{remind.TLSStartTLS, remind.TLSImplicit} {
		t.Run(mode, func(t *testing.T) {
			f := newFixture(t)
			ms := startMailServer(t, mode)
			ms.user, ms.password = "egovkpi", "mail secret"
			c := ms.client(mode)
			c.User, c.Password = "egovkpi", "mail secret"
			if res := f.run(f.reminder(c, 0), at(2026, 10, 8, 8, 0)); res.Sent != 1 {
				t.Fatalf("%s: %+v", mode, res)
			}
			if got := ms.messages(); len(got) != 1 || !got[0].tls || !got[0].authed {
				t.Fatalf("%s: received %+v", mode, got)
			}
		})
	}
	t.Run("refused", func(t *testing.T) {
		f := newFixture(t)
		plain := startMailServer(t, remind.TLSNone)
		untrusted := startMailServer(t, remind.TLSStartTLS)
		noCA := untrusted.client(remind.TLSStartTLS)
		noCA.RootCAs = x509.NewCertPool()
		wrongPassword := startMailServer(t, remind.TLSImplicit)
		wrongPassword.user, wrongPassword.password = "egovkpi", "mail secret"
		badAuth := wrongPassword.client(remind.TLSImplicit)
		badAuth.User, badAuth.Password = "egovkpi", "guess"
		for i, tc := range []struct {
			c    *remind.SMTP
			want string
		}{
			{plain.client(remind.TLSStartTLS), "does not offer STARTTLS"},
			{noCA, "certificate"},
			{badAuth, "AUTH"},
		} {
			// The same message, tried again by each client in turn.
			res := f.run(f.reminder(tc.c, 0), at(2026, 10, 8+i, 8, 0))
			msgs, err := remind.Outbox(t.Context(), f.db.Conn, remind.Filter{UnitID: hanoi, Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			if res.Sent != 0 || len(msgs) != 1 || !strings.Contains(msgs[0].Error, tc.want) {
				t.Errorf("%s: %+v %+v, want an error with %q", tc.want, res, msgs, tc.want)
			}
			if len(plain.messages())+len(untrusted.messages())+len(wrongPassword.messages()) != 0 {
				t.Fatalf("%s: a message went through", tc.want)
			}
		}
	})
}

// TestCancelledAndExpired: messages planned while no mail server was
// configured are checked before sending: one whose report was submitted
// since is cancelled, one older than MaxAge expires; neither is sent, and
// the newer reminder of the same unit is.
func TestCancelledAndExpired(t *testing.T) {
	f := newFixture(t)
	const caoBang = "p34-02"
	f.st.set(q3, caoBang, workflow.Draft)
	f.reporter("cb", caoBang, "cb@caobang.gov.vn")
	if res := f.run(f.reminder(nil, 0), at(2026, 10, 8, 8, 0)); res.Planned != 3 || res.Sent != 0 {
		t.Fatalf("planning without SMTP: %+v", res)
	}
	ms := startMailServer(t, remind.TLSNone)
	r := f.reminder(ms.client(remind.TLSNone), 0)

	f.st.set(q3, hanoi, workflow.Submitted)
	if res := f.run(r, at(2026, 10, 9, 8, 0)); res.Cancelled != 1 || res.Sent != 1 {
		t.Fatalf("after Hà Nội submitted: %+v", res)
	}
	if m := f.message("2026Q3/p34-01/before-7"); m.Status != remind.StatusCancelled || m.SentAt != nil || !strings.Contains(m.Error, "submitted first") {
		t.Errorf("cancelled: %+v", m)
	}
	ms.setFail(&smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"})
	if res := f.run(r, at(2026, 10, 14, 8, 0)); res.Planned != 2 || res.Retrying != 1 {
		t.Fatalf("1 day before, the server refusing: %+v", res)
	}
	ms.setFail(nil)
	// 8 days later the before-1 message is too old to send; after-7 goes
	// (after-1 was missed: the latest reminder only).
	res := f.run(r, at(2026, 10, 22, 8, 1))
	if res.Expired != 1 || res.Sent != 1 || res.Planned != 2 {
		t.Fatalf("8 days later: %+v", res)
	}
	if m := f.message("2026Q3/p34-02/before-1"); m.Status != remind.StatusExpired || m.Attempts != 1 || !strings.Contains(m.Error, "not delivered within 7 days") {
		t.Errorf("expired: %+v", m)
	}
	got := ms.messages()
	if len(got) != 2 {
		t.Fatalf("received %d messages, want the before-7 and the after-7 of Cao Bằng", len(got))
	}
	if _, subject, _ := readMessage(t, got[1].data); !strings.Contains(subject, "đã quá hạn 7 ngày") {
		t.Errorf("the last message received: %q", subject)
	}
}
