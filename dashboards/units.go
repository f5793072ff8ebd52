package dashboards

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"egovkpi"
)

// unitRow is one line of the units table, ready to print.
type unitRow struct {
	Code, Name, AltName, Kind, Region, Valid, Successor, Note string
	Unverified                                                bool
}

// unitsPage lists the units in force on ?date= (default: today in Vietnam),
// ministries and provinces in separate tables.
func (a *App) unitsPage(c *fiber.Ctx) error {
	lang := a.lang(c)
	day := a.today()
	if q := c.Query("date"); q != "" {
		d, err := egovkpi.ParseDate(q)
		if err != nil {
			return fiber.NewError(fiber.StatusBadRequest, lang.T("error.bad_date", q))
		}
		day = d
	}
	var ministries, provinces []unitRow
	for _, u := range a.reg.All() {
		if !u.ValidOn(day) {
			continue
		}
		row := a.unitRow(lang, u)
		if u.Block == egovkpi.BlockMinistry {
			ministries = append(ministries, row)
		} else {
			provinces = append(provinces, row)
		}
	}
	era := "era.after"
	if day.Before(egovkpi.ProvinceMerger) {
		era = "era.before"
	}
	return a.render(c, "units.html", map[string]any{
		"Lang":       lang,
		"Title":      lang.T("units.title"),
		"Date":       day.Format(egovkpi.DateLayout),
		"DateShown":  lang.FormatDate(day),
		"Era":        era,
		"Ministries": ministries,
		"Provinces":  provinces,
	})
}

func (a *App) unitRow(lang Lang, u egovkpi.Unit) unitRow {
	r := unitRow{
		Code:       u.Code,
		Name:       u.Name(string(lang)),
		Kind:       lang.T("kind." + u.Kind),
		Note:       u.Note,
		Unverified: u.Unverified(),
	}
	if lang == English {
		r.AltName = u.NameVI
	} else {
		r.AltName = u.NameEN
	}
	if u.Region != "" {
		r.Region = regionName(lang, u.Region)
	}
	if u.ValidTo.IsZero() {
		r.Valid = lang.T("valid.since", lang.FormatDate(u.ValidFrom))
	} else {
		r.Valid = lang.T("valid.range", lang.FormatDate(u.ValidFrom), lang.FormatDate(u.ValidTo))
	}
	if s, ok := a.reg.ByID(u.SuccessorID); ok {
		r.Successor = s.Name(string(lang)) + " (" + s.Code + ")"
	}
	return r
}

// today is the current calendar day in Vietnam.
func (a *App) today() time.Time {
	y, m, d := a.deps.Now().In(a.loc).Date()
	return egovkpi.Date(y, m, d)
}
