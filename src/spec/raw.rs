//! The spec's YAML shape, as written. Every value is `Spanned` so validation
//! can point at it; the doc comments are the JSON Schema's descriptions
//! (`gofront schema`), so they speak to the person writing the spec.

use std::collections::BTreeMap;
use std::fmt;

use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use serde_saphyr::Spanned;

/// A gofront spec: how to build and package a Go service. The first line of
/// the file is `# syntax=ourorg/gofront`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "gofront spec")]
pub struct RawSpec {
    /// Go version, quoted ("1.26"). Default: the go/toolchain line of go.mod (or go.work).
    #[schemars(with = "Option<String>")]
    pub go: Option<Spanned<String>>,
    /// The Go module's directory inside the build context, for monorepos
    /// (go.work at the context root, module in a subfolder). Default ".".
    #[schemars(with = "Option<String>")]
    pub dir: Option<Spanned<String>>,
    /// The main package, relative to `dir` (./cmd/server). Default ".".
    /// Use `binaries` instead for several.
    #[schemars(with = "Option<String>")]
    pub main: Option<Spanned<String>>,
    /// Several main packages in one image.
    #[schemars(with = "Option<Vec<RawBinary>>")]
    pub binaries: Option<Spanned<Vec<Spanned<RawBinary>>>>,
    /// The binary (by name) that is the image's entrypoint. Default: the first.
    #[schemars(with = "Option<String>")]
    pub entrypoint: Option<Spanned<String>>,
    /// Base of the final image: scratch, distroless, alpine, or an image reference.
    #[schemars(with = "Option<String>")]
    pub runtime: Option<Spanned<String>>,
    /// CGO_ENABLED. Default false (static binaries).
    #[schemars(with = "Option<bool>")]
    pub cgo: Option<Spanned<bool>>,
    /// Version injection: the build arg that carries it and the Go variable set with -X.
    #[schemars(with = "Option<RawVersion>")]
    pub version: Option<Spanned<RawVersion>>,
    /// Extra linker flags, one flag per item with its value
    /// ("-X main.commit={{.Commit}}"). Templates: {{.Version}}, {{.Commit}},
    /// {{.Source}}, {{.Date}}, {{.GOOS}}, {{.GOARCH}}, {{.Env.NAME}} (build arg NAME).
    #[schemars(with = "Option<Vec<String>>")]
    pub ldflags: Option<Vec<Spanned<String>>>,
    /// Build tags (-tags), for every binary and the tests.
    #[schemars(with = "Option<Vec<String>>")]
    pub tags: Option<Vec<Spanned<String>>>,
    /// Extra flags for go build and go test (-mod=vendor, -gcflags=…).
    #[schemars(with = "Option<Vec<String>>")]
    pub goflags: Option<Vec<Spanned<String>>>,
    /// GOEXPERIMENT values.
    #[schemars(with = "Option<Vec<String>>")]
    pub goexperiment: Option<Vec<Spanned<String>>>,
    /// go build -trimpath. Default true.
    #[schemars(with = "Option<bool>")]
    pub trimpath: Option<Spanned<bool>>,
    /// Strip symbols and DWARF (-ldflags=-s -w). Default true.
    #[schemars(with = "Option<bool>")]
    pub strip: Option<Spanned<bool>>,
    /// GOPROXY for the module download (a build arg GOPROXY wins).
    #[schemars(with = "Option<String>")]
    pub goproxy: Option<Spanned<Scalar>>,
    /// GOPRIVATE patterns (a build arg GOPRIVATE wins).
    #[schemars(with = "Option<String>")]
    pub goprivate: Option<Spanned<Scalar>>,
    /// GONOSUMDB patterns (a build arg GONOSUMDB wins).
    #[schemars(with = "Option<String>")]
    pub gonosumdb: Option<Spanned<Scalar>>,
    /// GOSUMDB (a build arg GOSUMDB wins).
    #[schemars(with = "Option<String>")]
    pub gosumdb: Option<Spanned<Scalar>>,
    /// Credentials for private modules, mounted only into the module download.
    #[schemars(with = "Option<RawPrivate>")]
    pub private: Option<Spanned<RawPrivate>>,
    /// Run go test before the image is produced (`--target test` runs only the tests).
    #[schemars(with = "Option<RawTest>")]
    pub test: Option<Spanned<RawTest>>,
    /// Files from the build context to put in the image.
    #[schemars(with = "Option<Vec<RawFile>>")]
    pub files: Option<Vec<Spanned<RawFile>>>,
    /// Embed the time zone database in the binaries (Go's timetzdata tag), so TZ works on any base.
    #[schemars(with = "Option<bool>")]
    pub tzdata: Option<Spanned<bool>>,
    /// Working directory of the container (absolute). A folder the base
    /// image has keeps its owner and mode; list it in `dirs` too to make it
    /// the service user's.
    #[schemars(with = "Option<String>")]
    pub workdir: Option<Spanned<String>>,
    /// Folders the service writes (state, a database, a cache), made in
    /// the image and owned by its user: "/var/lib/app" or
    /// { path: /var/lib/app, mode: "0700", owner: "65532:65532", volume: true }.
    #[schemars(with = "Option<Vec<RawDirSchema>>")]
    pub dirs: Option<Vec<Spanned<RawDir>>>,
    /// A web UI built with node (npm, yarn or pnpm) before go build, its
    /// output placed where the Go package embeds it (//go:embed).
    #[schemars(with = "Option<RawWeb>")]
    pub web: Option<Spanned<RawWeb>>,
    /// Run go generate over these packages before go build; generated files
    /// feed the compile and never reach the image.
    #[schemars(with = "Option<RawGenerate>")]
    pub generate: Option<Spanned<RawGenerate>>,
    /// Signal that stops the container (SIGTERM, SIGINT, 15 …).
    #[schemars(with = "Option<ScalarSchema>")]
    pub stop_signal: Option<Spanned<Scalar>>,
    /// Container health check, exec form (no shell needed).
    #[schemars(with = "Option<RawHealthcheck>")]
    pub healthcheck: Option<Spanned<RawHealthcheck>>,
    /// Compress the binaries with UPX (smaller image; slower start, more memory).
    #[schemars(with = "Option<bool>")]
    pub upx: Option<Spanned<bool>>,
    /// Run govulncheck after go build: warn (report reachable vulnerabilities)
    /// or fail (stop the build on one); off by default. Database: build arg GOVULNDB.
    #[schemars(with = "Option<String>")]
    pub vulncheck: Option<Spanned<String>>,
    /// Replace the images gofront uses, by role (builder, runtime, debug, tools, node)
    /// or by image name (golang:1.26-alpine), e.g. for a mirror.
    #[schemars(with = "Option<BTreeMap<String, String>>")]
    pub images: Option<BTreeMap<String, Spanned<String>>>,
    /// Exposed ports: 8080 or "53/udp".
    #[schemars(with = "Option<Vec<ScalarSchema>>")]
    pub ports: Option<Vec<Spanned<Scalar>>>,
    /// Runtime environment variables.
    #[schemars(with = "Option<BTreeMap<String, ScalarSchema>>")]
    pub env: Option<BTreeMap<String, Spanned<Scalar>>>,
    /// Arguments after the entrypoint (CMD).
    #[schemars(with = "Option<Vec<String>>")]
    pub args: Option<Vec<Spanned<String>>>,
    /// User the service runs as: uid:gid, uid or a name. Default 65532:65532.
    #[schemars(with = "Option<ScalarSchema>")]
    pub user: Option<Spanned<Scalar>>,
    /// Image labels.
    #[schemars(with = "Option<BTreeMap<String, ScalarSchema>>")]
    pub labels: Option<BTreeMap<String, Spanned<Scalar>>>,
    /// Platforms to build when the build names none (linux/amd64, linux/arm64 …).
    #[schemars(with = "Option<Vec<String>>")]
    pub platforms: Option<Vec<Spanned<String>>>,
}

