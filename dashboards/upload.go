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
	fh, err := c.FormFile("file")
	if err != nil {
		c.Status(fiber.StatusBadRequest)
		return a.renderUpload(c, nil, lang.T("upload.no_file"))
	}
	if fh.Size > fileimport.MaxFileBytes {
		c.Status(fiber.StatusRequestEntityTooLarge)
		return a.renderUpload(c, nil, lang.T("upload.too_large", fh.Size>>20, fileimport.MaxFileBytes>>20))
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, fileimport.MaxFileBytes+1))
	if err != nil {
		return err
	}
	name := filepath.Base(fh.Filename)
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
