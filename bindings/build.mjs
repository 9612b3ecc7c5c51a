#!/usr/bin/env node
// Builds the C# bindings FraudTf compiles against (Constructs, HashiCorp.Cdktf and a subset of
// HashiCorp.Cdktf.Providers.Aws) from the official jsii assemblies shipped in the pinned npm packages,
// into a local NuGet feed at .bindings/feed (outside git).
//
// - Package ids and namespaces are the official ones, so moving to published packages is a version change.
// - The AWS provider is trimmed to the Terraform types listed in bindings/aws-provider.txt. Its NuGet version
//   is 21.22.1-subset.<hash>, the hash covering the list and every pinned version, so a changed list can never
//   be confused with a cached package of the same version.
// - Nothing is regenerated when the inputs are unchanged (a stamp file records the input hash).
//
// Usage: node bindings/build.mjs [--force]
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const listFile = path.join(root, "bindings", "aws-provider.txt");
const outDir = path.join(root, ".bindings");
const feed = path.join(outDir, "feed");
const work = path.join(outDir, "work");
const tmp = path.join(outDir, "tmp");
const force = process.argv.includes("--force");
// Bump when this script changes what it produces, so old feeds are rebuilt.
const RECIPE_VERSION = "2";

const env = {
  ...process.env,
  JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: "20",
  JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION: "1",
  CHECKPOINT_DISABLE: "1",
  DOTNET_CLI_TELEMETRY_OPTOUT: "1",
  DOTNET_NOLOGO: "1",
  DOTNET_SKIP_FIRST_TIME_EXPERIENCE: "1",
  TMPDIR: tmp,
};

function fail(message) {
  console.error(`bindings: ${message}`);
  process.exit(1);
}

function log(message) {
  console.log(`bindings: ${message}`);
}

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) {
    process.stderr.write(r.stdout ?? "");
    process.stderr.write(r.stderr ?? "");
    fail(`'${cmd} ${args.join(" ")}' failed in ${path.relative(root, cwd) || "."} (exit ${r.status}).`);
  }
  return r.stdout;
}

function readPackage(name) {
  const dir = path.join(root, "node_modules", name);
  const pkgFile = path.join(dir, "package.json");
  if (!fs.existsSync(pkgFile)) fail(`node_modules/${name} is missing: run 'npm ci' first (make does this).`);
  return { dir, pkg: JSON.parse(fs.readFileSync(pkgFile, "utf8")) };
}

