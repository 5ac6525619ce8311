//! Micro-benchmarks of credential matching: reading docker-config registry keys
//! (`CredentialKey::parse`) and deciding, the way the kubelet's keyring does, whether any key gives
//! credentials for an image (`registry::keys_cover`), which the pull-secret rules ask once per
//! container and secret set. And of credential masking (`redact::for_display`), which a file pays
//! once when its first snippet is shown (human and SARIF output), beside `yaml::load` of the same
//! text for scale: streams of 100 Deployments with no hint of a credential, the same with
//! `imagePullSecrets` and an environment variable from a `secretKeyRef` (references, not
//! credentials: the quick scan only), the same with a `DB_PASSWORD` environment variable (loaded,
//! walked and masked), and 100 docker-registry Secrets (loaded, walked and masked).
//!
//! Keys cover the kubelet's cases: host globs per DNS label, ports, path prefixes, URL forms
//! (`https://…/v1/`) and Docker Hub's `index.docker.io` fallback. Images are normalised (registry
//! and path) once, outside the timed loop, as the rules do before matching. `main` checks first
//! that the images meant to be covered are, and the others are not.
//!
//!     cargo bench --bench credentials

use divan::counter::ItemsCount;
use divan::{AllocProfiler, Bencher, black_box};
use pullcheck::image::ImageRef;
use pullcheck::registry::{CredentialKey, keys_cover};
use pullcheck::{redact, yaml};

#[global_allocator]
static ALLOC: AllocProfiler = AllocProfiler::system();

/// A typical pod's pull secret: Docker Hub and one organisation on GitHub's registry.
const PULL_SECRET: &[&str] = &["https://index.docker.io/v1/", "ghcr.io/kubeflow"];

/// A large merged keyring: several secrets and a node's credential-provider globs.
const KEYRING: &[&str] = &[
    "*.dkr.ecr.*.amazonaws.com",
    "*-docker.pkg.dev",
    "*.gcr.io",
    "gcr.io/google-samples",
    "registry.internal.example:5443",
    "localhost:5000/team",
    "10.0.0.12:5000",
    "https://quay.io/v2/brancz",
    "quay.io/oauth2-proxy",
    "registry.k8s.io/ingress-nginx",
    "public.ecr.aws/aws-containers/",
    "nvcr.io/nvidia",
    "http://ghcr.io/kubeflow/",
    "docker.io/grafana",
    "index.docker.io",
];

/// Images the keyring covers, Docker Hub ones through the `index.docker.io` fallback.
const COVERED: &[&str] = &[
    "nginx:alpine",
    "library/busybox:1.37.0",
    "docker.io/library/postgres:15",
    "index.docker.io/prom/prometheus:v2.19.0",
    "docker.io/grafana/loki:3.6.7",
    "123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments/api:2.4.1",
    "us-central1-docker.pkg.dev/online-boutique-ci/microservices-demo/currencyservice:v0.10.6",
    "eu.gcr.io/acme-prod/billing:1.2.0",
    "us-docker.pkg.dev/google-samples/containers/gke/hello-app-cloud-spanner",
    "gcr.io/google-samples/microservices-demo/adservice:v0.4.1",
    "registry.internal.example:5443/platform/ingress/controller:v1.11.2",
    "localhost:5000/team/app:1.0",
    "10.0.0.12:5000/mirror/library/redis:7.2",
    "quay.io/brancz/kube-rbac-proxy:v0.18.0",
    "quay.io/oauth2-proxy/oauth2-proxy:v7.14.3",
    "registry.k8s.io/ingress-nginx/controller:v1.15.1",
    "public.ecr.aws/aws-containers/retail-store-sample-ui:1.2.1",
    "nvcr.io/nvidia/vllm:26.02-py3",
    "ghcr.io/kubeflow/spark-operator/controller:2.5.0",
];

/// Images on registries no key names (or on the right host with the wrong port or path): every
/// key is tried.
const UNCOVERED: &[&str] = &[
    "gcr.io/knative-releases/knative.dev/eventing/cmd/controller:v1.14.0",
    "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.19.1",
    "registry.internal.example/platform/ingress/controller:v1.11.2",
    "localhost:5000/other/app:1.0",
    "ghcr.io/azure-samples/aks-store-demo/makeline-service:2.2.0",
    "quay.io/coreos/flannel:v0.9.1-amd64",
    "public.ecr.aws/nginx/nginx:1.26",
    "registry.istio.io/release/proxyv2:1.20.0-dev1",
    "mcr.microsoft.com/azure-cli:2.61.0",
    "123456789012.dkr.ecr.eu-west-1.amazonaws.com.cn/payments/api:2.4.1",
];

fn keys(written: &[&str]) -> Vec<CredentialKey> {
    written
        .iter()
        .map(|key| CredentialKey::parse(key).unwrap_or_else(|| panic!("key {key} does not parse")))
        .collect()
}

/// (normalised registry, normalised path) of each image, as `keys_cover` takes them.
fn normalized(images: &[&str]) -> Vec<(String, String)> {
    images
        .iter()
        .map(|image| {
            let parsed = ImageRef::parse(image).unwrap();
            (
                parsed.normalized_registry().to_owned(),
                parsed.normalized_path().into_owned(),
            )
        })
        .collect()
}

fn key_set(name: &str) -> &'static [&'static str] {
    match name {
        "pull_secret" => PULL_SECRET,
        "keyring" => KEYRING,
        _ => unreachable!("{name}"),
    }
}

