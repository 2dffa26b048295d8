#!/bin/sh
# ramp, the Ramp CLI; on PATH as kubectl-ramp it is also `kubectl ramp`. This file is this
# shell script followed by a Java archive: Java runs the file itself. Needs Java 17 or later.
exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto $RAMP_JAVA_OPTS -jar "$0" "$@"
