// Package dashboards is egovkpi's web application: the Fiber app, its routes
// (all in routes.go, each with its permission), middleware, templates and
// embedded static assets.
package dashboards
