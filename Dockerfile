# The node image: totemd (the node) and totemctl (the operator's CLI) on the ASP.NET runtime.
#   docker build -t totem-lab/node .        (docker-compose.yml builds and tags it the same way)
# Both base images are the official ones. On a machine that reaches no registry,
# lab/docker-setup.sh makes local images under these names, so this file builds unchanged.

# --- 1. restore: only the project files, so the package layer survives source edits ----------
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS projects
WORKDIR /src
COPY src/ src/
RUN find src -type f ! -name '*.csproj' -delete && find src -type d -empty -delete

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
# clang: ILCompiler compiles and links totemctl NativeAOT with it (Debian's clang; its own layer, so
# a source edit does not install it again).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends clang \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props ./
COPY --from=projects /src/src/ src/
# Restored for linux-x64 with ReadyToRun (totemd) and NativeAOT (totemctl): that brings the crossgen2,
# ILCompiler and runtime packs from the package feed into this cached layer too.
RUN dotnet restore src/Host/Totemd/Totemd.csproj -r linux-x64 -p:PublishReadyToRun=true -p:TotemdNative=false \
 && dotnet restore src/Host/Totemctl/Totemctl.csproj -r linux-x64 -p:PublishAot=true \
 && dotnet restore src/Host/Dashboard/Dashboard.csproj

# --- 2. publish both programs into one folder -------------------------------------------------
# totemd ReadyToRun, framework-dependent (precompiled: a node is up without waiting for the JIT).
# TotemdNative=false: the image's totemd stays ReadyToRun although this stage has clang (the local
# ring and ringbench run it NativeAOT; see Totemd.csproj).
# totemctl NativeAOT: one native program, no runtime to load, so the compose health check
# (`totemctl quorum --check` every few seconds in every node) costs milliseconds, not a .NET start
# (lab/README.md, section 9, has the figures). It is self-contained, so it leaves totemd's
# ReadyToRun libraries in /out as they are.
COPY src/ src/
RUN dotnet publish src/Host/Totemd/Totemd.csproj -c Release -r linux-x64 --self-contained false --no-restore \
      -p:PublishReadyToRun=true -p:TotemdNative=false -p:SatelliteResourceLanguages=en -o /out \
 && dotnet publish src/Host/Totemctl/Totemctl.csproj -c Release -r linux-x64 --no-restore \
      -p:PublishAot=true -o /out \
 && dotnet publish src/Host/Dashboard/Dashboard.csproj -c Release --no-restore -p:SatelliteResourceLanguages=en -o /out/dashboard

# --- 3. the runtime image -------------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS node
# ip and tc (iproute2) and iptables, for fault injection from inside the node
# (`docker compose exec node tc qdisc ...`); cap_add NET_ADMIN in the compose file lets them act.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends iproute2 iptables \
 && rm -rf /var/lib/apt/lists/*
# Names come from the network's DNS before /etc/hosts: a replica's reverse lookup of its own
# address then gives its compose name (PROJECT-node-N, PROJECT_node_N with v1), whose N is its
# node id, instead of the container id that Docker's /etc/hosts maps the address to.
RUN sed -i 's/^hosts:.*/hosts: dns files/' /etc/nsswitch.conf
# The base image's ASPNETCORE_HTTP_PORTS=8080 would only draw a warning: totemd binds the control
# API where its config says (control { bind }).
ENV ASPNETCORE_HTTP_PORTS=
# The ring seq survives a fenced node's restart (same container) as corosync's /var/lib/corosync/ringid_N does.
ENV TOTEM_STATE_DIR=/var/lib/totem
COPY --from=build /out/ /opt/totem/
COPY hocon/ /etc/totem/
RUN ln -s /opt/totem/totemd /usr/local/bin/totemd \
 && ln -s /opt/totem/totemctl /usr/local/bin/totemctl
# Totem (UDP) and the control API (HTTP).
EXPOSE 5405/udp 7405/tcp 7406/tcp 8405/tcp
# compose.conf: the cluster (corosync.conf style); totemd.conf: the daemon's own settings (HOCON).
ENTRYPOINT ["totemd", "--config", "/etc/totem/compose.conf", "--akka-config", "/etc/totem/totemd.conf"]
