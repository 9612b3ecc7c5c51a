#!/usr/bin/env node
// Builds the C# bindings FraudTf compiles against (Constructs, the CDK's core package and a subset of its AWS
// provider package) from the official jsii assemblies shipped in the pinned npm packages, into a local NuGet feed
// (outside git). Two CDKs, chosen with --cdk:
//   cdktf   (default) HashiCorp CDKTF: npm packages of ./package.json in ./node_modules; feed .bindings/feed,
//           props .bindings/Bindings.props; C# Constructs, HashiCorp.Cdktf, HashiCorp.Cdktf.Providers.Aws.
//   terrain CDK Terrain (the community fork): npm packages of bindings/terrain/package.json in
//           bindings/terrain/node_modules; feed .bindings/terrain/feed, props .bindings/terrain/Bindings.props;
//           C# Constructs, Io.Cdktn, Io.Cdktn.Providers.Aws.
//
// - Package ids and namespaces are the official ones, so moving to published packages is a version change.
// - The AWS provider is trimmed to the Terraform types listed in bindings/aws-provider.txt (the same list for both
//   CDKs), plus every submodule a kept type refers to (found by walking the type references, e.g. the provider's
//   `providerFunctions` in @cdktn/provider-aws). Its NuGet version is <npm version>-subset.<hash>, the hash covering
//   the list and every pinned version, so a changed list can never be confused with a cached package of the same version.
// - The props file carries the package versions, the facts code and tests read (Terraform AWS provider version,
//   schema package, CDK and CLI names) as MSBuild properties and as <AssemblyMetadata> items, and the C# global
//   usings of the CDK (core namespace, every provider submodule namespace of the subset, aliases for the names that
//   would be ambiguous): bindings/Cdk.props imports the props of the CDK chosen by the MSBuild property Cdk.
// - Nothing is regenerated when the inputs are unchanged (a stamp file records the input hash); a props file of an
//   older props recipe is rewritten without rebuilding the packages.
//
// Usage: node bindings/build.mjs [--cdk cdktf|terrain] [--force]
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const listFile = path.join(root, "bindings", "aws-provider.txt");

/** The CDKs this script builds bindings for. `ids` are the C# package ids (checked against the .jsii at build time). */
const CDKS = {
  cdktf: {
    nodeRoot: root, outDir: path.join(root, ".bindings"),
    core: "cdktf", cli: "cdktf-cli", provider: "@cdktf/provider-aws",
    ids: { core: "HashiCorp.Cdktf", provider: "HashiCorp.Cdktf.Providers.Aws" },
    install: "run 'npm ci' first (make bindings does this)",
  },
  terrain: {
    nodeRoot: path.join(root, "bindings", "terrain"), outDir: path.join(root, ".bindings", "terrain"),
    core: "cdktn", cli: "cdktn-cli", provider: "@cdktn/provider-aws",
    ids: { core: "Io.Cdktn", provider: "Io.Cdktn.Providers.Aws" },
    install: "run 'npm ci' in bindings/terrain first (make bindings CDK=terrain does this)",
  },
};

function argValue(name) {
  const i = process.argv.findIndex(a => a === name || a.startsWith(`${name}=`));
  if (i < 0) return undefined;
  return process.argv[i].includes("=") ? process.argv[i].split("=").slice(1).join("=") : process.argv[i + 1];
}
const cdkName = argValue("--cdk") ?? "cdktf";
const cdk = CDKS[cdkName];
if (!cdk) {
  console.error(`bindings: unknown CDK '${cdkName}'. Fix: node bindings/build.mjs --cdk <${Object.keys(CDKS).join("|")}>.`);
  process.exit(2);
}
const outDir = cdk.outDir;
const feed = path.join(outDir, "feed");
const work = path.join(outDir, "work");
const tmp = path.join(outDir, "tmp");
const force = process.argv.includes("--force");
// Bump when this script changes what it produces, so old feeds are rebuilt.
const RECIPE_VERSION = "2";
// Bump when this script changes what the props file holds (the packages are kept).
const PROPS_RECIPE_VERSION = "2";

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
  const dir = path.join(cdk.nodeRoot, "node_modules", name);
  const pkgFile = path.join(dir, "package.json");
  if (!fs.existsSync(pkgFile)) fail(`${path.relative(root, dir)} is missing: ${cdk.install}.`);
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

