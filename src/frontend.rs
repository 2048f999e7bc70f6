//! One build, as a sequence: read the request and the spec, answer a
//! subrequest or read the context, plan each platform, solve the tests and
//! the graphs, and hand back the images with their configs. Each step is
//! the [`client`](crate::client)'s; the work itself is `spec`, `lint`,
//! `plan`, `convert` and `image`'s.

use crate::attest;
use crate::client::{self, Client, PlatformResults, VulnVerdict};
use crate::convert;
use crate::gateway::{Bridge, Failure, Opts};
use crate::image;
use crate::introspect;
use crate::plan::Target;
use crate::request::Sbom;
use crate::spec;
use crate::subrequest::{self, Request};

pub use crate::client::Outcome;

/// Run one build.
pub async fn build(bridge: Bridge, opts: Opts) -> Result<Outcome, Failure> {
    let mut client = Client::start(bridge, &opts).await?;
    let request = client.request.subrequest.clone();
    // Subrequests that need no spec (`docker buildx build --call …`).
    match &request {
        Some(Request::Describe) => return Ok(Outcome::metadata(subrequest::describe())),
        Some(Request::Unsupported(name)) => return Err(subrequest::unsupported(name)),
        _ => {}
    }

    // 1. The spec, and the subrequests that need only the spec.
    let file = client.read_spec().await?;
    let spec = match spec::parse(&file.source.name, &file.source.text) {
        Ok(spec) => spec,
        // `--call check` reports a broken spec as its build error.
        Err(e) if request == Some(Request::Lint) => {
            let at = (e.pos.line > 0).then_some(e.pos);
            let error = Some((e.to_string(), at));
            return Ok(Outcome::metadata(subrequest::lint(
                &[],
                &file.source,
                error.as_ref().map(|(m, at)| (m.as_str(), *at)),
            )));
        }
        Err(e) => return Err(file.failure(&e)),
    };
    match request {
        Some(Request::Outline) => {
            let outline = introspect::outline(&spec);
            return Ok(Outcome::metadata(subrequest::outline(
                &outline,
                &file.source,
            )));
        }
        Some(Request::Targets) => {
            let targets = introspect::targets(&spec);
            return Ok(Outcome::metadata(subrequest::targets(
                &targets,
                &file.source,
            )));
        }
        _ => {}
    }

    // 2. Lint, which needs to know of a .dockerignore: the answer to
    //    `--call check`, or warnings during the build.
    let context = client.read_context(&spec).await?;
    let findings = client::lint_findings(&spec, &context);
    if request == Some(Request::Lint) {
        let mut findings = match findings {
            Ok(findings) => findings,
            // A skip directive naming no rule is the check's error.
            Err(e) => {
                return Ok(Outcome::metadata(subrequest::lint(
                    &[],
                    &file.source,
                    Some((&e.to_string(), Some(e.pos))),
                )));
            }
        };
        // `vulncheck:`: the check runs govulncheck too, on the first
        // platform, and reports what it finds beside the rules.
        if spec.vulncheck.is_some() {
            let prepared = prepare(&mut client, &spec, &file, &context).await?;
            findings.extend(
                client
                    .vulncheck_findings(&file, &prepared.plans[0], &prepared.options)
                    .await?,
            );
        }
        return Ok(Outcome::metadata(subrequest::lint(
            &findings,
            &file.source,
            None,
        )));
    }
    client
        .warn(&findings.map_err(|e| file.failure(&e))?, &file)
        .await;

    // 3–4. The plans and how to convert them.
    let Prepared {
        module,
        platforms,
        plans,
        mut first_runtime,
        options,
    } = prepare(&mut client, &spec, &file, &context).await?;

    // 5. The tests first (once, natively on the build platform): a failing
    //    test stops the build before any image is produced.
    if let Some(test) = convert::test_llb(&plans[0], &options) {
        client.solve_build(test, &file).await?;
    }
    if plans[0].target == Target::Test {
        return Ok(Outcome::empty());
    }

    // 6. Each platform's image. Platforms are solved one after another:
    //    `go build` already uses every core, and BuildKit v0.8 can crash on
    //    concurrent solves that share vertices (moby/moby#42414).
    let attach = client.takes_attestations()?;
    let mut results = PlatformResults::new(client.multi_platform(&platforms));
    for (i, plan) in plans.iter().enumerate() {
        let runtime = match i {
            0 => first_runtime.take(),
            _ => client.resolve_config(plan.runtime.as_ref()).await?,
        };
        let (runtime, runtime_digest) = match runtime {
            Some(r) => (Some(r.config), r.digest),
            None => (None, None),
        };
        // The image and govulncheck (`vulncheck:`) at once where BuildKit
        // takes concurrent solves: the scan reads the source, not the binary.
        let image_graph = convert::to_llb(plan, &options);
        let runner = client.vulncheck_runner();
        let (reference, vulncheck) = if client.request.daemon.parallel_solves {
            let (image, vulncheck) = tokio::join!(
                client.solve_build(image_graph, &file),
                runner.run(&file, plan, &options)
            );
            (image?, vulncheck?)
        } else {
            let image = client.solve_build(image_graph, &file).await?;
            (image, runner.run(&file, plan, &options).await?)
        };
        let config = image::finalize(runtime, &plan.image);
        let id = client::platform_id(plan, &client.request.build_platform);

        // 7. What the build attests of the image: govulncheck's verdict
        //    (which may stop the build) and the SBOM.
        let mut documents = Vec::new();
        if let Some(VulnVerdict::Report(report)) = client
            .judge_vulncheck(&spec, &file, plan, vulncheck)
            .await?
        {
            let product = format!("pkg:golang/{}", module.gomod.module);
            let vex = attest::vulncheck::openvex(
                &report,
                &product,
                attest::CREATOR,
                &attest::created(plan),
            );
            documents.push(attest::Document::openvex(
                serde_json::to_vec_pretty(&vex).unwrap_or_default(),
            ));
        }
        if client.request.attest.sbom == Sbom::Gofront {
            let sbom = client
                .sbom(&file, plan, &options, runtime_digest, &id)
                .await?;
            documents.push(attest::Document::sbom(sbom));
        }
        if attach {
            let attestations = client.attach(&id, plan, documents).await?;
            results.attest(attestations);
        }
        results.add(plan, &client.request.build_platform, reference, &config)?;
    }
    Ok(results.finish())
}

