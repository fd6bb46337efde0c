#!/usr/bin/env bash
# release/check.sh VERSION: runs the binary of each release archive in
# dist/ where a user would — linux-amd64 natively in an empty environment
# (an empty chroot when run as root), linux-arm64 under qemu-user at the
# Cortex-A53 level (Kunpeng and Phytium run at least that), windows-amd64
# under Wine — through version, demo (into a folder whose name has Chinese
# characters and a space), query and a run on the repository's
# export-shaped samples, and compares the demo's communities.csv with the
# native build's (same salt) byte for byte. Also runs the output-lock test
# of package store under Wine. See docs/release.md.
set -euo pipefail

version=${1:?usage: release/check.sh VERSION}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
dist=$root/dist
cache=$root/.cache/release
go=${GO:-go}
salt=release-check-salt
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo

updated=
apt() {
	local missing=()
	for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "installing ${missing[*]} (Debian packages)"
	if [ -z "$updated" ]; then $sudo apt-get update -qq; updated=1; fi
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

fail() { echo "release-check: $*" >&2; exit 1; }

(cd "$dist" && sha256sum --quiet -c SHA256SUMS) || fail "dist/SHA256SUMS does not match the archives"

work=$(mktemp -d "${TMPDIR:-/tmp}/civicscore-release-check.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The reference: the native build of the same source, same salt.
make --no-print-directory build VERSION="$version" >/dev/null
CIVICSCORE_SALT=$salt ./bin/civicscore demo --out "$work/native" >/dev/null 2>&1 || fail "native demo failed"
ref=$work/native/report/communities.csv
[ -s "$ref" ] || fail "native demo wrote no report/communities.csv"
want_n=$(./bin/civicscore query --db "$work/native/civicscore.duckdb" --format csv "SELECT count(*) AS n FROM communities" | tail -1)

# run TARGET DIR ARGS...: the TARGET binary unpacked in DIR, with ARGS.
# Paths in ARGS are Linux paths below $work; for Windows they are turned
# into Wine's Z: paths.
run() {
	local target=$1 dir=$2
	shift 2
	case $target in
	linux-amd64)
		if [ -z "$sudo" ]; then
			# chroot: the binary sees only $work (no /lib, no /usr).
			env -i CIVICSCORE_SALT=$salt "$(command -v chroot || echo /usr/sbin/chroot)" "$work" "/${dir#"$work"/}/civicscore" "${@//$work\//\/}"
		else
			env -i CIVICSCORE_SALT=$salt "$dir/civicscore" "$@"
		fi
		;;
	linux-arm64)
		env -i CIVICSCORE_SALT=$salt "$(command -v qemu-aarch64)" -cpu cortex-a53 "$dir/civicscore" "$@"
		;;
	windows-amd64)
		local a args=()
		for a in "$@"; do
			if [[ $a == /* ]]; then a="Z:${a//\//\\}"; fi
			args+=("$a")
		done
		env WINEPREFIX="$cache/wine" WINEDEBUG=-all CIVICSCORE_SALT=$salt /usr/lib/wine/wine64 "$dir/civicscore.exe" "${args[@]}"
		;;
	esac
}

# wine_prefix makes the Wine prefix once, with the stand-in for the
# bcryptprimitives.dll that Wine 8 lacks (release/wine/).
wine_prefix() {
	apt wine64 gcc-mingw-w64-x86-64-posix
	local p=$cache/wine
	if [ ! -f "$p/drive_c/windows/system32/bcryptprimitives.dll" ]; then
		mkdir -p "$p"
		WINEPREFIX=$p WINEDEBUG=-all /usr/lib/wine/wine64 wineboot -i >/dev/null 2>&1
		x86_64-w64-mingw32-gcc-posix -shared -O2 -o "$cache/bcryptprimitives.dll" \
			release/wine/bcryptprimitives.c release/wine/bcryptprimitives.def
		cp "$cache/bcryptprimitives.dll" "$p/drive_c/windows/system32/"
	fi
}

checked=0
for archive in "$dist"/civicscore-"$version"-*.tar.gz "$dist"/civicscore-"$version"-*.zip; do
	[ -f "$archive" ] || continue
	base=$(basename "$archive")
	target=${base#civicscore-"$version"-}
	target=${target%.tar.gz}
	target=${target%.zip}
	echo "checking $base"
	start=$(date +%s)
	dir=$work/$target
	mkdir -p "$dir"
	case $archive in
	*.zip) apt unzip; unzip -q "$archive" -d "$dir" ;;
	*) tar -xzf "$archive" -C "$dir" ;;
	esac
	dir=$dir/civicscore-$version-$target
	[ -f "$dir/README.md" ] && [ -d "$dir/licenses" ] || fail "$base: README.md or licenses/ missing"
	case $target in
	linux-arm64) apt qemu-user ;;
	windows-amd64) wine_prefix ;;
	esac

	out=$(run "$target" "$dir" version) || fail "$base: version failed"
	[ "$(echo "$out" | head -1 | tr -d '\r')" = "civicscore $version" ] || fail "$base: version says '$(echo "$out" | head -1)', want 'civicscore $version'"

	demo="$work/演示 $target/demo"
	mkdir -p "$(dirname "$demo")"
	run "$target" "$dir" demo --out "$demo" >"$work/$target.demo.log" 2>&1 || { tail -20 "$work/$target.demo.log"; fail "$base: demo failed"; }
	[ -f "$demo/report/index.html" ] || fail "$base: demo wrote no report/index.html"
	cmp "$ref" "$demo/report/communities.csv" || fail "$base: demo communities.csv differs from the native build's"

	n=$(run "$target" "$dir" query --db "$demo/civicscore.duckdb" --format csv "SELECT count(*) AS n FROM communities" | tail -1 | tr -d '\r')
	[ "$n" = "$want_n" ] || fail "$base: query counted '$n' communities, the native build $want_n"

	samples=$work/samples-$target
	cp -r testdata/samples "$samples"
	run "$target" "$dir" run --config "$samples/config.yaml" --out "$samples/out" >"$work/$target.samples.log" 2>&1 || { tail -20 "$work/$target.samples.log"; fail "$base: run on testdata/samples failed"; }
	[ -f "$samples/out/report/index.html" ] || fail "$base: run on the samples wrote no report"

	if [ "$target" = windows-amd64 ]; then
		# The lock test of package store, built for Windows (LockFileEx).
		# Wine 8 cannot delete files Go's os.RemoveAll deletes ("Invalid
		# function", a Wine defect), so the test's temporary-folder cleanup
		# fails there; every other failure counts.
		CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc-posix CXX=x86_64-w64-mingw32-g++-posix \
			"$go" test -c -tags=duckdb_arrow -o "$work/store.test.exe" ./store 2> >(grep -v 'in function' >&2)
		log=$work/store-test.log
		(cd "$work" && WINEPREFIX=$cache/wine WINEDEBUG=-all /usr/lib/wine/wine64 "$work/store.test.exe" \
			-test.run '^TestBeginOutputLock$' -test.v >"$log" 2>&1) || true
		grep -q '^=== RUN   TestBeginOutputLock/' "$log" || { cat "$log"; fail "the lock test did not run under Wine"; }
		if grep -v 'TempDir RemoveAll cleanup' "$log" | grep -E '_test\.go:[0-9]+:|panic:' >/dev/null; then
			cat "$log"
			fail "the lock test failed under Wine"
		fi
		echo "  lock test under Wine: passed ($(grep -c 'TempDir RemoveAll cleanup' "$log" || true) temporary-folder cleanups refused by Wine)"
	fi
	checked=$((checked + 1))
	echo "  $target: version, demo, query and the samples run passed; communities.csv identical to the native build's ($(($(date +%s) - start)) s)"
done
[ "$checked" -gt 0 ] || fail "no archive for version $version in dist/ (run make release first)"
echo "release-check: $checked archives passed"
