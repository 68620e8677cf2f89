#!/usr/bin/env bash
# The fault harness, long form: the same test as CI's (tests/Customers.Faults) with more shoppers and faults held
# longer (FaultScale.Long: 40 shoppers, 30 s per fault, 20 s of steady traffic after each; about 6 minutes).
# Writes the table for docs/reliability.md to bench/results/faults.md (git-ignored). Needs nginx (apt-get install nginx).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/results
report="$PWD/bench/results/faults.md"
rm -f "$report"
dotnet build tests/Customers.Faults -c Release
CUSTOMERS_FAULTS_LONG=1 CUSTOMERS_FAULTS_REPORT="$report" \
  dotnet test tests/Customers.Faults -c Release --no-build --logger "console;verbosity=normal"
echo "Report: $report"
cat "$report"
