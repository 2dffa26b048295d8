module ramp.dev/e2e/images/demo

go 1.22
