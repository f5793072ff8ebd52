package dashboards

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/gofiber/fiber/v2"

	"egovkpi/collector"
	"egovkpi/collector/fileimport"
	"egovkpi/collector/store"
	"egovkpi/internal/auth"
)

// uploadPage shows the form: a unit's token and a file in the template.
func (a *App) uploadPage(c *fiber.Ctx) error {
	return a.renderUpload(c, nil, "")
}

func (a *App) renderUpload(c *fiber.Ctx, res *collector.ImportResult, problem string) error {
	lang := a.lang(c)
	return a.render(c, "upload.html", map[string]any{"Lang": lang, "Title": lang.T("upload.title"), "Result": res, "Error": problem})
}

// uploadUnit says whose file an upload is: the unit of the push token in
// the form, or else the unit of the signed-in reporter (whose form must
// carry the session's CSRF token). ok is false when the answer (401, 403)
// has been rendered.
func (a *App) uploadUnit(c *fiber.Ctx) (unit string, ok bool, err error) {
	lang := a.lang(c)
	if token := strings.TrimSpace(c.FormValue("token")); token != "" {
		unit, err := a.deps.Collector.Store().TokenUnit(c.UserContext(), token)
		if errors.Is(err, store.ErrUnknownToken) {
			c.Status(fiber.StatusUnauthorized)
			return "", false, a.renderUpload(c, nil, lang.T("upload.bad_token"))
		}
		return unit, err == nil, err
	}
	s, signedIn, err := a.session(c)
	switch {
	case err != nil:
		return "", false, err
	case !signedIn:
		c.Status(fiber.StatusUnauthorized)
		return "", false, a.renderUpload(c, nil, lang.T("upload.bad_token"))
	case s.User.Role != auth.Reporter || s.User.UnitID == "":
		c.Status(fiber.StatusForbidden)
		return "", false, a.renderUpload(c, nil, lang.T("upload.not_reporter"))
	case !auth.SameToken(c.FormValue(csrfField), s.CSRF):
		return "", false, fiber.NewError(fiber.StatusForbidden, "the form's CSRF token is missing or wrong: reload the page and try again")
	}
	return s.User.UnitID, true, nil
}

// uploadFile takes a file for the unit whose push token is given, or for
// the signed-in reporter's unit: the same rules as every way in; rows of
// another unit refuse the whole file.
func (a *App) uploadFile(c *fiber.Ctx) error {
	if a.deps.Collector == nil {
		return fiber.NewError(fiber.StatusNotFound, "uploads are not enabled on this server")
	}
	lang := a.lang(c)
	unit, ok, err := a.uploadUnit(c)
	if !ok || err != nil {
		return err
	}
	data, name, err := readFormFile(c, fileimport.MaxFileBytes)
	var big *tooLargeError
	switch {
	case errors.Is(err, errNoFile):
		c.Status(fiber.StatusBadRequest)
		return a.renderUpload(c, nil, lang.T("upload.no_file"))
	case errors.As(err, &big):
		c.Status(fiber.StatusRequestEntityTooLarge)
		return a.renderUpload(c, nil, lang.T("upload.too_large", big.size>>20, fileimport.MaxFileBytes>>20))
	case err != nil:
		return err
	}
	res, err := a.deps.Collector.ImportFile(c.UserContext(), name, bytes.NewReader(data), int64(len(data)), "upload:"+unit, unit)
	if err != nil {
		status := fiber.StatusUnprocessableEntity
		if errors.Is(err, collector.ErrOtherUnit) {
			status = fiber.StatusForbidden
		}
		c.Status(status)
		return a.renderUpload(c, nil, err.Error())
	}
	return a.renderUpload(c, &res, "")
}

// uploadTemplate sends the template file.
func (a *App) uploadTemplate(c *fiber.Ctx) error {
	format := c.Params("format")
	if format != "xlsx" && format != "csv" {
		return fiber.NewError(fiber.StatusNotFound, fmt.Sprintf("no template in format %q (xlsx, csv)", format))
	}
	var buf bytes.Buffer
	if err := fileimport.WriteTemplate(&buf, format, "", true); err != nil {
		return err
	}
	c.Attachment("egovkpi-template." + format)
	return c.Send(buf.Bytes())
}

// errNoFile is a form without its file.
var errNoFile = errors.New("no file")

// tooLargeError is a file over its form's size limit.
type tooLargeError struct {
	size int64 // bytes, as far as they are known
}

func (e *tooLargeError) Error() string {
	return fmt.Sprintf("the file of %d bytes is over the size limit", e.size)
}

// readFormFile reads the request's multipart file "file", refused
// (*tooLargeError) over limit bytes, and its name as safeFileName keeps
// it; errNoFile without one.
func readFormFile(c *fiber.Ctx, limit int64) (data []byte, name string, err error) {
	fh, err := c.FormFile("file")
	if err != nil {
		return nil, "", errNoFile
	}
	if fh.Size > limit {
		return nil, "", &tooLargeError{fh.Size}
	}
	f, err := fh.Open()
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	data, err = io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, "", err
	}
	if int64(len(data)) > limit {
		return nil, "", &tooLargeError{int64(len(data))}
	}
	return data, safeFileName(fh.Filename), nil
}

// maxFileName is how many characters of an uploaded file's name are kept.
const maxFileName = 100

// safeFileName keeps the last part of an uploaded file's name (after the
// last / or \), at most maxFileName characters, its extension kept: it
// is shown and stored, never used as a path.
func safeFileName(name string) string {
	name = name[strings.LastIndexAny(name, `/\`)+1:]
	if r := []rune(name); len(r) > maxFileName {
		ext := []rune(filepath.Ext(name))
		if len(ext) > 10 {
			ext = nil
		}
		name = string(r[:maxFileName-len(ext)]) + string(ext)
	}
	return name
}
