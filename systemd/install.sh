#!/usr/bin/env bash
# Installs voicehub as a systemd service from this source tree (Raspberry Pi OS, Debian, Ubuntu).
# Idempotent: run it again after `git pull` to upgrade. See docs/DEPLOY.md.
#
# Usage:
#   sudo systemd/install.sh [--no-start] [--dry-run]
#   sudo systemd/install.sh --uninstall [--purge] [--dry-run]
#
#   --dry-run    print every step it would take and change nothing (root not needed)
#   --no-start   install and enable, but do not (re)start the service
#   --uninstall  stop and remove the service, the app and the CLI wrapper; keep config, data and user
#   --purge      with --uninstall: also delete /etc/voicehub, /var/lib/voicehub, the unit's drop-ins
#                and the voicehub user
#
# Environment: NODE_BIN (default /usr/bin/node, else `node` on PATH) names the Node.js the service runs.
#
# What it does: builds the tree (as the tree's owner: TypeScript is a dev dependency), copies the built
# app with its dependencies to /opt/voicehub and prunes the dev ones there (offline, from the lockfile),
# creates the system user `voicehub`, /etc/voicehub/voicehub.yaml (from voicehub.example.yaml, never
# overwritten) and /var/lib/voicehub, the CLI wrapper /usr/local/bin/voicehub, installs the unit, then
# daemon-reload, enable and (re)start.
#
# Exit codes:
#   0  done (with --dry-run: the plan was printed)
#   1  a step failed (its message is printed above)
#   2  usage error
#   3  not run as root (and not --dry-run)
#   4  systemd is not the running init system, or systemctl is missing (and not --dry-run)
#   5  a prerequisite is missing: Node.js >= 20.18.1, npm, or the voicehub source tree (and not --dry-run)
set -euo pipefail

readonly PREFIX=/opt/voicehub
readonly CONF_DIR=/etc/voicehub
readonly DATA_DIR=/var/lib/voicehub
readonly UNIT_NAME=voicehub.service
readonly UNIT_PATH=/etc/systemd/system/$UNIT_NAME
readonly WRAPPER=/usr/local/bin/voicehub
readonly SERVICE_USER=voicehub
readonly NODE_MIN=20.18.1
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly SRC

DRY_RUN=0
UNINSTALL=0
PURGE=0
START=1

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
}

die() { # die CODE MESSAGE
  echo "install.sh: error: $2" >&2
  exit "$1"
}

step() { echo "==> $*"; }

# Runs a command, or only prints it with --dry-run.
run() {
  local shown
  shown=$(printf ' %q' "$@")
  if [ "$DRY_RUN" -eq 1 ]; then
    echo "    [dry-run] would run:$shown"
  else
    echo "    +$shown"
    "$@"
  fi
}

# A problem that stops a real run with CODE; a dry run notes it and goes on showing the plan.
refuse() { # refuse CODE MESSAGE
  if [ "$DRY_RUN" -eq 1 ]; then
    echo "    [dry-run] note: a real run would stop here with exit $1: $2"
  else
    die "$1" "$2"
  fi
}

parse_args() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --dry-run) DRY_RUN=1 ;;
      --uninstall) UNINSTALL=1 ;;
      --purge) PURGE=1 ;;
      --no-start) START=0 ;;
      -h | --help) usage; exit 0 ;;
      *) usage >&2; die 2 "unknown option: $1" ;;
    esac
    shift
  done
  if [ "$PURGE" -eq 1 ] && [ "$UNINSTALL" -eq 0 ]; then
    die 2 "--purge only goes with --uninstall"
  fi
}

check_root() {
  if [ "$(id -u)" -ne 0 ]; then
    refuse 3 "run as root: sudo $0${*:+ $*}"
  fi
}

check_systemd() {
  # sd_booted(3): /run/systemd/system exists only when systemd is the running init system.
  if [ ! -d /run/systemd/system ] || ! command -v systemctl >/dev/null 2>&1; then
    refuse 4 "systemd is not the running init system here (no /run/systemd/system or no systemctl)"
  fi
}

find_node() {
  if [ -n "${NODE_BIN:-}" ]; then
    return
  elif [ -x /usr/bin/node ]; then
    NODE_BIN=/usr/bin/node
  else
    NODE_BIN=$(command -v node || true)
  fi
}

