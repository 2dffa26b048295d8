// Stands in for github.com/traefik/traefik/dynamic/ext, which the Go module proxy does not
// serve (Traefik's own go.mod replaces it with a directory of its repository that the
// traefik/v3 module's zip leaves out). Traefik embeds two of its types inline in its dynamic
// configuration; both are empty structs, which this module declares and nothing more.
module github.com/traefik/traefik/dynamic/ext

go 1.24
