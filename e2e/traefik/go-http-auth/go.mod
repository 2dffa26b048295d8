// github.com/abbot/go-http-auth v0.4.0 has no go.mod. e2e/traefik/build.sh copies its
// sources (from the module cache) beside ramp_additions.go and this go.mod, in its work
// directory, and the wrapper's go.mod replaces the module with that directory.
module github.com/abbot/go-http-auth

go 1.17
