//! Other platforms: cross-compiling to one, several in one build, the
//! spec's default, a pushed index; Docker 20.10 refusing several.

use crate::harness::*;

/// One foreign platform on Docker 20.10: the toolchain runs natively and
/// cross-compiles; the image says arm64 and holds an AArch64 binary.
pub fn foreign_platform_cross_compiles(d: Daemon) {
    let ctx = copy_example("hello");
    write_spec(ctx.path(), "runtime: scratch\n");
    let img = Image::build(d, ctx.path(), "arm64", &["--platform", "linux/arm64"]);
    let b = &img.build;
    assert!(b.log.contains("[gofront] go build . (linux/arm64)"));
    let cfg = img.inspect();
    assert_eq!(cfg["Architecture"], "arm64");
    assert_eq!(cfg["Os"], "linux");
    let files = img.files();
    let bin = file(&files, "usr/local/bin/hello");
    assert_eq!(
        elf(&bin.data).map(|e| (e.machine, e.dynamic)),
        Some((183, false)),
        "a static AArch64 binary"
    );
}

/// Docker's classic image store (Docker 20.10; Docker 29 without the
/// containerd store) keeps one platform per image: asking for several
/// fails up front, before anything is compiled, with a message that says
/// what is needed (else Docker's exporter refuses the index only after
/// every platform is built).
pub fn several_platforms_on_a_classic_store_fail_clearly(d: Daemon) {
    let ctx = copy_example("hello");
    // The CLIs refuse a comma list in --platform there; the spec can ask.
    write_spec(ctx.path(), "platforms: [linux/amd64, linux/arm64]\n");
    let b = build(d, ctx.path(), "gofront.yaml", "gofront-test/never", &[]);
    b.assert_failed_with(&[
        "building several platforms at once (linux/amd64, linux/arm64)",
        "classic image store keeps one platform per image",
        "containerd image store",
        "docker buildx build",
    ]);
    assert!(
        !b.log.contains("go build"),
        "refused before compiling: {}",
        b.log
    );
}

const SEVEN: [&str; 7] = [
    "linux/386",
    "linux/amd64",
    "linux/arm/v7",
    "linux/arm64",
    "linux/ppc64le",
    "linux/riscv64",
    "linux/s390x",
];

/// Seven platforms in one buildx build: one image per platform in the
/// index, each with the right config and a static binary for its machine;
/// the arm64 and arm/v7 binaries run under qemu-user and answer.
pub fn seven_platforms_in_one_build(d: Daemon) {
    let ctx = copy_example("hello");
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("oci.tar");
    let b = build_oci(
        d,
        ctx.path(),
        "gofront.yaml",
        &dest,
        &[
            "--platform",
            &SEVEN.join(","),
            "--build-arg",
            "VERSION=7.7.7",
        ],
    );
    b.assert_ok();
    // The Go toolchain ran for the build platform only, once per target.
    for p in SEVEN {
        assert!(
            b.log.contains(&format!("[gofront] go build . ({p})")),
            "{p}"
        );
    }
    // The dependency step is the same vertex for every platform: it runs
    // at most once (not at all when an earlier build cached it).
    let downloads = b.steps("[gofront] go mod download");
    assert!(!downloads.is_empty());
    assert!(
        downloads.iter().filter(|s| !s.cached).count() <= 1,
        "{}",
        b.log
    );
    let images = read_oci_layout(&dest);
    let platforms: Vec<&str> = images.iter().map(|i| i.platform.as_str()).collect();
    assert_eq!(platforms, SEVEN);
    for image in &images {
        let bin = image
            .files
            .get("usr/local/bin/hello")
            .unwrap_or_else(|| panic!("no binary for {}", image.platform));
        let facts = elf(bin).unwrap_or_else(|| panic!("{}: not an ELF file", image.platform));
        let (bits, le, machine) = expected_elf(&image.platform);
        assert_eq!(
            (facts.bits, facts.little_endian, facts.machine),
            (bits, le, machine),
            "{}",
            image.platform
        );
        assert!(!facts.dynamic, "{}: static", image.platform);
        assert_eq!(image.config["config"]["User"], "65532:65532");
        assert_eq!(
            image.config["config"]["Labels"]["org.opencontainers.image.version"],
            "7.7.7"
        );
    }
    let arm = images
        .iter()
        .find(|i| i.platform == "linux/arm/v7")
        .unwrap();
    assert_eq!(arm.config["variant"], "v7");
    for (platform, qemu) in [
        ("linux/arm64", "qemu-aarch64-static"),
        ("linux/arm/v7", "qemu-arm-static"),
    ] {
        let image = images.iter().find(|i| i.platform == platform).unwrap();
        let path = out.path().join(platform.replace('/', "-"));
        std::fs::write(&path, &image.files["usr/local/bin/hello"]).unwrap();
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        let run = std::process::Command::new(qemu)
            .arg(&path)
            .arg("-version")
            .output()
            .expect("qemu-user runs");
        assert_eq!(
            String::from_utf8_lossy(&run.stdout),
            "7.7.7\n",
            "{platform} under {qemu}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
    }
}

/// `platforms:` in the spec is the default when the build names none.
pub fn spec_platforms_are_the_default(d: Daemon) {
    let ctx = copy_example("hello");
    write_spec(ctx.path(), "platforms: [linux/arm64, linux/amd64/v3]\n");
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("oci.tar");
    build_oci(d, ctx.path(), "gofront.yaml", &dest, &[]).assert_ok();
    let images = read_oci_layout(&dest);
    let platforms: Vec<&str> = images.iter().map(|i| i.platform.as_str()).collect();
    assert_eq!(platforms, ["linux/amd64/v3", "linux/arm64"]);
}

/// Several platforms pushed to a registry: one index, one image per platform.
pub fn several_platforms_push_one_index(d: Daemon) {
    let ctx = copy_example("hello");
    let tag = unique_tag("push").rsplit(':').next().unwrap().to_string();
    let name = format!("127.0.0.1:5000/gofront-test/hello:{tag}");
    build_push(
        d,
        ctx.path(),
        "gofront.yaml",
        &name,
        &["--platform", "linux/amd64,linux/arm64,linux/arm/v7"],
    )
    .assert_ok();
    let index = registry_manifest("gofront-test/hello", &tag);
    let mut platforms: Vec<String> = index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["platform"]["os"] == "linux")
        .map(|m| {
            let p = &m["platform"];
            let mut id = format!(
                "{}/{}",
                p["os"].as_str().unwrap(),
                p["architecture"].as_str().unwrap()
            );
            if let Some(v) = p["variant"].as_str() {
                id = format!("{id}/{v}");
            }
            id
        })
        .collect();
    platforms.sort();
    assert_eq!(platforms, ["linux/amd64", "linux/arm/v7", "linux/arm64"]);
}
