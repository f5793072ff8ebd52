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
)

// uploadPage shows the form: a unit's token and a file in the template.
func (a *App) uploadPage(c *fiber.Ctx) error {
	return a.renderUpload(c, nil, "")
}

func (a *App) renderUpload(c *fiber.Ctx, res *collector.ImportResult, problem string) error {
	lang := a.lang(c)
	return a.render(c, "upload.html", map[string]any{"Lang": lang, "Other": otherLang(lang), "Result": res, "Error": problem})
}

// uploadFile takes a file for the unit whose push token is given: the same
// rules as every way in; rows of another unit refuse the whole file.
func (a *App) uploadFile(c *fiber.Ctx) error {
	if a.deps.Collector == nil {
		return fiber.NewError(fiber.StatusNotFound, "uploads are not enabled on this server")
	}
	lang := a.lang(c)
	token := strings.TrimSpace(c.FormValue("token"))
	unit, err := a.deps.Collector.Store().TokenUnit(c.UserContext(), token)
	if token == "" || errors.Is(err, store.ErrUnknownToken) {
		c.Status(fiber.StatusUnauthorized)
		return a.renderUpload(c, nil, lang.T("upload.bad_token"))
	}
	if err != nil {
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
