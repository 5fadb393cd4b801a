# Multi-stage build: the SDK image builds and publishes; the smaller ASP.NET runtime image runs it.
#   docker build -t forecast-sidecar .
#   docker run -p 9201:9201 -v forecast-data:/data forecast-sidecar --config.file=/etc/forecast-sidecar/sidecar.yml
#
# Both stages name the distro (-noble, Ubuntu 24.04) instead of relying on the default tag: TorchSharp's
# libLibTorchSharp.so needs GLIBCXX_3.4.32 (GCC 13), which noble's libstdc++ (GCC 14) provides, so the
# Debian 12 patch in build/ finds nothing to do here. A moving default tag could change the distro under us.
# linux/amd64 only: TorchSharp-cpu ships libtorch for linux-x64 and nothing for arm64, so an arm64 image
# would build and then fail to load the model library. On Apple silicon this runs under emulation.
FROM --platform=linux/amd64 mcr.microsoft.com/dotnet/sdk:10.0-noble AS build
WORKDIR /src
# Restore in its own layer, from the project files only: the packages (libtorch is most of the image)
# are then downloaded again only when a project file or a package version changes, not on every edit.
COPY global.json Directory.Build.props Directory.Build.targets Directory.Packages.props ./
COPY build/ build/
COPY src/Sidecar/Sidecar.csproj src/Sidecar/
RUN dotnet restore src/Sidecar/Sidecar.csproj
COPY proto/ proto/
COPY src/ src/
RUN dotnet publish src/Sidecar/Sidecar.csproj -c Release --no-restore -o /app

FROM --platform=linux/amd64 mcr.microsoft.com/dotnet/aspnet:10.0-noble AS runtime
WORKDIR /app
COPY --from=build /app ./
# 1654 is the image's non-root 'app' user ($APP_UID). It is named by number so that Kubernetes'
# runAsNonRoot can verify it without a runAsUser (deploy/kubernetes uses the same number).
RUN mkdir -p /data && chown 1654:1654 /data
USER 1654
# --storage.path: the store's snapshot, saved models and streaming states. A volume, so they outlive
# the container; mount a named volume or a persistent volume here.
VOLUME ["/data"]
EXPOSE 9201
# The runtime image has no curl; bash's /dev/tcp is enough for a liveness probe of the plain-HTTP
# listener. (With TLS enabled through the optional --web.config.file, probe from outside instead.)
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9201 && printf 'GET /-/healthy HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q ' 200 ' <&3"]
# Flags given to `docker run` (or compose's command, Kubernetes' args) are appended; a flag given
# twice takes its last value, so --storage.path can still be overridden.
ENTRYPOINT ["dotnet", "prometheus-forecast-sidecar.dll", "--storage.path=/data"]