check_prerequisites() {
  find_node
  if [ -z "$NODE_BIN" ] || [ ! -x "$NODE_BIN" ]; then
    refuse 5 "Node.js not found: install Node.js >= $NODE_MIN system-wide (docs/DEPLOY.md) or set NODE_BIN"
    return
  fi
  case "$NODE_BIN" in
    /home/* | /root/* | /run/user/*)
      refuse 5 "$NODE_BIN is under a home directory, which the service cannot see (ProtectHome=yes): install Node.js system-wide"
      ;;
  esac
  if ! "$NODE_BIN" -e '
      const want = process.argv[1].split(".").map(Number);
      const have = process.versions.node.split(".").map(Number);
      const cmp = have[0] - want[0] || have[1] - want[1] || have[2] - want[2];
      process.exit(cmp >= 0 ? 0 : 1);' "$NODE_MIN"; then
    refuse 5 "Node.js $("$NODE_BIN" --version) at $NODE_BIN is too old: voicehub needs >= $NODE_MIN"
  fi
  if ! command -v npm >/dev/null 2>&1; then
    refuse 5 "npm not found (it comes with Node.js)"
  fi
  if ! grep -q '"name": *"voicehub"' "$SRC/package.json" 2>/dev/null; then
    refuse 5 "$SRC is not a voicehub source tree (no package.json named voicehub)"
  fi
}

# Runs a command in the source tree as the tree's owner, so a root install leaves no root-owned files there.
as_owner() {
  local owner home
  owner=$(stat -c %U "$SRC")
  if [ "$owner" = root ] || [ "$(id -u)" -ne 0 ]; then
    run env -C "$SRC" npm_config_update_notifier=false "$@"
  else
    home=$(getent passwd "$owner" | cut -d: -f6)
    run runuser -u "$owner" -- env -C "$SRC" HOME="$home" npm_config_update_notifier=false "$@"
  fi
}

build() {
  step "build in $SRC (as its owner)"
  # npm writes node_modules/.package-lock.json on every install: older than the lockfile means stale.
  if [ ! -f "$SRC/node_modules/.package-lock.json" ] || [ "$SRC/package-lock.json" -nt "$SRC/node_modules/.package-lock.json" ]; then
    as_owner npm ci --no-audit --no-fund
  fi
  as_owner npm run build
}

ensure_user() {
  step "system user $SERVICE_USER"
  if getent passwd "$SERVICE_USER" >/dev/null; then
    echo "    exists"
  else
    run useradd --system --user-group --home-dir "$DATA_DIR" --no-create-home \
      --shell /usr/sbin/nologin --comment "voicehub smart-home hub" "$SERVICE_USER"
  fi
}

install_app() {
  local stage=$PREFIX.new item
  step "app in $PREFIX (built tree, production dependencies only)"
  run rm -rf "$stage" "$PREFIX.old"
  run mkdir -p "$stage"
  for item in dist node_modules package.json package-lock.json plugins devices systemd docs README.md LICENSE voicehub.schema.json; do
    if [ -e "$SRC/$item" ] || { [ "$DRY_RUN" -eq 1 ] && [ "$item" = dist ]; }; then
      run cp -a "$SRC/$item" "$stage/"
    fi
  done
  run rm -rf "$stage/dist/test"
  # Offline: removes what the lockfile marks dev-only (TypeScript, @types) from the copied node_modules.
  run env -C "$stage" npm_config_update_notifier=false npm prune --omit=dev --ignore-scripts --no-audit --no-fund --offline
  run chown -R root:root "$stage"
  run chmod -R go-w "$stage"
  # Swap whole trees so the service never starts from a half-copied one.
  if [ -e "$PREFIX" ] || [ -L "$PREFIX" ]; then
    run mv "$PREFIX" "$PREFIX.old"
  fi
  run mv "$stage" "$PREFIX"
  run rm -rf "$PREFIX.old"
}

install_config() {
  step "config in $CONF_DIR and data in $DATA_DIR"
  run install -d -m 0750 -o root -g "$SERVICE_USER" "$CONF_DIR"
  run install -m 0640 -o root -g "$SERVICE_USER" "$SRC/systemd/voicehub.example.yaml" "$CONF_DIR/voicehub.example.yaml"
  if [ -e "$CONF_DIR/voicehub.yaml" ]; then
    echo "    $CONF_DIR/voicehub.yaml exists: kept as it is"
  else
    run install -m 0640 -o root -g "$SERVICE_USER" "$SRC/systemd/voicehub.example.yaml" "$CONF_DIR/voicehub.yaml"
  fi
  # The service's StateDirectory= makes it too, but the CLI may be used before the first start.
  run install -d -m 0750 -o "$SERVICE_USER" -g "$SERVICE_USER" "$DATA_DIR"
}

# Writes CONTENT to PATH with MODE, or prints it with --dry-run.
write_file() { # write_file PATH MODE CONTENT
  if [ "$DRY_RUN" -eq 1 ]; then
    echo "    [dry-run] would write $1 (mode $2):"
    printf '%s\n' "$3" | sed 's/^/      | /'
  else
    echo "    + write $1"
    local tmp
    tmp=$(mktemp "$1.XXXXXX")
    printf '%s\n' "$3" >"$tmp"
    chmod "$2" "$tmp"
    mv -f "$tmp" "$1"
  fi
}

install_wrapper() {
  step "CLI wrapper $WRAPPER"
  run mkdir -p "$(dirname "$WRAPPER")"
  write_file "$WRAPPER" 0755 "#!/bin/sh
# voicehub CLI for the installed service, written by systemd/install.sh: runs as the service's user with
# its data dir and config, so tokens and MQTT users land where the hub reads them. Use: sudo voicehub …
export VOICEHUB_DATA_DIR=$DATA_DIR VOICEHUB_CONFIG=$CONF_DIR/voicehub.yaml
case \"\$(id -un)\" in
  root) cd $DATA_DIR && exec runuser -u $SERVICE_USER -- $NODE_BIN $PREFIX/dist/bundle/cli.js \"\$@\" ;;
  $SERVICE_USER) cd $DATA_DIR && exec $NODE_BIN $PREFIX/dist/bundle/cli.js \"\$@\" ;;
  *) echo 'voicehub: run it as root: sudo voicehub …' >&2 ;;
esac
exit 1"
}

install_unit() {
  step "unit $UNIT_PATH"
  local unit
  unit=$(sed "s#^ExecStart=/usr/bin/node #ExecStart=$NODE_BIN #" "$SRC/systemd/voicehub.service")
  if [ "$NODE_BIN" != /usr/bin/node ]; then
    echo "    ExecStart uses $NODE_BIN"
  fi
  if [ -f "$UNIT_PATH" ] && [ "$(cat "$UNIT_PATH")" = "$unit" ]; then
    echo "    unchanged"
  elif [ "$DRY_RUN" -eq 1 ]; then
    echo "    [dry-run] would write $UNIT_PATH (mode 0644) from systemd/voicehub.service"
  else
    write_file "$UNIT_PATH" 0644 "$unit"
  fi
  run systemctl daemon-reload
  run systemctl enable "$UNIT_NAME"
}

start_service() {
  if [ "$START" -eq 0 ]; then
    step "not starting ($UNIT_NAME is enabled; start it with: sudo systemctl start voicehub)"
    return
  fi
  step "(re)start $UNIT_NAME (waits for the hub's READY=1)"
  if ! run systemctl restart "$UNIT_NAME"; then
    echo "install.sh: error: voicehub did not start; its last log lines:" >&2
    journalctl -u "$UNIT_NAME" -n 30 --no-pager -o cat >&2 || true
    exit 1
  fi
  run systemctl --no-pager --lines=0 status "$UNIT_NAME"
}

do_install() {
  echo "Installing voicehub from $SRC$([ "$DRY_RUN" -eq 1 ] && echo ' [dry run: nothing is changed]')"
  check_root "$@"
  check_systemd
  check_prerequisites
  echo "Node.js: $NODE_BIN"
  build
  ensure_user
  install_app
  install_config
  install_wrapper
  install_unit
  start_service
  if [ "$DRY_RUN" -eq 1 ]; then
    echo "Dry run done: nothing was changed."
    return
  fi
  cat <<EOF
Done. Next:
  logs:          journalctl -u voicehub -f -o cat | npx --yes pino-pretty
  check:         sudo voicehub doctor
  a voice token: sudo voicehub token create --sub kitchen-satellite --scope voice
  an MQTT user:  sudo voicehub mqtt-user add NAME --password-stdin --allow 'zigbee2mqtt/#'
  config:        sudoedit $CONF_DIR/voicehub.yaml && sudo systemctl restart voicehub
EOF
}

do_uninstall() {
  echo "Removing voicehub$([ "$DRY_RUN" -eq 1 ] && echo ' [dry run: nothing is changed]')"
  check_root "$@"
  check_systemd
  step "service $UNIT_NAME"
  if [ -f "$UNIT_PATH" ]; then
    run systemctl disable --now "$UNIT_NAME"
    run rm -f "$UNIT_PATH"
    run systemctl daemon-reload
    run systemctl reset-failed "$UNIT_NAME" || true
  else
    echo "    not installed"
  fi
  step "app $PREFIX and CLI wrapper $WRAPPER"
  run rm -rf "$PREFIX" "$PREFIX.new" "$PREFIX.old" "$WRAPPER"
  if [ "$PURGE" -eq 1 ]; then
    step "purge config $CONF_DIR, data $DATA_DIR, drop-ins and user $SERVICE_USER"
    run rm -rf "$CONF_DIR" "$DATA_DIR" "$UNIT_PATH.d"
    if getent passwd "$SERVICE_USER" >/dev/null; then
      run userdel "$SERVICE_USER"
    fi
  else
    echo "Kept $CONF_DIR, $DATA_DIR (tokens' key, MQTT users, device state) and the $SERVICE_USER user; --purge removes them."
  fi
}

main() {
  parse_args "$@"
  if [ "$UNINSTALL" -eq 1 ]; then
    do_uninstall "$@"
  else
    do_install "$@"
  fi
}

main "$@"
