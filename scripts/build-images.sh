#!/usr/bin/env bash
# Builds the service images (deploy/containers/<service>.Containerfile) with buildah on base images made
# on this machine, for machines with no registry to pull the official .NET images from: a Debian rootfs
# from the apt mirror this machine uses (debootstrap), plus the .NET runtime (and, for the build stage,
# the SDK) of the local installation. The Containerfiles are the ones `docker build` uses elsewhere;
# only SDK_IMAGE and RUNTIME_IMAGE differ.
#
#   scripts/build-images.sh [service...]     services: bridge notifier audit (default: all that exist)
#
# Environment: IMAGE_PREFIX (localhost/flagger-bridge), IMAGE_TAG (dev), IMAGE_WORK (/var/tmp/flagger-bridge-images),
# IMAGE_MIRROR (the first Debian URI of /etc/apt), IMAGE_SUITE (bookworm).
set -euo pipefail
cd "$(dirname "$0")/.."

prefix=${IMAGE_PREFIX:-localhost/flagger-bridge}
tag=${IMAGE_TAG:-dev}
work=${IMAGE_WORK:-/var/tmp/flagger-bridge-images}
suite=${IMAGE_SUITE:-bookworm}
runtime_base=localhost/flagger-bridge-base/aspnet:10.0
sdk_base=localhost/flagger-bridge-base/sdk:10.0
services=("$@")
[ ${#services[@]} -gt 0 ] || services=(bridge notifier audit)

declare -A project=(
  [bridge]=src/Bridge/Server/Bridge.Server.csproj
  [notifier]=src/Consumers/Notifier/Bridge.Notifier.csproj
  [audit]=src/Consumers/Audit/Bridge.Audit.csproj
)

if [ "$(id -u)" != 0 ]; then
  echo "build-images: buildah and debootstrap need root here (rootless buildah needs subuid ranges)" >&2
  exit 2
fi
for tool in buildah debootstrap; do
  command -v "$tool" >/dev/null || { echo "build-images: $tool is not installed (make images installs it)" >&2; exit 2; }
done

mirror() {
  [ -n "${IMAGE_MIRROR:-}" ] && { echo "$IMAGE_MIRROR"; return; }
  # deb822 sources first, then one-line ones; security and third-party repositories are not the main archive.
  { grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}'
    grep -hsE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{print $2}'
  } | grep -E '/debian/?$' | head -n1 || true
}

dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
image_exists() { buildah inspect --type image "$1" >/dev/null 2>&1; }

build_bases() {
  if image_exists "$runtime_base" && image_exists "$sdk_base"; then
    return
  fi
  local url rootfs="$work/rootfs-$suite"
  url=$(mirror)
  [ -n "$url" ] || { echo "build-images: no Debian mirror in /etc/apt; set IMAGE_MIRROR" >&2; exit 2; }
  if [ ! -x "$rootfs/bin/sh" ]; then
    echo "build-images: debootstrap $suite from $url"
    rm -rf "$rootfs" && mkdir -p "$work"
    # What the official aspnet image holds besides .NET: TLS roots and OpenSSL, zlib, ICU, time zones.
    debootstrap --variant=minbase --include=ca-certificates,libssl3,zlib1g,libicu72,tzdata \
      "$suite" "$rootfs" "$url" >"$work/debootstrap.log" 2>&1 \
      || { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  fi

  echo "build-images: $runtime_base (Debian $suite + .NET runtime from $dotnet_root)"
  local ctr mnt
  ctr=$(buildah from --isolation chroot scratch)
  mnt=$(buildah mount "$ctr")
  cp -a "$rootfs/." "$mnt/"
  mkdir -p "$mnt/usr/share/dotnet/shared"
  cp -a "$dotnet_root/dotnet" "$dotnet_root/host" "$mnt/usr/share/dotnet/"
  cp -a "$dotnet_root/shared/Microsoft.NETCore.App" "$dotnet_root/shared/Microsoft.AspNetCore.App" "$mnt/usr/share/dotnet/shared/"
  ln -sf /usr/share/dotnet/dotnet "$mnt/usr/bin/dotnet"
  # The official images' unprivileged user.
  grep -q '^app:' "$mnt/etc/group" || echo 'app:x:1654:' >>"$mnt/etc/group"
  grep -q '^app:' "$mnt/etc/passwd" || echo 'app:x:1654:1654::/home/app:/usr/sbin/nologin' >>"$mnt/etc/passwd"
  mkdir -p "$mnt/home/app" && chown 1654:1654 "$mnt/home/app"
  buildah umount "$ctr" >/dev/null
  buildah config --env DOTNET_RUNNING_IN_CONTAINER=true --env APP_UID=1654 --env ASPNETCORE_HTTP_PORTS=8080 \
    --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$ctr"
  buildah commit -q --rm "$ctr" "$runtime_base" >/dev/null

  echo "build-images: $sdk_base (+ the .NET SDK)"
  ctr=$(buildah from --isolation chroot --pull=false "$runtime_base")
  mnt=$(buildah mount "$ctr")
  cp -a "$dotnet_root/." "$mnt/usr/share/dotnet/"
  buildah umount "$ctr" >/dev/null
  buildah config --env DOTNET_CLI_TELEMETRY_OPTOUT=1 --env DOTNET_NOLOGO=1 \
    --env NUGET_CERT_REVOCATION_MODE=offline "$ctr"
  buildah commit -q --rm "$ctr" "$sdk_base" >/dev/null
}

build_bases
version=$(awk -F'"' '/^appVersion:/ {print $2}' charts/flagger-bridge/Chart.yaml)
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
created=$(date -u +%Y-%m-%dT%H:%M:%SZ)
# The build stage restores from this machine's NuGet package folder (no registry inside the build).
packages=${NUGET_PACKAGES:-$HOME/.nuget/packages}
mkdir -p "$packages"

for service in "${services[@]}"; do
  [ -n "${project[$service]:-}" ] || { echo "build-images: unknown service $service" >&2; exit 2; }
  if [ ! -f "${project[$service]}" ]; then
    echo "build-images: skipped $service: ${project[$service]} is not in this checkout"
    continue
  fi
  start=$(date +%s)
  buildah build --isolation chroot --pull=false --layers=false \
    --build-arg SDK_IMAGE="$sdk_base" --build-arg RUNTIME_IMAGE="$runtime_base" \
    --build-arg PUBLISH_ARGS=-p:NuGetAudit=false --build-arg TARGETARCH="$(buildah info --format "{{.host.arch}}")" \
    --build-arg VERSION="$version" --build-arg REVISION="$revision" --build-arg CREATED="$created" \
    --volume "$packages:/root/.nuget/packages" \
    -f "deploy/containers/$service.Containerfile" -t "$prefix/$service:$tag" . >"$work/$service.log" 2>&1 \
    || { tail -n 30 "$work/$service.log" >&2; echo "build-images: $service failed; log: $work/$service.log" >&2; exit 1; }
  echo "build-images: built $prefix/$service:$tag in $(( $(date +%s) - start )) s"
done