/**
 * The submodules `wanted` plus every submodule of the same assembly a kept type refers to (a property, parameter,
 * return, base or interface type), repeated until nothing new is found. Sorted.
 */
function withReferencedSubmodules(jsii, wanted) {
  const submoduleOf = fqn => {
    const parts = fqn.split(".");
    for (let n = parts.length - 1; n >= 2; n--) {
      const candidate = parts.slice(0, n).join(".");
      if (jsii.submodules[candidate]) return candidate;
    }
    return undefined;
  };
  const typesBySubmodule = new Map();
  for (const [fqn, type] of Object.entries(jsii.types)) {
    const sub = submoduleOf(fqn);
    if (!sub) continue;
    if (!typesBySubmodule.has(sub)) typesBySubmodule.set(sub, []);
    typesBySubmodule.get(sub).push(type);
  }
  const kept = new Set(wanted);
  const queue = [...wanted];
  const added = [];
  while (queue.length) {
    const sub = queue.pop();
    const refs = new Set();
    const visit = v => {
      if (Array.isArray(v)) v.forEach(visit);
      else if (v && typeof v === "object") {
        for (const [k, x] of Object.entries(v)) {
          if (k === "docs" || k === "locationInModule") continue;
          if ((k === "fqn" || k === "base") && typeof x === "string") refs.add(x);
          else if (k === "interfaces" && Array.isArray(x)) x.forEach(i => typeof i === "string" && refs.add(i));
          else visit(x);
        }
      }
    };
    for (const type of typesBySubmodule.get(sub) ?? []) {
      const { fqn: _self, ...rest } = type;
      visit(rest);
    }
    for (const ref of refs) {
      if (!ref.startsWith(`${jsii.name}.`)) continue;
      const target = submoduleOf(ref);
      if (!target) fail(`${sub} refers to ${ref}, a type outside any submodule: the subset cannot hold it.`);
      if (!kept.has(target)) { kept.add(target); queue.push(target); added.push(`${target} (from ${sub})`); }
    }
  }
  return { submodules: [...kept].sort(), added };
}

const constructs = readPackage("constructs");
const core = readPackage(cdk.core);
const provider = readPackage(cdk.provider);
const cli = readPackage(cdk.cli);
const pacmak = readPackage("jsii-pacmak");