fn main() {
    let keyring = keys(KEYRING);
    for (registry, path) in normalized(COVERED) {
        assert!(
            keys_cover(&keyring, &registry, &path),
            "{registry}/{path} should be covered"
        );
    }
    for (registry, path) in normalized(UNCOVERED) {
        assert!(
            !keys_cover(&keyring, &registry, &path),
            "{registry}/{path} should not be covered"
        );
    }
    // The shapes take the paths they are meant to: the scan only, or a load that masks.
    assert!(!redact::may_hold_credentials(&stream("plain")));
    assert!(!redact::may_hold_credentials(&stream("pull_secrets")));
    assert!(
        !redact::for_display(&stream("credential_env"))
            .unwrap()
            .contains("hunter2")
    );
    assert!(!redact::for_display(&stream("secrets")).unwrap().contains("eyJ"));
    divan::main();
}

/// `CredentialKey::parse` over every key of the set.
#[divan::bench(args = ["pull_secret", "keyring"], min_time = 0.5)]
fn parse_keys(bencher: Bencher, name: &str) {
    let written = key_set(name);
    bencher.counter(ItemsCount::new(written.len())).bench(|| {
        for key in black_box(written) {
            black_box(CredentialKey::parse(key));
        }
    });
}

/// `keys_cover` for every image of a realistic mix (covered and not) against the key set.
#[divan::bench(args = ["pull_secret", "keyring"], min_time = 0.5)]
fn keys_cover_mixed(bencher: Bencher, name: &str) {
    let keys = keys(key_set(name));
    let images: Vec<(String, String)> = normalized(COVERED).into_iter().chain(normalized(UNCOVERED)).collect();
    bencher.counter(ItemsCount::new(images.len())).bench(|| {
        for (registry, path) in black_box(&images) {
            black_box(keys_cover(&keys, registry, path));
        }
    });
}

/// The worst case: no key matches, so all of the keyring's keys are tried for every image.
#[divan::bench(min_time = 0.5)]
fn keys_cover_miss(bencher: Bencher) {
    let keys = keys(KEYRING);
    let images = normalized(UNCOVERED);
    bencher.counter(ItemsCount::new(images.len())).bench(|| {
        for (registry, path) in black_box(&images) {
            black_box(keys_cover(&keys, registry, path));
        }
    });
}

/// A stream of 100 documents of one shape (see the module doc).
fn stream(shape: &str) -> String {
    (0..100)
        .map(|i| match shape {
            "plain" => format!(
                "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\n  labels: {{app: app-{i}, tier: web}}\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {{app: app-{i}}}\n  template:\n    metadata:\n      labels: {{app: app-{i}}}\n    spec:\n      containers:\n        - name: web\n          image: registry.example.com/team/web:1.{i}.0\n          ports: [{{containerPort: 8080}}]\n          env:\n            - name: LOG_LEVEL\n              value: info\n          resources: {{limits: {{cpu: 500m, memory: 256Mi}}}}\n"
            ),
            "pull_secrets" => format!(
                "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\n  labels: {{app: app-{i}, tier: web}}\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {{app: app-{i}}}\n  template:\n    metadata:\n      labels: {{app: app-{i}}}\n    spec:\n      imagePullSecrets: [{{name: registry-pull}}]\n      containers:\n        - name: web\n          image: registry.example.com/team/web:1.{i}.0\n          ports: [{{containerPort: 8080}}]\n          env:\n            - name: DB_URL\n              valueFrom: {{secretKeyRef: {{name: db, key: url}}}}\n          resources: {{limits: {{cpu: 500m, memory: 256Mi}}}}\n"
            ),
            "credential_env" => format!(
                "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\n  labels: {{app: app-{i}, tier: web}}\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {{app: app-{i}}}\n  template:\n    metadata:\n      labels: {{app: app-{i}}}\n    spec:\n      imagePullSecrets: [{{name: registry-pull}}]\n      containers:\n        - name: web\n          image: registry.example.com/team/web:1.{i}.0\n          ports: [{{containerPort: 8080}}]\n          env:\n            - name: DB_PASSWORD\n              value: hunter2\n          resources: {{limits: {{cpu: 500m, memory: 256Mi}}}}\n"
            ),
            "secrets" => format!(
                "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: pull-{i}\n  namespace: apps\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: eyJhdXRocyI6eyJyZWdpc3RyeS5leGFtcGxlLmNvbSI6eyJ1c2VybmFtZSI6InUiLCJwYXNzd29yZCI6InAiLCJhdXRoIjoiZFRwdyJ9fX0=\n"
            ),
            _ => unreachable!("{shape}"),
        })
        .collect()
}

/// `redact::for_display` of a 100-document stream.
#[divan::bench(args = ["plain", "pull_secrets", "credential_env", "secrets"], min_time = 0.5)]
fn mask(bencher: Bencher, shape: &str) {
    let text = stream(shape);
    bencher
        .counter(divan::counter::BytesCount::of_str(&text))
        .bench(|| black_box(redact::for_display(black_box(&text))));
}

/// `yaml::load` of the same stream: what one more load of the file costs.
#[divan::bench(args = ["plain", "pull_secrets", "credential_env", "secrets"], min_time = 0.5)]
fn load(bencher: Bencher, shape: &str) {
    let text = stream(shape);
    bencher
        .counter(divan::counter::BytesCount::of_str(&text))
        .bench(|| black_box(yaml::load(black_box(&text)).documents().count()));
}
