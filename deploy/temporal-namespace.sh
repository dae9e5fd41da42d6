#!/bin/sh
# Registers the namespace Relais uses once the server answers (7 days of closed-workflow history).
set -eu
temporal operator namespace describe --namespace "$NAMESPACE" >/dev/null 2>&1 ||
  temporal operator namespace create --namespace "$NAMESPACE" --retention 7d
