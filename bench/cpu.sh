# CPU time in clock ticks (user + system), shared by run.sh and lib.sh (sourced, not run).
proc_cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
pg_cpu_ticks() { # pg_cpu_ticks DATA_DIR: user+system ticks of every PostgreSQL process of that server
  local main; main="$(head -1 "$1/postmaster.pid")"
  local total=0 pid
  for pid in "$main" $(pgrep -P "$main"); do
    [[ -r "/proc/$pid/stat" ]] || continue
    total=$(( total + $(awk '{print $14 + $15}' "/proc/$pid/stat") ))
  done
  # children that exited (backends) are accounted to the postmaster's cutime/cstime
  echo $(( total + $(awk '{print $16 + $17}' "/proc/$main/stat") ))
}
ticks_to_s() { awk -v t="$1" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t / hz }'; }
