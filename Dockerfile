# helmcycle reconcile in a container: the packed helmcycle, helm and git, running as a non-root user.
# Build: docker build -t helmcycle . (HELM_VERSION/HELM_SHA256 pin the helm binary: bump both together).
FROM node:22-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY scripts ./scripts
RUN npm ci --ignore-scripts
COPY . .
RUN npm run build && npm pack --pack-destination /out

FROM node:22-bookworm-slim AS helm
ARG HELM_VERSION=v3.19.0
ARG HELM_SHA256=""
ARG TARGETARCH=amd64
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl && rm -rf /var/lib/apt/lists/* \
 && curl -fsSLo /tmp/helm.tgz "https://get.helm.sh/helm-${HELM_VERSION}-linux-${TARGETARCH}.tar.gz" \
 && if [ -n "$HELM_SHA256" ]; then echo "${HELM_SHA256}  /tmp/helm.tgz" | sha256sum -c -; fi \
 && tar -xzf /tmp/helm.tgz -C /tmp && mv "/tmp/linux-${TARGETARCH}/helm" /usr/local/bin/helm

FROM node:22-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends git ca-certificates openssh-client && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 10001 --create-home helmcycle
COPY --from=helm /usr/local/bin/helm /usr/local/bin/helm
COPY --from=build /out/*.tgz /tmp/helmcycle.tgz
RUN npm install --global --omit=dev /tmp/helmcycle.tgz && rm /tmp/helmcycle.tgz && npm cache clean --force
USER 10001
ENV HOME=/tmp HELMCYCLE_HELM=/usr/local/bin/helm
EXPOSE 8080
ENTRYPOINT ["helmcycle"]
CMD ["reconcile", "--help"]
