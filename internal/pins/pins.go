// Package pins holds the fixed third-party modules in go.mod before the code
// that uses them lands, so `go mod tidy` keeps the versions the design pins
// (see docs/dependencies.md). Nothing imports this package; it adds nothing
// to the binary. Remove an import here once a real package imports the module.
package pins

import (
	_ "github.com/go-echarts/go-echarts/v2/charts"
)
