#!/usr/bin/env bash
# examples/webui's edit loop, gofront beside the hand-written multi-stage
# Dockerfile that does the same (bench/dockerfiles/webui.Dockerfile: a node
# stage with `npm ci` on package*.json and an npm cache mount, the dist
# copied into the Go stage, Go cache mounts), on one daemon, interleaved:
#   nochange  nothing edited
#   go-edit   a one-line edit of main.go
#   ui-edit   a one-line edit of web/src/main.js
# Prints the median seconds of each, and which steps ran.
#
# Usage: bench/webui-edit-loop.sh [--daemon docker20|docker29] [REPS]
#   (default docker29, the containerd image store; 3 repetitions)
# Needs the engine(s), the stand-ins and the frontend image (scripts/test.sh
# sets them up).
set -euo pipefail
cd "$(dirname "$0")/.."
daemon=docker29
if [ "${1:-}" = --daemon ]; then daemon=$2; shift 2; fi
REPS=${1:-3}
case $daemon in
    docker20) DOCKER=(/usr/bin/docker); export DOCKER_BUILDKIT=1 ;;
    docker29) # shellcheck source=/dev/null
              . scripts/docker29-env.sh; DOCKER=("$GOFRONT_DOCKER29_CLI") ;;
    *) echo "webui-edit-loop: --daemon docker20 or docker29" >&2; exit 2 ;;
esac

work=$(mktemp -d)
# The last build logs of each stay in target/webui-edit-loop/.
logs=target/webui-edit-loop
trap 'mkdir -p "$logs"; cp "$work"/*.log "$logs"/ 2>/dev/null; rm -rf "$work"' EXIT
for who in gofront dockerfile; do
    cp -r examples/webui "$work/$who"
    rm -rf "$work/$who/web/node_modules" "$work/$who/web/dist"
done
cp bench/dockerfiles/webui.Dockerfile "$work/dockerfile/Dockerfile"

go_args=()
for key in GOPROXY GOSUMDB; do
    value=$(go env "$key" 2>/dev/null || true)
    [ -n "$value" ] && go_args+=(--build-arg "$key=$value")
done

now() { date +%s.%N; }
build() { # who -> seconds; the plain log in $work/<who>.log
    local who=$1 file t
    file=$work/$who/gofront.yaml
    [ "$who" = dockerfile ] && file=$work/$who/Dockerfile
    t=$(now)
    "${DOCKER[@]}" build --progress=plain -f "$file" -t "bench/webui-$who" "${go_args[@]}" \
        "$work/$who" > "$work/$who.log" 2>&1 || { cat "$work/$who.log" >&2; exit 1; }
    awk -v a="$(now)" -v b="$t" 'BEGIN { printf "%.2f", a - b }'
}
# Which of the npm and go steps ran (not CACHED) in the last build of `who`.
ran() {
    awk '
        match($0, /^#[0-9]+ .*(npm ci|npm run build|go build|go mod download)/) {
            id = $1
            split("npm ci|npm run build|go build|go mod download", what, "|")
            for (i = 1; i <= 4; i++) {
                if (index($0, what[i]) && !(id in names)) { names[id] = what[i]; order[++n] = id }
            }
        }
        $2 == "CACHED" { cached[$1] = 1 }
        END { for (i = 1; i <= n; i++) if (!(order[i] in cached)) printf "%s; ", names[order[i]] }
    ' "$work/$1.log"
}
# Every edit is new to BuildKit (this run's id in it): an edit an earlier
# run made would come from its cache.
run_id=$$-$(date +%s%N)
edit_go() { sed -i "s/\"hello[^\"]*, \"/\"hello $run_id-$1, \"/" "$work/$2/main.go"; }
edit_ui() { printf '\nconsole.debug("edit %s-%s");\n' "$run_id" "$1" >> "$work/$2/web/src/main.js"; }
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

declare -A t
for who in gofront dockerfile; do
    printf 'warm-up %s: %ss\n' "$who" "$(build "$who")"
done
for i in $(seq "$REPS"); do
    for who in gofront dockerfile; do
        t[$who-nochange]+="$(build "$who") "
        edit_go "$i" "$who"
        t[$who-go-edit]+="$(build "$who") "
        [ "$i" = 1 ] && echo "go-edit ran ($who): $(ran "$who")"
        edit_ui "$i" "$who"
        t[$who-ui-edit]+="$(build "$who") "
        [ "$i" = 1 ] && echo "ui-edit ran ($who): $(ran "$who")"
    done
done
printf '\n%-10s %10s %12s   (median of %s, %s)\n' scenario gofront dockerfile "$REPS" "$daemon"
for s in nochange go-edit ui-edit; do
    printf '%-10s %9ss %11ss\n' "$s" "$(echo "${t[gofront-$s]}" | median)" "$(echo "${t[dockerfile-$s]}" | median)"
done
