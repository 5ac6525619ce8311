//! Micro-benchmarks of the image reference parser (`ImageRef::parse`), the first thing every
//! image rule does with every container.
//!
//! The references are taken from `../shared/corpus` (`grep -rhoE 'image: *\S+'`), grouped by
//! shape; the corpus has no registry with a port, so that group's first entries are written for
//! this benchmark. Each benchmark parses one whole group per iteration, and divan reports the
//! time per reference beside it (items/s). `main` first checks that every group parses (or fails)
//! the way its name says, so `cargo test --benches` catches a list gone stale.
//!
//!     cargo bench --bench image_ref

use divan::counter::ItemsCount;
use divan::{AllocProfiler, Bencher, black_box};
use pullcheck::image::ImageRef;

#[global_allocator]
static ALLOC: AllocProfiler = AllocProfiler::system();

/// One-component or `namespace/name` Docker Hub references, tag or no tag.
const DOCKER_HUB_SHORT: &[&str] = &[
    "nginx:alpine",
    "busybox:1.37.0",
    "postgres:15",
    "mysql:8.4",
    "httpd:2.4.46",
    "kibana:5",
    "crd-image",
    "rabbitmq:4.3.2-management-alpine",
    "google/cloud-sdk:slim",
    "cockroachdb/cockroach:v1.1.0",
    "prom/prometheus:v2.19.0",
    "osixia/openldap:1.1.11",
    "vitess/lite:v2.0.0-alpha5",
    "mysql/mysql-router:8.0.27",
];

/// Full references with a registry host, some with a port, some with deep paths.
const REGISTRY_PATHS: &[&str] = &[
    "localhost:5000/team/app:1.0",
    "registry.internal.example:5443/platform/ingress/controller:v1.11.2",
    "10.0.0.12:5000/mirror/library/redis:7.2",
    "docker.io/grafana/loki:3.6.7",
    "gcr.io/google-samples/microservices-demo/adservice:v0.4.1",
    "ghcr.io/kubeflow/spark-operator/controller:2.5.0",
    "ghcr.io/kubeflow/kubeflow/notebook-controller",
    "public.ecr.aws/aws-containers/retail-store-sample-ui:1.2.1",
    "quay.io/oauth2-proxy/oauth2-proxy:v7.14.3",
    "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.19.1",
    "nvcr.io/nvidia/vllm:26.02-py3",
    "us-central1-docker.pkg.dev/online-boutique-ci/microservices-demo/currencyservice:v0.10.6",
    "us-docker.pkg.dev/deeplearning-platform-release/gcr.io/huggingface-text-generation-inference-cu124.2-3.ubuntu2204.py311",
];

/// Pinned by digest, with or without a tag beside it.
const DIGESTS: &[&str] = &[
    "busybox:1.38.0@sha256:fd8d9aa63ba2f0982b5304e1ee8d3b90a210bc1ffb5314d980eb6962f1a9715d",
    "envoyproxy/envoy:v1.24.0@sha256:9ae6b26d14ce92f67cd500cb3e5a89aa3351e013140f8b06c36619d929687ce0",
    "gke.gcr.io/pause:3.8@sha256:880e63f94b145e46f1b1082bb71b85e21f16b99b180b9996407d61240ceb9830",
    "otel/opentelemetry-collector-contrib:0.157.0@sha256:f2f01157055a9b2aab9df7118e1f1c9abf345e99b23bc7a2bc791db374a7d0f6",
    "registry.k8s.io/ingress-nginx/controller:v1.15.1@sha256:594ceea76b01c592858f803f9ff4d2cb40542cae2060410b2c95f75907d659e1",
    "gcr.io/knative-releases/knative.dev/eventing/cmd/in_memory/channel_dispatcher@sha256:77340f4be4cd33d920538c490e9d1ff9052702da23ce019ca2c15bb4c0e1532b",
    "gcr.io/knative-releases/knative.dev/eventing/cmd/mtping@sha256:dbb8b1374f3871fe6637869107f803e1f6b62c50c484bb79eaf089b836415353",
];

/// Template placeholders and upper-case names left in manifests, a bad digest: the error paths.
const INVALID: &[&str] = &[
    "${EXTENSION_IMAGE:-us-central1-docker.pkg.dev/k8s-staging-images/gateway-api-inference-extension/epp:main}",
    "$LOCATION-docker.pkg.dev/$GCLOUD_PROJECT/hello-repo/helloworld-gke:latest",
    "YOUR_OCI_REGION_CODE.ocir.io/YOUR_TENANCY_NAME/weblogic-operator-tutorial:latest",
    "us-central1-docker.pkg.dev/<PROJECT_ID>/adk-repo/adk-agent:latest",
    "REGION-docker.pkg.dev/PROJECT_ID/REPOSITORY_NAME/home-app:v1",
    "<OIRI_DING_IMAGE>:<OIRIDING_VER>",
    "CONTAINER_IMAGE",
    // A digest one hex digit short (written for this benchmark: a copy-paste slip).
    "gcr.io/knative-releases/knative.dev/eventing/cmd/mtping@sha256:dbb8b1374f3871fe6637869107f803e1f6b62c50c484bb79eaf089b83641535",
];

const GROUPS: &[(&str, &[&str])] = &[
    ("docker_hub_short", DOCKER_HUB_SHORT),
    ("registry_paths", REGISTRY_PATHS),
    ("digests", DIGESTS),
    ("invalid", INVALID),
];

fn group(name: &str) -> &'static [&'static str] {
    GROUPS.iter().find(|(n, _)| *n == name).map(|(_, refs)| *refs).unwrap()
}

fn main() {
    for (name, refs) in GROUPS {
        for reference in *refs {
            let parsed = ImageRef::parse(reference);
            assert_eq!(parsed.is_err(), *name == "invalid", "{name}: {reference}: {parsed:?}");
        }
    }
    divan::main();
}

/// `ImageRef::parse` alone: ranges into the input, no allocation on success.
#[divan::bench(args = ["docker_hub_short", "registry_paths", "digests", "invalid"], min_time = 0.5)]
fn parse(bencher: Bencher, name: &str) {
    let refs = group(name);
    bencher.counter(ItemsCount::new(refs.len())).bench(|| {
        for reference in black_box(refs) {
            let _ = black_box(ImageRef::parse(reference));
        }
    });
}

/// Parse and normalise (`docker.io`, `library/`), as the registry rules do before matching.
#[divan::bench(args = ["docker_hub_short", "registry_paths", "digests"], min_time = 0.5)]
fn parse_and_normalize(bencher: Bencher, name: &str) {
    let refs = group(name);
    bencher.counter(ItemsCount::new(refs.len())).bench(|| {
        for reference in black_box(refs) {
            let parsed = ImageRef::parse(reference).unwrap();
            black_box((parsed.normalized_registry(), parsed.normalized_path()));
        }
    });
}