/// One main package of `binaries`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawBinary {
    /// The main package, relative to `dir` (./cmd/migrate).
    #[schemars(with = "String")]
    pub main: Option<Spanned<String>>,
    /// The binary's file name. Default: the package directory's name.
    #[schemars(with = "Option<String>")]
    pub name: Option<Spanned<String>>,
    /// Linker flags for this binary only, added to the top-level ones.
    #[schemars(with = "Option<Vec<String>>")]
    pub ldflags: Option<Vec<Spanned<String>>>,
    /// Build tags for this binary only, added to the top-level ones.
    #[schemars(with = "Option<Vec<String>>")]
    pub tags: Option<Vec<Spanned<String>>>,
}

/// `version: { arg: VERSION, var: main.version, default: dev }`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawVersion {
    /// The build arg that carries the version (--build-arg VERSION=1.2.3).
    #[schemars(with = "String")]
    pub arg: Option<Spanned<String>>,
    /// The Go variable set with -X, as importpath.name (main.version).
    #[schemars(with = "String")]
    pub var: Option<Spanned<String>>,
    /// The version when the build arg is not given. Default "dev".
    #[schemars(with = "Option<ScalarSchema>")]
    pub default: Option<Spanned<Scalar>>,
}

/// Private module credentials. Each is mounted only into `go mod download`,
/// never into a layer.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPrivate {
    /// Mount the build secret `netrc` (--secret id=netrc,src=$HOME/.netrc) as ~/.netrc.
    #[schemars(with = "Option<bool>")]
    pub netrc: Option<Spanned<bool>>,
    /// Forward the SSH agent (--ssh default) and fetch the GOPRIVATE hosts' git repositories over ssh.
    #[schemars(with = "Option<bool>")]
    pub ssh: Option<Spanned<bool>>,
    /// known_hosts lines for the ssh hosts ("git.example.com ssh-ed25519 AAAA…").
    #[schemars(with = "Option<Vec<String>>")]
    pub known_hosts: Option<Vec<Spanned<String>>>,
}