/** Parses the list: Terraform type names, one per line, '#' comments. Returns jsii submodule names, sorted. */
function readList(jsii) {
  const byTerraformName = new Map();
  for (const [fqn, sub] of Object.entries(jsii.submodules)) {
    const m = /^# `([a-z0-9_]+)`/.exec(sub.readme?.markdown ?? "");
    if (m) byTerraformName.set(m[1], fqn);
  }
  const wanted = new Set();
  const lines = fs.readFileSync(listFile, "utf8").split("\n");
  lines.forEach((raw, i) => {
    const line = raw.replace(/#.*/, "").trim();
    if (!line) return;
    const key = line.startsWith("data.") ? `data_${line.slice(5)}` : line;
    const fqn = byTerraformName.get(key);
    if (!fqn) {
      fail(`${path.relative(root, listFile)} line ${i + 1}: '${line}' is not a resource or data source of ` +
        `${jsii.name} ${jsii.version}. Use the Terraform type name, e.g. 'aws_s3_bucket' or 'data.aws_region'.`);
    }
    wanted.add(fqn);
  });
  if (wanted.size === 0) fail(`${path.relative(root, listFile)} lists no resources.`);
  return [...wanted].sort();
}

const constructs = readPackage("constructs");
const cdktf = readPackage("cdktf");
const provider = readPackage("@cdktf/provider-aws");
const pacmak = readPackage("jsii-pacmak");

// The input hash covers the normalized list (not the resolved submodules), so the up-to-date check below needs no
// parse of the provider's 131 MB .jsii: a no-op run takes milliseconds. The list is validated when it is built.
const listEntries = [...new Set(fs.readFileSync(listFile, "utf8").split("\n")
  .map(l => l.replace(/#.*/, "").trim()).filter(Boolean))].sort();
const inputHash = createHash("sha256")
  .update(JSON.stringify({
    recipe: RECIPE_VERSION,
    constructs: constructs.pkg.version,
    cdktf: cdktf.pkg.version,
    provider: provider.pkg.version,
    pacmak: pacmak.pkg.version,
    list: listEntries,
  }))
  .digest("hex")
  .slice(0, 12);
const providerNugetVersion = `${provider.pkg.version}-subset.${inputHash}`;
const propsFile = path.join(outDir, "Bindings.props");
const stampFile = path.join(feed, "STAMP");
const expected = [
  `Constructs.${constructs.pkg.version}.nupkg`,
  `HashiCorp.Cdktf.${cdktf.pkg.version}.nupkg`,
  `HashiCorp.Cdktf.Providers.Aws.${providerNugetVersion}.nupkg`,
];

if (!force && fs.existsSync(stampFile) && fs.readFileSync(stampFile, "utf8").trim() === inputHash &&
    expected.every(f => fs.existsSync(path.join(feed, f))) && fs.existsSync(propsFile)) {
  log(`up to date (HashiCorp.Cdktf.Providers.Aws ${providerNugetVersion}, ${listEntries.length} types).`);
  process.exit(0);
}

const providerJsii = JSON.parse(fs.readFileSync(path.join(provider.dir, ".jsii"), "utf8"));
const submodules = readList(providerJsii);

const started = Date.now();
fs.mkdirSync(feed, { recursive: true });
fs.mkdirSync(tmp, { recursive: true });
fs.rmSync(work, { recursive: true, force: true });
fs.mkdirSync(work, { recursive: true });

const packArgs = [
  "-c", "Release", "--nologo", "-v", "quiet", "-o", feed,
  "-p:GeneratePackageOnBuild=false",
  "-p:SuppressTfmSupportBuildWarnings=true",
  "-p:NoWarn=CS0108%3BCS0109%3BCS0114%3BCS0618%3BCS1591%3BNU1701%3BNU5100%3BNU5104%3BNU5128",
  "-p:TreatWarningsAsErrors=false",
  "-p:Deterministic=true",
  "-p:IncludeSymbols=false",
  "-p:ContinuousIntegrationBuild=true",
];

// 1. Constructs + HashiCorp.Cdktf (one pacmak call, so HashiCorp.Cdktf references Constructs).
const coreMissing = !fs.existsSync(path.join(feed, expected[0])) || !fs.existsSync(path.join(feed, expected[1]));
if (coreMissing || force) {
  const coreOut = path.join(work, "core");
  log(`generating Constructs ${constructs.pkg.version} and HashiCorp.Cdktf ${cdktf.pkg.version} ...`);
  run(path.join(root, "node_modules", ".bin", "jsii-pacmak"),
    ["-t", "dotnet", "--code-only", "--no-npmignore", "--no-fingerprint", "-o", coreOut, constructs.dir, cdktf.dir], root);
  for (const project of ["Constructs/Constructs.csproj", "HashiCorp.Cdktf/HashiCorp.Cdktf.csproj"]) {
    log(`packing ${path.basename(project, ".csproj")} ...`);
    run("dotnet", ["pack", path.join(coreOut, "dotnet", project), ...packArgs], root);
  }
}

// 2. The AWS provider subset: a trimmed copy of the npm package holding only the listed submodules.
log(`generating HashiCorp.Cdktf.Providers.Aws ${providerNugetVersion} (${submodules.length} types) ...`);
const subsetPkg = path.join(work, "provider-aws");
fs.mkdirSync(path.join(subsetPkg, "lib"), { recursive: true });
const keep = new Set(submodules);
const trimmed = { ...providerJsii };
trimmed.submodules = Object.fromEntries(Object.entries(providerJsii.submodules).filter(([k]) => keep.has(k)));
trimmed.types = Object.fromEntries(Object.entries(providerJsii.types)
  .filter(([fqn]) => keep.has(fqn.split(".").slice(0, 2).join("."))));
trimmed.fingerprint = "**********";
fs.writeFileSync(path.join(subsetPkg, ".jsii"), JSON.stringify(trimmed));

const exportsJs = [];
const exportsDts = [];
for (const fqn of submodules) {
  const symbolId = providerJsii.submodules[fqn].symbolId; // e.g. "src/dynamodb-table/index:"
  const folder = /^src\/([^/]+)\/index:$/.exec(symbolId)?.[1];
  if (!folder) fail(`unexpected symbolId '${symbolId}' for ${fqn}`);
  const exportName = fqn.split(".")[1];
  fs.cpSync(path.join(provider.dir, "lib", folder), path.join(subsetPkg, "lib", folder), { recursive: true });
  exportsJs.push(`exports.${exportName} = require("./${folder}");`);
  exportsDts.push(`export * as ${exportName} from './${folder}';`);
}
fs.writeFileSync(path.join(subsetPkg, "lib", "index.js"),
  `"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\n${exportsJs.join("\n")}\n`);
fs.writeFileSync(path.join(subsetPkg, "lib", "index.d.ts"), `${exportsDts.join("\n")}\n`);
const subsetManifest = { ...provider.pkg };
delete subsetManifest.scripts;
delete subsetManifest.devDependencies;
delete subsetManifest.bundledDependencies;
subsetManifest.files = ["lib/**/*.js", "lib/**/*.d.ts", ".jsii"];
fs.writeFileSync(path.join(subsetPkg, "package.json"), JSON.stringify(subsetManifest, null, 2));
for (const f of ["LICENSE", "README.md"]) {
  if (fs.existsSync(path.join(provider.dir, f))) fs.copyFileSync(path.join(provider.dir, f), path.join(subsetPkg, f));
}

const providerOut = path.join(work, "provider-aws-out");
run(path.join(root, "node_modules", ".bin", "jsii-pacmak"),
  ["-t", "dotnet", "--code-only", "--no-npmignore", "--no-fingerprint", "-o", providerOut, subsetPkg], root);
log("packing HashiCorp.Cdktf.Providers.Aws ...");
for (const old of fs.readdirSync(feed).filter(f => f.startsWith("HashiCorp.Cdktf.Providers.Aws."))) {
  fs.rmSync(path.join(feed, old));
}
run("dotnet", ["pack", path.join(providerOut, "dotnet", "HashiCorp.Cdktf.Providers.Aws", "HashiCorp.Cdktf.Providers.Aws.csproj"),
  ...packArgs, `-p:PackageVersion=${providerNugetVersion}`], root);

// 3. The versions the app compiles against, imported by FraudTf.csproj.
fs.writeFileSync(propsFile, `<Project>
  <!-- Generated by bindings/build.mjs; do not edit. -->
  <PropertyGroup>
    <ConstructsVersion>${constructs.pkg.version}</ConstructsVersion>
    <CdktfVersion>${cdktf.pkg.version}</CdktfVersion>
    <AwsProviderBindingsVersion>${providerNugetVersion}</AwsProviderBindingsVersion>
  </PropertyGroup>
</Project>
`);
fs.writeFileSync(stampFile, `${inputHash}\n`);
fs.rmSync(work, { recursive: true, force: true });
fs.rmSync(tmp, { recursive: true, force: true });
log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s: ${expected.join(", ")}`);
