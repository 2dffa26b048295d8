// Package ext declares the two empty types Traefik's dynamic configuration embeds
// (HTTPConfiguration and Router): a hook for extensions, with no fields in open-source Traefik.
package ext

// HTTP is embedded inline in Traefik's HTTPConfiguration.
type HTTP struct{}

// Router is embedded inline in Traefik's HTTP Router.
type Router struct{}