/// What the graphs of a build are made from.
struct Prepared {
    module: client::ModuleFiles,
    platforms: Vec<crate::platform::Platform>,
    plans: Vec<crate::plan::Plan>,
    /// The first platform's runtime image, resolved beside the builder.
    first_runtime: Option<client::Resolved>,
    options: convert::Options,
}

async fn prepare(
    client: &mut Client,
    spec: &spec::Spec,
    file: &client::SpecFile,
    context: &client::ContextFiles,
) -> Result<Prepared, crate::gateway::Failure> {
    // 3. One plan per target platform. The builder and the dependency step
    //    are the same for all of them (build platform, same inputs), so
    //    BuildKit runs them once; only `go build` and the final stage differ.
    let module = client.read_module(spec, file, context).await?;
    let web = client.read_spec_paths(spec, file, &module).await?;
    let platforms = client.platforms(spec)?;
    let mut plans = Vec::new();
    for platform in &platforms {
        let mut inputs =
            client
                .request
                .plan_inputs(platform, &module.gomod, module.gowork.as_ref());
        inputs.web = web.clone();
        plans.push(client.plan(spec, file, inputs).await?);
    }

    // 4. The main packages must exist and be `package main`; meanwhile the
    //    builder's config (its env for the execs) and the first runtime's.
    let (builder, first_runtime) = client
        .check_and_resolve(spec, file, &module, &plans[0])
        .await?;
    let mut options = client
        .convert_options(&plans, context, builder.config.env, file)
        .await?;
    options.node_env = client.node_env(spec, file, &plans[0]).await?;
    Ok(Prepared {
        module,
        platforms,
        plans,
        first_runtime,
        options,
    })
}
