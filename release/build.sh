#!/usr/bin/env bash
# release/build.sh VERSION TARGET...: the release archives in dist/.
# release/build.sh --compile-only TARGET...: only compile each TARGET's
# binary (into .cache/release/compile/), as `make test` does for Windows so
# that the port cannot break unseen.
#
# TARGET is linux-amd64, linux-arm64 or windows-amd64. Each archive holds
# the binary, README.md and licenses/ (the licence of every piece of
# third-party code linked in); dist/SHA256SUMS lists them all. The Linux
# binaries are static, so they start on any Linux of their architecture
# whatever its glibc (Kylin V10, UOS 20, CentOS 7): linux-amd64 against
# glibc, linux-arm64 against musl (static glibc overflows the arm64 GOT).
# The toolchains are Debian packages, installed when missing. See
# docs/release.md.
set -euo pipefail

compile_only=
if [ "${1:-}" = --compile-only ]; then
	compile_only=1
	set -- dev "${@:2}"
fi
version=${1:?usage: release/build.sh VERSION TARGET... | --compile-only TARGET...}
shift
[ $# -gt 0 ] || set -- linux-amd64 linux-arm64 windows-amd64
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
dist=$root/dist
cache=$root/.cache/release
go=${GO:-go}
mkdir -p "$dist" "$cache"
# Archives carry the time of the commit, so that two builds of one commit
# give the same bytes.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}

# apt installs the Debian packages given when one is missing.
updated=
apt() {
	local missing=()
	for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "installing ${missing[*]} (Debian packages)"
	local sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	if [ -z "$updated" ]; then $sudo apt-get update -qq; updated=1; fi
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# musl_sysroot unpacks Debian's arm64 musl (not installed: extracted into
# the cache) and writes a gcc specs file that builds against it.
musl_sysroot() {
	local s=$cache/musl-arm64
	if [ ! -f "$s/musl.specs" ]; then
		dpkg --print-foreign-architectures | grep -qx arm64 || {
			local sudo=
			[ "$(id -u)" -eq 0 ] || sudo=sudo
			$sudo dpkg --add-architecture arm64
			$sudo apt-get update -qq
			updated=1
		}
		rm -rf "$s" && mkdir -p "$s/deb"
		(cd "$s/deb" && apt-get download -q musl:arm64 musl-dev:arm64 >&2)
		for d in "$s"/deb/*.deb; do dpkg-deb -x "$d" "$s/root"; done
		sed "s#/usr/#$s/root/usr/#g" "$s/root/usr/lib/aarch64-linux-musl/musl-gcc.specs" >"$s/musl.specs"
	fi
	echo "$s"
}

# build TARGET OUT: the binary for TARGET at OUT.
build() {
	local target=$1 out=$2 tags=duckdb_arrow ld="-s -w -X main.version=$version"
	local -a env
	case $target in
	linux-amd64)
		apt gcc g++
		env=(GOOS=linux GOARCH=amd64 CC=gcc CXX=g++)
		tags+=,netgo,osusergo
		ld+=" -linkmode=external -extldflags=-static"
		;;
	linux-arm64)
		apt gcc-aarch64-linux-gnu g++-aarch64-linux-gnu
		local s
		s=$(musl_sysroot)
		env=(GOOS=linux GOARCH=arm64 "CC=aarch64-linux-gnu-gcc -specs=$s/musl.specs" "CXX=aarch64-linux-gnu-g++ -specs=$s/musl.specs")
		tags+=,netgo,osusergo,musl
		# --eh-frame-hdr: the unwinder finds C++ exception tables through
		# it (store/crt_musl.c); without it every exception aborts.
		ld+=" -linkmode=external -extldflags '-static -Wl,--eh-frame-hdr'"
		;;
	windows-amd64)
		# The posix thread model: the win32 one leaves DuckDB's pthread
		# symbols undefined.
		apt gcc-mingw-w64-x86-64-posix g++-mingw-w64-x86-64-posix
		env=(GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc-posix CXX=x86_64-w64-mingw32-g++-posix)
		;;
	*)
		echo "release/build.sh: unknown target $target (want linux-amd64, linux-arm64 or windows-amd64)" >&2
		exit 2
		;;
	esac
	env CGO_ENABLED=1 "${env[@]}" "$go" build -trimpath -tags="$tags" -ldflags="$ld" -o "$out" ./cmd/civicscore \
		2> >(grep -v -e 'in function' -e 'statically linked applications requires at runtime' >&2)
}

# no_glibc_floor BIN: a Linux binary must be static (no dynamic section,
# so no GLIBC_2.x symbol version at all).
no_glibc_floor() {
	if readelf -d "$1" 2>/dev/null | grep -q 'Dynamic section'; then
		if objdump -T "$1" | grep -Eq 'GLIBC_2\.(2[0-9]|3[0-9])'; then
			echo "release/build.sh: $1 needs a recent glibc:" >&2
			objdump -T "$1" | grep -Eo 'GLIBC_2\.[0-9]+' | sort -Vu | tail -3 >&2
			exit 1
		fi
	fi
}

# licenses TARGET DIR: the licence of every module linked into the TARGET
# binary, Go's own, ECharts' (embedded in the report) and those of the C
# runtime and C++ library linked statically.
licenses() {
	local target=$1 dir=$2 goos=${1%-*} goarch=${1#*-} tags=duckdb_arrow
	case $target in
	linux-amd64) tags+=,netgo,osusergo ;;
	linux-arm64) tags+=,netgo,osusergo,musl ;;
	esac
	mkdir -p "$dir"
	local path mdir found
	while read -r path mdir; do
		[ -n "$mdir" ] || continue
		found=
		for f in "$mdir"/LICENSE* "$mdir"/LICENCE* "$mdir"/COPYING* "$mdir"/NOTICE* "$mdir"/license* ; do
			[ -f "$f" ] || continue
			mkdir -p "$dir/$path"
			cp "$f" "$dir/$path/"
			found=1
		done
		if [ -z "$found" ]; then
			echo "release/build.sh: module $path has no licence file: refusing to ship it unlicensed" >&2
			exit 1
		fi
	done < <(GOOS=$goos GOARCH=$goarch CGO_ENABLED=1 "$go" list -deps -tags="$tags" \
		-f '{{with .Module}}{{if not .Main}}{{.Path}} {{.Dir}}{{end}}{{end}}' ./cmd/civicscore | sort -u)
	mkdir -p "$dir/go" "$dir/echarts"
	cp "$("$go" env GOROOT)/LICENSE" "$dir/go/LICENSE"
	cp reports/assets/vendor/ECHARTS_LICENSE "$dir/echarts/LICENSE"
	cp release/duckdb-third-party.txt "$dir/github.com/duckdb/duckdb-go-bindings/THIRD-PARTY.txt"
	mkdir -p "$dir/runtime"
	case $target in
	linux-amd64)
		cp /usr/share/doc/libc6/copyright "$dir/runtime/glibc-copyright.txt"
		cp /usr/share/doc/gcc-12-base/copyright "$dir/runtime/gcc-runtime-copyright.txt"
		;;
	linux-arm64)
		cp "$cache/musl-arm64/root/usr/share/doc/musl/copyright" "$dir/runtime/musl-copyright.txt"
		cp /usr/share/doc/gcc-12-base/copyright "$dir/runtime/gcc-runtime-copyright.txt"
		;;
	windows-amd64)
		cp /usr/share/doc/mingw-w64-common/copyright "$dir/runtime/mingw-w64-copyright.txt"
		cp /usr/share/doc/gcc-mingw-w64-base/copyright "$dir/runtime/gcc-runtime-copyright.txt"
		;;
	esac
}

make --no-print-directory assets >/dev/null
if [ -n "$compile_only" ]; then
	for target in "$@"; do
		exe=$cache/compile/civicscore-$target
		[ "$target" = windows-amd64 ] && exe+=.exe
		start=$(date +%s)
		build "$target" "$exe"
		echo "compiled $target: $(du -h "$exe" | cut -f1) in $(($(date +%s) - start)) s"
	done
	exit 0
fi
for target in "$@"; do
	name=civicscore-$version-$target
	stage=$cache/stage/$name
	rm -rf "$stage" && mkdir -p "$stage"
	exe=civicscore
	[ "$target" = windows-amd64 ] && exe=civicscore.exe
	start=$(date +%s)
	echo "building $name"
	build "$target" "$stage/$exe"
	[ "$target" = windows-amd64 ] || no_glibc_floor "$stage/$exe"
	cp README.md "$stage/README.md"
	licenses "$target" "$stage/licenses"
	find "$stage" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
	case $target in
	windows-amd64)
		apt zip
		rm -f "$dist/$name.zip"
		(cd "$cache/stage" && find "$name" -print | LC_ALL=C sort | zip -q -X -@ "$dist/$name.zip")
		;;
	*)
		tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" \
			-C "$cache/stage" -cf - "$name" | gzip -n -9 >"$dist/$name.tar.gz"
		;;
	esac
	echo "  $(ls "$dist/$name".* | xargs -n1 basename): $(du -h "$dist/$name".* | cut -f1) in $(($(date +%s) - start)) s"
done
(cd "$dist" && ls civicscore-"$version"-*.tar.gz civicscore-"$version"-*.zip 2>/dev/null | LC_ALL=C sort | xargs sha256sum >SHA256SUMS)
echo "dist/SHA256SUMS:"
sed 's/^/  /' "$dist/SHA256SUMS"