/// `test: { packages: [./...], flags: [-race] }`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTest {
    /// Packages to test, relative to `dir`. Default ["./..."].
    #[schemars(with = "Option<Vec<String>>")]
    pub packages: Option<Vec<Spanned<String>>>,
    /// go test flags (-race, -count=1, -run=…, -short).
    #[schemars(with = "Option<Vec<String>>")]
    pub flags: Option<Vec<Spanned<String>>>,
}

/// A file or directory from the build context, put in the image.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFile {
    /// Path in the build context (relative to its root).
    #[schemars(with = "String")]
    pub src: Option<Spanned<String>>,
    /// Absolute path in the image.
    #[schemars(with = "String")]
    pub dst: Option<Spanned<String>>,
    /// Octal mode as a string ("0644"). Default: the context's.
    #[schemars(with = "Option<String>")]
    pub mode: Option<Spanned<Scalar>>,
    /// Numeric owner "uid:gid". Default "0:0".
    #[schemars(with = "Option<String>")]
    pub owner: Option<Spanned<Scalar>>,
    /// The folders this entry creates (those the base image lacks) get
    /// `owner` too. Default false: root, 0755.
    #[schemars(with = "Option<bool>")]
    pub own_dirs: Option<Spanned<bool>>,
}

/// A folder of `dirs`: a path, or a mapping.
pub enum RawDir {
    Path(String),
    Map(Box<RawDirMap>),
}

