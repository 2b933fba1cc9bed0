# Shared helpers for the lab scripts (sourced, not executed).
# shellcheck shell=bash disable=SC2034  # variables used by the sourcing scripts

LAB_DEFAULT_DIR="${SWITCHBOARD_LAB_DIR:-/tmp/switchboard-lab}"

# Processes lab/up starts, in the order lab/down stops them.
LAB_PROCS=(nginx prometheus haproxy app-v2 app-v1)

lab_die() { echo "$(basename "$0"): $*" >&2; exit 1; }

# lab_abs PATH -> absolute, normalised path (the directory need not exist yet).
lab_abs() { realpath -m -- "$1"; }

# lab_load_env DIR [PROC...]: sources DIR/lab.env or fails with a hint; with PROC names
# (app-v1 app-v2 haproxy prometheus), also fails unless those processes are running.
lab_load_env() {
  local dir="$1" name; shift
  [ -r "$dir/lab.env" ] || lab_die "no lab in $dir (no lab.env). Start one with: $LAB_HERE/up $dir"
  for name in "$@"; do
    lab_running "$dir" "$name" || lab_die "the lab in $dir is not running ($name is down). Start it with: $LAB_HERE/up $dir"
  done
  # shellcheck disable=SC1091
  . "$dir/lab.env"
}

# lab_pid_matches PID ARGSFILE: true when PID runs and its argv[1..] equals the lines of ARGSFILE.
# argv[0] is not compared (python3 may be a pyenv shim that execs the real interpreter).
lab_pid_matches() {
  local pid="$1" argsfile="$2"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [ -r "/proc/$pid/cmdline" ] && [ -r "$argsfile" ] || return 1
  local actual expected
  actual="$(tr '\0' '\n' < "/proc/$pid/cmdline" 2>/dev/null | tail -n +2)" || return 1
  expected="$(cat "$argsfile")"
  [ -n "$actual" ] && [ "$actual" = "$expected" ] && return 0
  # nginx's master rewrites its command line into one string, "nginx: master process ARGV0 ARGS..."
  # (workers say "nginx: worker process" and are never in a pid file).
  local title
  title="$(tr -d '\0' < "/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ "$title" == "nginx: master process "* ]] && [[ "$title" == *" $(printf '%s' "$expected" | tr '\n' ' ')" ]]
}

# lab_running DIR NAME: true when DIR/NAME.pid names a live process that is still ours.
lab_running() {
  local dir="$1" name="$2" pid
  [ -r "$dir/$name.pid" ] || return 1
  pid="$(head -n1 "$dir/$name.pid" 2>/dev/null)"
  lab_pid_matches "$pid" "$dir/$name.args"
}
