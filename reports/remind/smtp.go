package remind

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/smtp"
	"os"
	"strings"
	"time"

	"egovkpi"
)

// TLS modes of an SMTP server.
const (
	// TLSStartTLS upgrades a plain connection (usually port 587); a server
	// that does not offer it is refused, never used in clear.
	TLSStartTLS = "starttls"
	// TLSImplicit connects with TLS from the start (usually port 465).
	TLSImplicit = "tls"
	// TLSNone sends in clear: only for a relay on this machine (the
	// configuration refuses it elsewhere).
	TLSNone = "none"
)

// SMTP is the mail server reminders are sent through.
type SMTP struct {
	Addr string // host:port
	From string // the sender's bare address
	// User and Password authenticate (PLAIN, only over TLS or to
	// loopback); empty User: no authentication.
	User, Password string
	TLS            string // TLSStartTLS, TLSImplicit or TLSNone
	// Timeout bounds one message's whole conversation (0: 30 s).
	Timeout time.Duration
	// RootCAs verify the server's certificate (nil: the system's).
	RootCAs *x509.CertPool
}

// Send sends m to its e-mail addresses. A message is sent when at least
// one address is accepted; refused names the ones the server refused
// ("" when none was).
func (s *SMTP) Send(ctx context.Context, m Message, now time.Time) (refused string, err error) {
	if len(m.Emails) == 0 {
		return "", errors.New("no recipient")
	}
	msg := s.compose(m, now)
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	host, _, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return "", fmt.Errorf("smtp %s: want host:port: %w", s.Addr, err)
	}
	tlsConfig := &tls.Config{ServerName: host, RootCAs: s.RootCAs, MinVersion: tls.VersionTLS12}
	fail := func(err error) error {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() || errors.Is(ctx.Err(), context.DeadlineExceeded) {
			err = fmt.Errorf("timed out after %s: %w", timeout, err)
		}
		return fmt.Errorf("smtp %s: %w", s.Addr, err)
	}
	dialer := &net.Dialer{}
	var conn net.Conn
	if s.TLS == TLSImplicit {
		conn, err = (&tls.Dialer{NetDialer: dialer, Config: tlsConfig}).DialContext(ctx, "tcp", s.Addr)
	} else {
		conn, err = dialer.DialContext(ctx, "tcp", s.Addr)
	}
	if err != nil {
		return "", fail(err)
	}
	// The deadline bounds every read and write; a cancelled ctx closes the
	// connection, which ends the conversation at once.
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return "", fail(err)
	}
	defer c.Close()
	refused, err = s.converse(c, host, tlsConfig, m.Emails, msg)
	if err != nil {
		return "", fail(err)
	}
	return refused, nil
}

// converse runs the SMTP conversation over c.
func (s *SMTP) converse(c *smtp.Client, host string, tlsConfig *tls.Config, to []string, msg []byte) (string, error) {
	if err := c.Hello(helloName()); err != nil {
		return "", err
	}
	if s.TLS == TLSStartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return "", errors.New("the server does not offer STARTTLS (set EGOVKPI_SMTP_TLS=tls for implicit TLS)")
		}
		if err := c.StartTLS(tlsConfig); err != nil {
			return "", fmt.Errorf("STARTTLS: %w", err)
		}
	}
	if s.User != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return "", errors.New("the server does not offer AUTH, but EGOVKPI_SMTP_USER is set")
		}
		if err := c.Auth(smtp.PlainAuth("", s.User, s.Password, host)); err != nil {
			return "", fmt.Errorf("AUTH: %w", err)
		}
	}
	if err := c.Mail(s.From); err != nil {
		return "", fmt.Errorf("MAIL FROM: %w", err)
	}
	var refused []string
	for _, addr := range to {
		if err := c.Rcpt(addr); err != nil {
			refused = append(refused, fmt.Sprintf("%s refused: %v", addr, err))
		}
	}
	if len(refused) == len(to) {
		return "", errors.New(strings.Join(refused, "; "))
	}
	w, err := c.Data()
	if err != nil {
		return "", fmt.Errorf("DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return "", fmt.Errorf("DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return "", fmt.Errorf("DATA: %w", err)
	}
	// The message is accepted: an error on QUIT does not undo it.
	_ = c.Quit()
	return strings.Join(refused, "; "), nil
}

// helloName is the name given in EHLO: the host's, if it looks like one.
func helloName() string {
	if h, err := os.Hostname(); err == nil && strings.Contains(h, ".") {
		return h
	}
	return "localhost"
}

// compose writes m as an RFC 5322 message: UTF-8 text, the subject
// encoded as RFC 2047 words, and a Message-ID made from m's id so that a
// message sent twice (see the package doc) is recognisably the same.
func (s *SMTP) compose(m Message, now time.Time) []byte {
	domain := "egovkpi"
	if _, d, ok := strings.Cut(s.From, "@"); ok {
		domain = d
	}
	sum := sha256.Sum256([]byte(m.ID))
	var b bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	header("From", s.From)
	header("To", strings.Join(m.Emails, ", "))
	// Adjacent encoded words may be split over lines: the space between
	// them is not part of the text.
	header("Subject", strings.ReplaceAll(mime.BEncoding.Encode("UTF-8", m.Subject), "?= =?", "?=\r\n =?"))
	header("Date", now.In(egovkpi.Vietnam).Format(time.RFC1123Z))
	header("Message-ID", "<"+hex.EncodeToString(sum[:12])+"."+m.Quarter.String()+"@"+domain+">")
	header("Auto-Submitted", "auto-generated")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=UTF-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	_, _ = qp.Write([]byte(strings.ReplaceAll(m.Body, "\n", "\r\n")))
	_ = qp.Close()
	return b.Bytes()
}