/// `{ path: /var/lib/app, mode: "0700", owner: "65532:65532", volume: true }`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDirMap {
    /// Absolute path in the image.
    #[schemars(with = "String")]
    pub path: Option<Spanned<String>>,
    /// Octal mode as a string ("0700"). Default "0755".
    #[schemars(with = "Option<String>")]
    pub mode: Option<Spanned<Scalar>>,
    /// Numeric owner "uid:gid". Default: the service's `user`.
    #[schemars(with = "Option<String>")]
    pub owner: Option<Spanned<Scalar>>,
    /// Declare it a volume in the image config (VOLUME). Default false.
    #[schemars(with = "Option<bool>")]
    pub volume: Option<Spanned<bool>>,
}

/// A path, or the mapping form.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum RawDirSchema {
    Path(String),
    Map(Box<RawDirMap>),
}

impl<'de> Deserialize<'de> for RawDir {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawDir;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a path or a mapping with `path`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawDir, E> {
                Ok(RawDir::Path(v.to_string()))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<RawDir, A::Error> {
                RawDirMap::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|m| RawDir::Map(Box::new(m)))
            }
        }
        d.deserialize_any(V)
    }
}

/// `web: { dir: web, output: dist, script: build }`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawWeb {
    /// The folder with package.json, relative to the build context's root.
    #[schemars(with = "String")]
    pub dir: Option<Spanned<String>>,
    /// The folder the build writes, relative to `dir`. Default "dist".
    #[schemars(with = "Option<String>")]
    pub output: Option<Spanned<String>>,
    /// The package.json script that builds it. Default "build".
    #[schemars(with = "Option<String>")]
    pub script: Option<Spanned<String>>,
    /// npm, yarn or pnpm. Default: from the lockfile.
    #[schemars(with = "Option<String>")]
    pub manager: Option<Spanned<String>>,
    /// Where the Go package embeds the output, relative to the build
    /// context's root. Default: `dir`/`output`.
    #[schemars(with = "Option<String>")]
    pub into: Option<Spanned<String>>,
}

/// `generate: { packages: [./internal/...] }`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawGenerate {
    /// Packages to run go generate in, relative to `dir`. Default ["./..."].
    #[schemars(with = "Option<Vec<String>>")]
    pub packages: Option<Vec<Spanned<String>>>,
}

/// `healthcheck: { cmd: [/usr/local/bin/server, -healthcheck], interval: 30s }`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawHealthcheck {
    /// The command, exec form: the binary and its arguments.
    #[schemars(with = "Vec<String>")]
    pub cmd: Option<Spanned<Vec<Spanned<String>>>>,
    /// Time between checks (30s, 1m). Default: Docker's (30s).
    #[schemars(with = "Option<String>")]
    pub interval: Option<Spanned<String>>,
    /// Time a check may take. Default: Docker's (30s).
    #[schemars(with = "Option<String>")]
    pub timeout: Option<Spanned<String>>,
    /// Grace period after start. Default 0s.
    #[schemars(with = "Option<String>")]
    pub start_period: Option<Spanned<String>>,
    /// Consecutive failures that make the container unhealthy. Default: Docker's (3).
    #[schemars(with = "Option<u32>")]
    pub retries: Option<Spanned<u32>>,
}

/// A scalar written as string, number or boolean, kept as text
/// (`PORT: 8080` in `env` means the string "8080").
pub struct Scalar(pub String);

/// A string, number or boolean, used as text.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum ScalarSchema {
    String(String),
    Number(f64),
    Bool(bool),
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string, number or boolean")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// Every key of each mapping, for "did you mean" hints.
pub const TOP_KEYS: &[&str] = &[
    "go",
    "dir",
    "main",
    "binaries",
    "entrypoint",
    "runtime",
    "cgo",
    "version",
    "ldflags",
    "tags",
    "goflags",
    "goexperiment",
    "trimpath",
    "strip",
    "goproxy",
    "goprivate",
    "gonosumdb",
    "gosumdb",
    "private",
    "test",
    "files",
    "tzdata",
    "workdir",
    "dirs",
    "web",
    "generate",
    "stop_signal",
    "healthcheck",
    "upx",
    "vulncheck",
    "images",
    "ports",
    "env",
    "args",
    "user",
    "labels",
    "platforms",
];