// The input hash covers the normalized list (not the resolved submodules), so the up-to-date check below needs no
// parse of the provider's 131 MB .jsii: a no-op run takes milliseconds. The list is validated when it is built.
const listEntries = [...new Set(fs.readFileSync(listFile, "utf8").split("\n")
  .map(l => l.replace(/#.*/, "").trim()).filter(Boolean))].sort();
// The default CDK's hash input is exactly the one of the single-CDK script (same versions, same feed); any other CDK
// names itself in it.
const hashInput = cdkName === "cdktf"
  ? { recipe: RECIPE_VERSION, constructs: constructs.pkg.version, cdktf: core.pkg.version, provider: provider.pkg.version,
      pacmak: pacmak.pkg.version, list: listEntries }
  : { recipe: RECIPE_VERSION, cdk: cdkName, constructs: constructs.pkg.version, core: core.pkg.version,
      provider: provider.pkg.version, pacmak: pacmak.pkg.version, list: listEntries };
const inputHash = createHash("sha256").update(JSON.stringify(hashInput)).digest("hex").slice(0, 12);
const providerNugetVersion = `${provider.pkg.version}-subset.${inputHash}`;
const propsFile = path.join(outDir, "Bindings.props");
const stampFile = path.join(feed, "STAMP");
const propsMarker = `<!-- props recipe ${PROPS_RECIPE_VERSION}, bindings ${inputHash}, cli ${cli.pkg.version} -->`;
const expected = [
  `Constructs.${constructs.pkg.version}.nupkg`,
  `${cdk.ids.core}.${core.pkg.version}.nupkg`,
  `${cdk.ids.provider}.${providerNugetVersion}.nupkg`,
];

const packagesUpToDate = !force && fs.existsSync(stampFile) && fs.readFileSync(stampFile, "utf8").trim() === inputHash &&
  expected.every(f => fs.existsSync(path.join(feed, f)));
const propsUpToDate = fs.existsSync(propsFile) && fs.readFileSync(propsFile, "utf8").includes(propsMarker);
if (packagesUpToDate && propsUpToDate) {
  log(`up to date (${cdkName}: ${cdk.ids.provider} ${providerNugetVersion}, ${listEntries.length} types).`);
  process.exit(0);
}

const started = Date.now();
const providerJsii = JSON.parse(fs.readFileSync(path.join(provider.dir, ".jsii"), "utf8"));
const coreJsii = JSON.parse(fs.readFileSync(path.join(core.dir, ".jsii"), "utf8"));
for (const [what, jsii] of [["core", coreJsii], ["provider", providerJsii]]) {
  if (jsii.targets?.dotnet?.packageId !== cdk.ids[what]) {
    fail(`${jsii.name} ${jsii.version} is the C# package '${jsii.targets?.dotnet?.packageId}', not '${cdk.ids[what]}' (CDKS in this script).`);
  }
}
const { submodules, added } = withReferencedSubmodules(providerJsii, readList(providerJsii));
for (const a of added) log(`also keeping ${a}: a kept type refers to it.`);

if (packagesUpToDate) {
  writeProps();
  log(`props rewritten (${path.relative(root, propsFile)}); packages up to date.`);
  process.exit(0);
}

fs.mkdirSync(feed, { recursive: true });
// nuget.config names the default CDK's feed: restores fail when that folder is missing, even on another CDK.
fs.mkdirSync(CDKS.cdktf.outDir + "/feed", { recursive: true });
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

// 1. Constructs + the core package (one pacmak call, so the core package references Constructs).
const pacmakBin = path.join(cdk.nodeRoot, "node_modules", ".bin", "jsii-pacmak");
const coreMissing = !fs.existsSync(path.join(feed, expected[0])) || !fs.existsSync(path.join(feed, expected[1]));
if (coreMissing || force) {
  const coreOut = path.join(work, "core");
  log(`generating Constructs ${constructs.pkg.version} and ${cdk.ids.core} ${core.pkg.version} ...`);
  run(pacmakBin,
    ["-t", "dotnet", "--code-only", "--no-npmignore", "--no-fingerprint", "-o", coreOut, constructs.dir, core.dir], root);
  for (const project of ["Constructs/Constructs.csproj", `${cdk.ids.core}/${cdk.ids.core}.csproj`]) {
    log(`packing ${path.basename(project, ".csproj")} ...`);
    run("dotnet", ["pack", path.join(coreOut, "dotnet", project), ...packArgs], root);
  }
}

// 2. The AWS provider subset: a trimmed copy of the npm package holding only the listed submodules.
log(`generating ${cdk.ids.provider} ${providerNugetVersion} (${submodules.length} submodules) ...`);
// pacmak resolves the subset's dependencies (the core package, constructs) by node module resolution from its folder:
// the default CDK's packages are in the repository's node_modules, above .bindings/work; any other CDK's are not.
const subsetPkg = cdkName === "cdktf" ? path.join(work, "provider-aws")
  : path.join(cdk.nodeRoot, "node_modules", ".fraudtf-provider-subset");
fs.rmSync(subsetPkg, { recursive: true, force: true });
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
run(pacmakBin, ["-t", "dotnet", "--code-only", "--no-npmignore", "--no-fingerprint", "-o", providerOut, subsetPkg], root);
fs.rmSync(subsetPkg, { recursive: true, force: true });
log(`packing ${cdk.ids.provider} ...`);
for (const old of fs.readdirSync(feed).filter(f => f.startsWith(`${cdk.ids.provider}.`))) {
  fs.rmSync(path.join(feed, old));
}
// pacmak's generated project restores the core package and Constructs from the feed being built: nuget.config names
// the default CDK's feed; any other CDK's is added here.
run("dotnet", ["pack", path.join(providerOut, "dotnet", cdk.ids.provider, `${cdk.ids.provider}.csproj`),
  ...packArgs, `-p:PackageVersion=${providerNugetVersion}`,
  ...(cdkName === "cdktf" ? [] : [`-p:RestoreAdditionalProjectSources=${feed}`])], root);

// 3. The versions the app compiles against, the facts, the global usings: imported through bindings/Cdk.props.
writeProps();
fs.writeFileSync(stampFile, `${inputHash}\n`);
fs.rmSync(work, { recursive: true, force: true });
fs.rmSync(tmp, { recursive: true, force: true });
log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s: ${expected.join(", ")}`);

/** Writes the props file: versions, facts, global usings (see the header). */
function writeProps() {
  const toPascalCase = createRequire(path.join(pacmak.dir, "package.json"))("codemaker").toPascalCase;
  const coreNs = coreJsii.targets.dotnet.namespace;
  const providerNs = providerJsii.targets.dotnet.namespace;
  // The namespace of a submodule, as jsii-pacmak names it (dotnettyperesolver.resolveNamespace).
  const namespaceOf = fqn => providerJsii.submodules[fqn].targets?.dotnet?.namespace ??
    `${providerNs}.${toPascalCase(fqn.split(".")[1])}`;
  const namespaces = [coreNs, ...submodules.map(namespaceOf)];
  // A type name exported by two imported namespaces (or by Constructs, which every source imports) is ambiguous
  // without a qualifier: an alias picks the one the sources mean (the kept resource's own namespace, else the core's).
  const exported = new Map(); // C# type name -> namespaces
  const addType = (ns, name) => { if (!exported.has(name)) exported.set(name, []); exported.get(name).push(ns); };
  // pacmak keeps the jsii type names (the provider's own generator already renamed clashes, e.g. S3BucketVersioningA).
  for (const t of Object.values(coreJsii.types)) if (t.namespace === undefined) addType(coreNs, t.name);
  for (const [fqn, t] of Object.entries(providerJsii.types)) {
    const sub = fqn.split(".").slice(0, 2).join(".");
    if (submodules.includes(sub) && fqn.split(".").length === 3) addType(namespaceOf(sub), t.name);
  }
  const aliases = [];
  for (const [name, nss] of [...exported].sort(([a], [b]) => a.localeCompare(b))) {
    if (nss.length < 2) continue;
    const own = nss.find(ns => ns.endsWith(`.${name}`)) ?? (nss.includes(coreNs) ? coreNs : nss[0]);
    aliases.push({ name, target: `${own}.${name}`, among: nss });
  }
  const tfProvider = (provider.pkg.cdktn ?? provider.pkg.cdktf)?.provider;
  if (!tfProvider?.version) fail(`${provider.pkg.name} ${provider.pkg.version} names no Terraform provider version in its package.json.`);
  const cliName = Object.keys(typeof cli.pkg.bin === "string" ? { [cli.pkg.name]: 1 } : cli.pkg.bin ?? {})[0];
  // The JSON writer of the CDK's manifest.json (cdktf: json-stable-stringify, which writes an empty array or object on
  // two lines; cdktn: safe-stable-stringify, `[]` and `{}`): the synth cache writes manifest.json the same way.
  const manifestJs = path.join(core.dir, "lib", "manifest.js");
  const manifestJson = /require\("(json-stable-stringify|safe-stable-stringify)"\)/.exec(
    fs.existsSync(manifestJs) ? fs.readFileSync(manifestJs, "utf8") : "")?.[1];
  if (!manifestJson) {
    fail(`${core.pkg.name} ${core.pkg.version}: lib/manifest.js requires neither json-stable-stringify nor safe-stable-stringify; ` +
      `the synth cache (modules/Platform/SynthCache.cs, StableJson) must learn how this CDK writes manifest.json.`);
  }
  const facts = {
    Cdk: cdkName,
    CdkCoreNpmPackage: core.pkg.name,
    CdkCoreVersion: core.pkg.version,
    CdkCorePackageId: cdk.ids.core,
    CdkCoreNamespace: coreNs,
    CdkCliNpmPackage: cli.pkg.name,
    CdkCliName: cliName,
    CdkCliVersion: cli.pkg.version,
    AwsProviderNpmPackage: provider.pkg.name,
    AwsProviderNpmVersion: provider.pkg.version,
    AwsProviderPackageId: cdk.ids.provider,
    AwsProviderNamespace: providerNs,
    TerraformAwsProviderSource: tfProvider.name.replace(/^registry\.terraform\.io\//, ""),
    TerraformAwsProviderVersion: tfProvider.version,
    // Where the CDK's npm packages are (relative to the repository): the schema tool reads the provider package there.
    CdkNodeModules: path.relative(root, path.join(cdk.nodeRoot, "node_modules")).split(path.sep).join("/"),
    CdkManifestJson: manifestJson,
  };
  const x = v => String(v).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  const lines = [
    "<Project>",
    "  <!-- Generated by bindings/build.mjs; do not edit. Imported through bindings/Cdk.props. -->",
    `  ${propsMarker}`,
    "  <PropertyGroup>",
    `    <ConstructsVersion>${constructs.pkg.version}</ConstructsVersion>`,
    ...(cdkName === "cdktf" ? [`    <CdktfVersion>${core.pkg.version}</CdktfVersion>`] : []),
    `    <AwsProviderBindingsVersion>${providerNugetVersion}</AwsProviderBindingsVersion>`,
    `    <CdkBindingsFeed>${x(feed)}</CdkBindingsFeed>`,
    ...Object.entries(facts).map(([k, v]) => `    <${k}>${x(v)}</${k}>`),
    "  </PropertyGroup>",
    "  <!-- The facts, for a program: Assembly.GetCustomAttributes<AssemblyMetadataAttribute>() (key FraudTf.<name>). -->",
    "  <ItemGroup Condition=\"'$(CdkAssemblyMetadata)' != 'false'\">",
    ...Object.entries(facts).map(([k, v]) => `    <AssemblyMetadata Include="FraudTf.${k}" Value="${x(v)}" />`),
    "  </ItemGroup>",
    `  <!-- The namespaces the sources use, imported in every project that sets no CdkGlobalUsings=false: the core, then`,
    `       each provider submodule of the subset (${submodules.length}). -->`,
    "  <ItemGroup Condition=\"'$(CdkGlobalUsings)' != 'false'\">",
    ...namespaces.map(ns => `    <Using Include="${ns}" />`),
    ...(aliases.length ? [`    <!-- Names more than one of those namespaces export: an alias names the one the sources mean. -->`] : []),
    ...aliases.map(a => `    <Using Include="${a.target}" Alias="${a.name}" /><!-- also in ${a.among.filter(n => `${n}.${a.name}` !== a.target).join(", ")} -->`),
    "  </ItemGroup>",
    "</Project>",
    "",
  ];
  fs.writeFileSync(propsFile, lines.join("\n"));
}
