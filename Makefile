# ZoneKeeper. `make help` lists the targets.

SHELL := /usr/bin/env bash -o pipefail
.SHELLFLAGS := -ec
.DEFAULT_GOAL := help

BIN            ?= $(CURDIR)/bin
CONTROLPLANE   ?= $(BIN)/controlplane
CONTROLLER_GEN ?= $(BIN)/controller-gen
GOLANGCI_LINT  ?= $(BIN)/golangci-lint
HELM           ?= $(BIN)/helm

CONTROLLER_TOOLS_VERSION ?= v0.23.0
GOLANGCI_LINT_VERSION    ?= v2.6.2

GO_PACKAGES   ?= ./...
GO_TEST_FLAGS ?= -count=1 -timeout 20m

# DEMO_EXIT=1 makes `make demo` exit by itself after printing (non-zero if anything failed).
DEMO_EXIT ?=

##@ General

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*##"; printf "Usage: make \033[36m<target>\033[0m\n"} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) } ' $(MAKEFILE_LIST)

##@ Development

.PHONY: manifests
manifests: $(CONTROLLER_GEN) ## Generate CRDs, RBAC and webhook configuration from the Go markers.
	$(CONTROLLER_GEN) crd paths=./api/... output:crd:artifacts:config=config/crd/bases
	$(CONTROLLER_GEN) rbac:roleName=manager-role paths=./controllers/... output:rbac:artifacts:config=config/rbac
	$(CONTROLLER_GEN) rbac:roleName=webhook-role paths=./internal/webhookserver/... output:rbac:artifacts:config=config/webhook-server
	$(CONTROLLER_GEN) webhook paths=./internal/admission/... output:webhook:artifacts:config=config/webhook
	@# The Helm chart installs the same CRDs and takes its RBAC rules and webhooks from the generated files.
	rm -f charts/zonekeeper/crds/*.yaml && cp config/crd/bases/*.yaml charts/zonekeeper/crds/
	cp config/rbac/role.yaml charts/zonekeeper/files/manager-role.yaml
	cp config/webhook-server/role.yaml charts/zonekeeper/files/webhook-role.yaml
	cp config/webhook/manifests.yaml charts/zonekeeper/files/webhooks.yaml

.PHONY: generate
generate: $(CONTROLLER_GEN) ## Generate DeepCopy methods.
	$(CONTROLLER_GEN) object:headerFile=hack/boilerplate.go.txt paths=./api/...

.PHONY: fmt
fmt: ## Run gofmt on the code.
	gofmt -s -w $$(git ls-files '*.go'; git ls-files --others --exclude-standard '*.go')

.PHONY: vet
vet: ## Run go vet.
	go vet $(GO_PACKAGES)

.PHONY: lint
lint: $(GOLANGCI_LINT) ## Run golangci-lint.
	$(GOLANGCI_LINT) run $(GO_PACKAGES)

.PHONY: verify
verify: manifests generate ## Fail when generated files are stale or code is unformatted.
	@out=$$(gofmt -s -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "unformatted (run make fmt):"; echo "$$out"; exit 1; fi
	@if [ -n "$$(git status --porcelain -- api config charts)" ]; then echo "generated files are stale (run make manifests generate and commit):"; git status --porcelain -- api config charts; git diff --stat -- api config charts; exit 1; fi
	go vet $(GO_PACKAGES)

.PHONY: test
test: manifests generate vet controlplane moto helm ## Run unit, Rego and envtest integration tests against a real kube-apiserver.
	KUBEBUILDER_ASSETS=$(CONTROLPLANE) go test $(GO_TEST_FLAGS) $(GO_PACKAGES)

##@ Build and run

.PHONY: build
build: generate ## Build bin/zonekeeper and bin/zonekeeper-webhook.
	go build -o $(BIN)/zonekeeper .
	go build -o $(BIN)/zonekeeper-webhook ./cmd/zonekeeper-webhook

IMAGE_REPO ?= ghcr.io/zonekeeper
IMAGE_TAG  ?= $(shell awk '/^appVersion:/ {gsub(/"/, "", $$2); print $$2}' charts/zonekeeper/Chart.yaml)

.PHONY: image
image: generate ## Build the manager and webhook images as OCI layout tars in bin/images (no Docker needed).
	CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags "-s -w" -o $(BIN)/linux/zonekeeper .
	CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags "-s -w" -o $(BIN)/linux/zonekeeper-webhook ./cmd/zonekeeper-webhook
	go run ./hack/image -binary $(BIN)/linux/zonekeeper -name zonekeeper -version $(IMAGE_TAG) \
		-tag $(IMAGE_REPO)/zonekeeper:$(IMAGE_TAG) -out $(BIN)/images/zonekeeper.tar
	go run ./hack/image -binary $(BIN)/linux/zonekeeper-webhook -name zonekeeper-webhook -version $(IMAGE_TAG) \
		-tag $(IMAGE_REPO)/zonekeeper-webhook:$(IMAGE_TAG) -out $(BIN)/images/zonekeeper-webhook.tar

.PHONY: run
run: manifests generate ## Run the manager against the cluster in $KUBECONFIG.
	go run . manager

.PHONY: demo
demo: manifests build controlplane moto ## Start a local control plane, run the webhook and the manager, apply config/samples and show their status (Ctrl-C stops).
	go build -o $(BIN)/zonekeeper-demo ./hack/demo
	KUBEBUILDER_ASSETS=$(CONTROLPLANE) DEMO_EXIT=$(DEMO_EXIT) $(BIN)/zonekeeper-demo \
		--zonekeeper $(BIN)/zonekeeper --webhook-binary $(BIN)/zonekeeper-webhook \
		--crds config/crd/bases --webhooks config/webhook \
		--samples config/samples --refused hack/demo/refused --workdir $(BIN)/demo

##@ Tools

.PHONY: moto
moto: .venv/bin/moto_server ## Install moto, the AWS emulator the tests and the demo run against, into .venv.

.venv/bin/moto_server:
	python3 -m venv .venv
	.venv/bin/pip install --quiet --disable-pip-version-check 'moto[server]'

.PHONY: helm
helm: ## Build helm from the Go module proxy into bin/helm (cached), for the chart's tests.
	@hack/helm.sh $(BIN) >/dev/null

.PHONY: controlplane
controlplane: ## Build kube-apiserver and etcd from the Go module proxy into bin/controlplane (cached).
	@hack/controlplane.sh $(CONTROLPLANE) >/dev/null

$(CONTROLLER_GEN):
	GOBIN=$(BIN) go install sigs.k8s.io/controller-tools/cmd/controller-gen@$(CONTROLLER_TOOLS_VERSION)

$(GOLANGCI_LINT):
	GOBIN=$(BIN) go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
