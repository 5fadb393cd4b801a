# Multi-stage build: the SDK image builds and publishes; the smaller ASP.NET runtime image runs it.
# Both .NET 10 images are Ubuntu 24.04, whose libstdc++ already has GLIBCXX_3.4.32, so the Debian 12
# TorchSharp patch in build/ finds nothing to do here.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Build.targets Directory.Packages.props Exporter.sln ./
COPY build/ build/
COPY proto/ proto/
COPY src/ src/
RUN dotnet publish src/Sidecar/Sidecar.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# The image's non-root 'app' user owns the data directory.
RUN mkdir -p /data && chown app:app /data
USER app
VOLUME ["/data"]
EXPOSE 9201
# The runtime image has no curl; bash's /dev/tcp is enough for a liveness probe.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9201 && printf 'GET /-/healthy HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q ' 200 ' <&3"]
ENTRYPOINT ["dotnet", "prometheus-forecast-sidecar.dll", "--storage.path=/data"]
